"""The declaration's shape: a bad type, key or name is one DeclarationError naming
its YAML path (the cases: ``SCHEMA`` in tests/bad_declarations.py)."""

from __future__ import annotations

import re

import pytest
from bad_declarations import CASES, SCHEMA, assert_refused, parametrize

from kedro_dynamic_hooks import DeclarationError
from kedro_dynamic_hooks._declaration.schema import parse_declaration


@parametrize(SCHEMA)
def test_bad_declaration(templates, reference, mutation, path, fragments):
    assert_refused(templates, reference, mutation, path, fragments)


def test_at_least_forty_distinct_hostile_declarations():
    assert len({c[0] for c in CASES}) >= 40


def test_error_names_the_file_when_given(templates, reference):
    reference["dynamic_pipelines"]["price_predictor"]["varients"] = {}
    with pytest.raises(DeclarationError, match=re.escape("(in conf/base/parameters.yml)")):
        parse_declaration(reference["dynamic_pipelines"], source="conf/base/parameters.yml")


def test_schema_error_fallback_names_the_input():
    from kedro_dynamic_hooks._declaration.schema import _explain

    error = {"type": "some_new_type", "msg": "Input is odd", "input": 7}
    assert _explain(error, ["x"]) == "Input is odd (got int 7)."


def test_one_wrong_union_value_is_one_problem():
    raw = {"ns": {"pipelines": ["t"], "matrix": {"parameters": {"opts.a": 3}}}}
    with pytest.raises(DeclarationError) as info:
        parse_declaration(raw)
    assert len(info.value.errors) == 1
    assert info.value.path == "dynamic_pipelines.ns.matrix.parameters.opts.a"


def test_a_matrix_combination_named_like_a_namespace_points_at_the_matrix():
    raw = {
        "ns": {"pipelines": ["t"], "matrix": {"parameters": {"opts.a": {"x": 1}}}},
        "a_x": {"pipelines": ["t"], "variants": {"v": {}}},
    }
    with pytest.raises(DeclarationError) as info:
        parse_declaration(raw)
    assert info.value.path == "dynamic_pipelines.ns.matrix"
    assert info.value.detail.startswith("matrix combination 'a_x' has the same name as a namespace")


def test_a_yaml_boolean_as_a_variant_name_says_to_quote_it(templates, reference):
    import yaml as pyyaml

    raw = pyyaml.safe_load("ns:\n  pipelines: [data_science]\n  variants:\n    on: {}\n")
    with pytest.raises(DeclarationError) as info:
        parse_declaration(raw)
    assert "got the boolean True: YAML reads an unquoted on, off" in info.value.detail
    assert "quote the name (e.g. 'on')" in info.value.detail


def test_a_matrix_separator_joins_the_labels_and_its_clashes_are_refused():
    def combos(matrix: dict) -> list[str]:
        raw = {"ns": {"pipelines": ["t"], "matrix": matrix}}
        return list(parse_declaration(raw).root["ns"].variant_overrides)

    axes = {"opts.a": {"x": 1, "y": 2}, "opts.b": {"z": 3}}
    assert combos({"parameters": axes}) == ["a_x__b_z", "a_y__b_z"]
    assert combos({"parameters": axes, "separator": "_x_"}) == ["a_x_x_b_z", "a_y_x_b_z"]
    with pytest.raises(DeclarationError) as bad:
        combos({"parameters": axes, "separator": "-"})
    assert bad.value.path == "dynamic_pipelines.ns.matrix.separator"
    assert "String should match pattern '^[A-Za-z0-9_]+$'" in bad.value.detail
    # '_' can make two combinations one name: refused, naming it.
    clash = {"opts.a": {"x_b": 1, "x": 2}, "opts.b": {"y": 3, "b_y": 4}}
    with pytest.raises(DeclarationError) as same:
        combos({"parameters": clash, "separator": "_"})
    assert same.value.path == "dynamic_pipelines.ns.matrix"
    assert "is produced by two different combinations" in same.value.detail
