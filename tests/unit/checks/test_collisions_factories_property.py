"""The collision check with compiled patterns gives the verdict of Kedro's own
resolver (``CatalogConfigResolver``, which compiles each pattern at every call),
on generated catalogs of dataset factories, colliding ones included."""

from __future__ import annotations

import copy
import logging

import pytest
import yaml
from helpers import REFERENCE, examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kedro.io.catalog_config_resolver import DEFAULT_RUNTIME_PATTERN, CatalogConfigResolver

from kedro_dynamic_hooks import CollisionError
from kedro_dynamic_hooks._checks import catalog_index
from kedro_dynamic_hooks._checks.collisions import check_collisions
from kedro_dynamic_hooks._declaration.schema import parse_declaration
from kedro_dynamic_hooks._expansion.expand import expand

PER_VARIANT = ["regressor", "X", "y", "predictions", "metrics"]
# Pattern -> filepaths it may write to; those without {variant} make siblings collide.
PATTERNS = {
    "{namespace}.{variant}.{name}": [
        "d/{namespace}/{variant}/{name}.pkl",
        "d/{namespace}/{name}.pkl",
    ],
    "{namespace}.{variant}.metrics": ["d/{namespace}/{variant}/m.json", "d/m.json"],
    "{ns}.{v}.pred{rest}": ["d/{ns}/{v}/pred{rest}.pkl", "d/{ns}/pred.pkl"],
    "{namespace}.model_input_table": ["d/{namespace}/table.pq", "d/07/{namespace}/companies.csv"],
    "{anything}": ["d/other/{anything}.pkl", "d/07/price_predictor/companies.csv"],
    "{namespace}.base.{name}": ["d/{namespace}/base/{name}.pkl", "d/{namespace}/test1/{name}.pkl"],
}
VERDICTS: list[str] = []


def _reference_index_resolved(self, name):
    """What Kedro's resolver itself says, for the reference run."""
    kedro = CatalogConfigResolver(
        config=self._raw, default_runtime_patterns=DEFAULT_RUNTIME_PATTERN
    )
    pattern = kedro.match_dataset_pattern(name) or kedro.match_user_catch_all_pattern(name)
    return None if pattern is None else (kedro.resolve_pattern(name), pattern)


@st.composite
def catalogs(draw: st.DrawFn) -> dict:
    chosen = draw(st.lists(st.sampled_from(sorted(PATTERNS)), min_size=1, max_size=4, unique=True))
    catalog = {
        pattern: {
            "type": "pickle.PickleDataset",
            "filepath": draw(st.sampled_from(PATTERNS[pattern])),
        }
        for pattern in chosen
    }
    if draw(st.booleans()):
        catalog["companies"] = {
            "type": "pandas.CSVDataset",
            "filepath": "d/07/price_predictor/companies.csv",
        }
    return catalog


def _verdict(catalog, expansion) -> str:
    try:
        check_collisions(
            catalog,
            expansion.datasets,
            project_path="/p",
            datasets=expansion.dataset_names,
            written=expansion.written,
        )
    except CollisionError as error:
        return str(error)
    return "ok"


@settings(max_examples=examples(), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(catalog=catalogs())
def test_compiled_patterns_give_kedros_verdict(templates, catalog, monkeypatch):
    parameters = yaml.safe_load(REFERENCE)
    del parameters["dynamic_pipelines"]["price_predictor"]["catalog"]
    expansion = expand(parse_declaration(parameters["dynamic_pipelines"]), templates, parameters)
    fast = _verdict(copy.deepcopy(catalog), expansion)
    logging.getLogger("kedro.io.catalog_config_resolver").disabled = True
    try:
        with monkeypatch.context() as patched:
            original_init = catalog_index.CatalogIndex.__init__

            def keep_raw(self, config):
                original_init(self, config)
                self._raw = {k: v for k, v in config.items() if "{" in k}

            patched.setattr(catalog_index.CatalogIndex, "__init__", keep_raw)
            patched.setattr(catalog_index.CatalogIndex, "resolved", _reference_index_resolved)
            slow = _verdict(copy.deepcopy(catalog), expansion)
    finally:
        logging.getLogger("kedro.io.catalog_config_resolver").disabled = False
    assert fast == slow
    VERDICTS.append(fast)


def test_the_property_saw_collisions_and_clean_catalogs():
    if not VERDICTS:
        pytest.skip("run together with test_compiled_patterns_give_kedros_verdict")
    assert any(v == "ok" for v in VERDICTS)
    assert sum(v != "ok" for v in VERDICTS) >= len(VERDICTS) // 4
