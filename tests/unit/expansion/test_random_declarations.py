"""Property-based tests: random declarations and random names (as many examples as
the Hypothesis profile says: tests/conftest.py)."""

from __future__ import annotations

import posixpath
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kedro_dynamic_hooks import DynamicPipelinesError
from kedro_dynamic_hooks._declaration.schema import parse_declaration
from kedro_dynamic_hooks._expansion.expand import expand

FIELDS = [
    "pipelines",
    "shared",
    "inputs",
    "parameters",
    "overrides",
    "variants",
    "matrix",
    "chain",
    "collect",
    "catalog",
]
WORDS = [
    "data_science",
    "data_processing",
    "reporting",
    "monthly",
    "metrics",
    "model_options",
    "base",
    "v1",
    "regressor",
    "model_input_table",
    "companies",
    "{variant}",
    "..",
    "a.b",
    "",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False, width=16),
    st.sampled_from(WORDS),
    st.text(max_size=6),
)
keys = st.one_of(st.sampled_from(FIELDS + WORDS), st.text(max_size=8))
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(keys, children, max_size=4)
    ),
    max_leaves=25,
)
namespace = st.fixed_dictionaries(
    {"pipelines": st.one_of(st.just(["data_science"]), values)},
    optional={field: values for field in FIELDS if field != "pipelines"},
)
declarations = st.one_of(values, st.dictionaries(keys, st.one_of(namespace, values), max_size=3))


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=declarations)
def test_random_declarations_expand_or_raise_our_error(templates, raw: Any) -> None:
    params = {
        "model_options": {"test_size": 0.2, "model": "a"},
        "report_options": {},
        "dynamic_pipelines": raw,
    }
    try:
        expansion = expand(parse_declaration(raw), templates, params)
    except DynamicPipelinesError as error:
        assert str(error).startswith("Invalid dynamic pipelines declaration")
        assert error.path is not None and error.path.startswith("dynamic_pipelines")
    else:
        assert set(expansion.variants) == set(raw)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=0, max_size=20))
def test_no_name_moves_a_templated_filepath_out_of_its_folder(templates, name: str) -> None:
    raw = {
        "ns": {
            "pipelines": ["data_science"],
            "catalog": {
                "regressor": {"type": "x", "filepath": "data/06_models/{namespace}/{variant}/r.pkl"}
            },
            "variants": {name: {}},
        }
    }
    params = {"model_options": {"model": "a"}, "dynamic_pipelines": raw}
    try:
        expansion = expand(parse_declaration(raw), templates, params)
    except DynamicPipelinesError:
        return
    (filepath,) = [c["filepath"] for c in expansion.catalog.values()]
    assert posixpath.normpath(filepath) == filepath
    assert filepath.startswith("data/06_models/ns/") and filepath.count("/") == 4


def test_absolute_and_remote_paths_written_by_the_user_stay_allowed(templates) -> None:
    raw = {
        "ns": {
            "pipelines": ["data_science"],
            "catalog": {
                "regressor": {"type": "x", "filepath": "s3://bucket/{namespace}/{variant}/r.pkl"},
                "metrics": {"type": "x", "filepath": "/mnt/shared/{variant}.json"},
            },
            "variants": {"a": {}, "b": {}},
        }
    }
    e = expand(
        parse_declaration(raw),
        templates,
        {"model_options": {"model": "a"}, "dynamic_pipelines": raw},
    )
    assert e.catalog["ns.b.regressor"]["filepath"] == "s3://bucket/ns/b/r.pkl"
    assert e.catalog["ns.a.metrics"]["filepath"] == "/mnt/shared/a.json"
