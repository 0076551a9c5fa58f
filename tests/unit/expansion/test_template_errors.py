"""Templates, names, chains and collect steps that cannot be expanded against the
registered pipelines (the cases: ``TEMPLATES`` in tests/bad_declarations.py)."""

from __future__ import annotations

import pytest
from bad_declarations import TEMPLATES, assert_refused, parametrize
from kedro.pipeline import Pipeline, node

from kedro_dynamic_hooks import DeclarationError
from kedro_dynamic_hooks._declaration.schema import parse_declaration
from kedro_dynamic_hooks._expansion.expand import expand


@parametrize(TEMPLATES)
def test_bad_declaration(templates, reference, mutation, path, fragments):
    assert_refused(templates, reference, mutation, path, fragments)


def test_two_templates_with_a_clashing_node_name(reference, templates):
    templates = {
        **templates,
        "other": Pipeline([node(lambda x: x, "model_input_table", "zzz", name="split")]),
    }
    reference["dynamic_pipelines"]["price_predictor"]["pipelines"] = ["data_science", "other"]
    with pytest.raises(
        DeclarationError,
        match="pipelines 'data_science' and 'other' both have a node named 'split'",
    ):
        expand(parse_declaration(reference["dynamic_pipelines"]), templates, reference)


def test_confirms_clash_is_our_error():
    t = {"t": Pipeline([node(lambda x: x, "raw", "out", name="n", confirms="raw")])}
    raw = {"ns": {"pipelines": ["t"], "inputs": ["raw"], "variants": {"a": {}, "b": {}}}}
    with pytest.raises(
        DeclarationError,
        match=r"the namespace's templates cannot be combined: .*confirmed by more than one node",
    ):
        expand(parse_declaration(raw), t, {"dynamic_pipelines": raw})


def test_a_global_output_written_by_two_namespaces_is_refused():
    t = {
        "dp": Pipeline([node(lambda x: x, "raw", "table", name="n")]),
        "ds": Pipeline([node(lambda x: x, "table", "m", name="m")]),
    }
    spec = {
        "shared": ["dp"],
        "pipelines": ["ds"],
        "inputs": ["raw", "table"],
        "variants": {"v": {}},
    }
    raw = {"one": spec, "two": spec}
    with pytest.raises(DeclarationError) as info:
        expand(parse_declaration(raw), t, {"dynamic_pipelines": raw})
    assert info.value.path == "dynamic_pipelines.two.inputs"
    assert "dataset 'table' is written by nodes of namespaces 'one' and 'two'" in str(info.value)


def test_a_global_dataset_confirmed_by_two_namespaces_is_refused():
    t = {"t": Pipeline([node(lambda x: x, "raw", "out", name="n", confirms="marker")])}
    spec = {"pipelines": ["t"], "inputs": ["raw", "marker"], "variants": {"v": {}}}
    raw = {"one": spec, "two": spec}
    with pytest.raises(DeclarationError) as info:
        expand(parse_declaration(raw), t, {"dynamic_pipelines": raw})
    assert info.value.path == "dynamic_pipelines.two.inputs"
    assert "dataset 'marker' is confirmed by nodes of namespaces 'one' and 'two'" in str(info.value)
