"""Dataset factory patterns compiled once match exactly as Kedro's resolver does."""

from __future__ import annotations

import logging

import pytest
from helpers import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from kedro.io import DatasetError
from kedro.io.catalog_config_resolver import DEFAULT_RUNTIME_PATTERN, CatalogConfigResolver

from kedro_dynamic_hooks import ProjectError
from kedro_dynamic_hooks._checks.catalog_index import CatalogIndex, resolved_configs

PLACEHOLDERS = ["{ns}", "{variant}", "{name}", "{a}", "{b:d}"]
LITERALS = [".", "_", "metrics", "model", "pre_", "m", "v1", ".x."]


@st.composite
def patterns(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.sampled_from(PLACEHOLDERS + LITERALS), min_size=1, max_size=5))
    if not any(p.startswith("{") for p in pieces):
        pieces.append(draw(st.sampled_from(PLACEHOLDERS)))
    # parse refuses a placeholder used twice; keep the first of each.
    seen: set[str] = set()
    kept = []
    for piece in pieces:
        if piece.startswith("{"):
            if piece in seen:
                continue
            seen.add(piece)
        kept.append(piece)
    return "".join(kept)


def _config(pattern: str) -> dict:
    names = [p.strip("{}").split(":")[0] for p in PLACEHOLDERS if p in pattern]
    return {
        "type": "json.JSONDataset",
        "filepath": "data/" + "/".join(f"{{{n}}}" for n in names) + ".json",
        "load_args": {"nested": [f"{{{names[0]}}}", 3]},
    }


NAMES = st.lists(
    st.sampled_from(["ns", "v1", "v_2", "metrics", "model", "pre_x", "m", "x", "12", "a.b"]),
    min_size=1,
    max_size=4,
).map(".".join)


VALUES = st.sampled_from(["ns", "v1", "metrics", "pre_x", "m", "a.b", "x_y"])


@st.composite
def names_for(draw: st.DrawFn, found_patterns: list[str]) -> list[str]:
    """Names that match some of the patterns (filled in), and others."""
    made = []
    for pattern in draw(st.lists(st.sampled_from(found_patterns), max_size=8)):
        name = pattern
        for placeholder in PLACEHOLDERS:
            value = str(draw(st.integers(0, 99))) if ":d" in placeholder else draw(VALUES)
            name = name.replace(placeholder, value)
        made.append(name)
    return made + draw(st.lists(NAMES, max_size=4))


@settings(max_examples=examples(2))
@given(st.lists(patterns(), min_size=1, max_size=4, unique=True), st.data())
def test_compiled_patterns_match_and_resolve_as_kedro_does(found_patterns, data):
    names = data.draw(names_for(found_patterns))
    catalog = {p: _config(p) for p in found_patterns}
    try:
        kedro = CatalogConfigResolver(
            config=catalog, default_runtime_patterns=DEFAULT_RUNTIME_PATTERN
        )
    except DatasetError:
        with pytest.raises(ProjectError, match="a dataset factory pattern is invalid"):
            CatalogIndex(catalog)
        return
    index = CatalogIndex(catalog)
    logging.getLogger(kedro.__class__.__module__).disabled = True  # the catch-all's warning
    try:
        for name in names:
            expected = kedro.match_dataset_pattern(name) or kedro.match_user_catch_all_pattern(name)
            assert index.pattern(name) == expected, name
            assert index(name) == (expected is not None)
            assert index.resolve(name) == kedro.resolve_pattern(name), name
            config, pattern = resolved_configs(catalog, [name])[name]
            assert (config, pattern) == (kedro.resolve_pattern(name), expected)
    finally:
        logging.getLogger(kedro.__class__.__module__).disabled = False


def test_an_unmatched_name_gets_kedros_default_and_no_pattern():
    index = CatalogIndex({"{ns}.metrics": {"type": "json.JSONDataset", "filepath": "{ns}.json"}})
    assert index.resolve("plain") == {"type": "kedro.io.MemoryDataset"}
    assert index.pattern("plain") is None and not index("plain")
    assert CatalogIndex({"x": {"type": "json.JSONDataset"}}).resolve("x") is None
