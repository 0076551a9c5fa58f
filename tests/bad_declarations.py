"""Hostile declarations, by subject, and the one check each must pass: it ends in
one DeclarationError that names its YAML path and file, with no traceback or
pydantic in the message.

Data for the tests in ``tests/unit/declaration`` and ``tests/unit/expansion``
(each parametrizes over its subject's list); one table, so that one test can
count the distinct cases of all subjects.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from kedro.pipeline import Pipeline

from kedro_dynamic_hooks import DeclarationError
from kedro_dynamic_hooks._declaration.schema import parse_declaration
from kedro_dynamic_hooks._expansion.expand import expand

Mutation = Callable[[dict[str, Any]], Any]
# (id, mutation of the reference parameters, the YAML path named, what the message says)
Case = tuple[str, Mutation, str, list[str]]


def ns(p: dict[str, Any], name: str = "price_predictor") -> dict[str, Any]:
    return p["dynamic_pipelines"][name]


def _set(path: str, value: Any) -> Mutation:
    def mutate(p: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = p
        for part in parents:
            target = target[part]
        target[last] = value

    return mutate


def _variant(name: str, spec: Any = None) -> Mutation:
    return lambda p: ns(p)["variants"].update({name: spec if spec is not None else {}})


def _del(path: str) -> Mutation:
    def mutate(p: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = p
        for part in parents:
            target = target[part]
        del target[last]

    return mutate


PP = "dynamic_pipelines.price_predictor"

# The declaration's shape: types, keys, names (refused by parse_declaration).
SCHEMA: list[Case] = [
    (
        "list instead of mapping",
        _set("dynamic_pipelines", ["price_predictor"]),
        "dynamic_pipelines",
        ["expected a mapping", "got a list"],
    ),
    ("null declaration", _set("dynamic_pipelines", None), "dynamic_pipelines", ["got null"]),
    (
        "empty declaration",
        _set("dynamic_pipelines", {}),
        "dynamic_pipelines",
        ["declares no namespace"],
    ),
    (
        "unknown namespace key",
        _set(f"{PP}.varients", {}),
        f"{PP}.varients",
        ["unknown key 'varients'", "'variants'", "Did you mean 'variants'?"],
    ),
    (
        "unknown variant key",
        _set(f"{PP}.variants.base", {"overides": {}}),
        f"{PP}.variants.base.overides",
        ["Allowed keys: 'overrides'", "Did you mean 'overrides'?"],
    ),
    (
        "pipelines not a list",
        _set(f"{PP}.pipelines", "data_science"),
        f"{PP}.pipelines",
        ["expected a list, got str 'data_science'"],
    ),
    ("pipelines empty", _set(f"{PP}.pipelines", []), f"{PP}.pipelines", ["must not be empty"]),
    (
        "pipelines missing",
        _del(f"{PP}.pipelines"),
        f"{PP}.pipelines",
        ["required key 'pipelines' is missing"],
    ),
    (
        "inputs item not a string",
        _set(f"{PP}.inputs", [1]),
        f"{PP}.inputs.0",
        ["expected a string, got int 1"],
    ),
    (
        "overrides a list",
        _set(f"{PP}.overrides", [1]),
        f"{PP}.overrides",
        ["expected a mapping, got a list"],
    ),
    (
        "null variant",
        _set(f"{PP}.variants.base", None),
        f"{PP}.variants",
        ["variant 'base' is null", "'base: {}'"],
    ),
    ("null namespace", _set(f"{PP}", None), f"{PP}", ["expected a mapping, got null"]),
    (
        "variants a list",
        _set(f"{PP}.variants", ["base"]),
        f"{PP}.variants",
        ["expected a mapping, got a list"],
    ),
    (
        "matrix max_size a string",
        _set(f"{PP}.matrix", {"parameters": {"a": [1]}, "max_size": "3"}),
        f"{PP}.matrix.max_size",
        ["positive integer", "str '3'"],
    ),
    (
        "matrix max_size zero",
        _set(f"{PP}.matrix", {"parameters": {"a": [1]}, "max_size": 0}),
        f"{PP}.matrix.max_size",
        ["positive integer"],
    ),
    (
        "chain without output",
        _set(f"{PP}.chain", {"input": "a", "initial": "b"}),
        f"{PP}.chain.output",
        ["required key 'output'"],
    ),
    (
        "collect unknown key",
        _set(f"{PP}.collect", {"pipeline": "reporting", "input": "metrics", "by": 1}),
        f"{PP}.collect.by",
        ["Allowed keys: 'input', 'pipeline'"],
    ),
    (
        "namespace with a dot",
        lambda p: p["dynamic_pipelines"].update({"a.b": ns(p)}),
        "dynamic_pipelines.a.b",
        ["not allowed"],
    ),
    (
        "namespace with a slash",
        lambda p: p["dynamic_pipelines"].update({"../x": ns(p)}),
        "dynamic_pipelines.../x",
        ["not allowed"],
    ),
    (
        "namespace with a space",
        lambda p: p["dynamic_pipelines"].update({"a b": ns(p)}),
        "dynamic_pipelines.a b",
        ["not allowed"],
    ),
    (
        "namespace empty",
        lambda p: p["dynamic_pipelines"].update({"": ns(p)}),
        "dynamic_pipelines.",
        ["must not be empty"],
    ),
    (
        "namespace not a string",
        lambda p: p["dynamic_pipelines"].update({3: ns(p)}),
        "dynamic_pipelines.3",
        ["must be a string"],
    ),
    (
        "namespace too long",
        lambda p: p["dynamic_pipelines"].update({"n" * 65: ns(p)}),
        "dynamic_pipelines." + "n" * 65,
        ["65 characters"],
    ),
    (
        "namespace leading dash",
        lambda p: p["dynamic_pipelines"].update({"-x": ns(p)}),
        "dynamic_pipelines.-x",
        ["not allowed"],
    ),
    (
        "namespace unicode look-alike",
        lambda p: p["dynamic_pipelines"].update({"prіce": ns(p)}),
        "dynamic_pipelines.prіce",
        ["not allowed"],
    ),
    ("variant with braces", _variant("{variant}"), f"{PP}.variants.{{variant}}", ["not allowed"]),
    ("variant with ..", _variant(".."), f"{PP}.variants...", ["not allowed"]),
    ("variant with backslash", _variant("a\\b"), f"{PP}.variants.a\\b", ["not allowed"]),
    ("no variants", _del(f"{PP}.variants"), PP, ["declares no variants"]),
    (
        "matrix values neither list nor mapping",
        _set(f"{PP}.matrix", {"parameters": {"model_options.test_size": 3}}),
        f"{PP}.matrix.parameters.model_options.test_size",
        ["expected a list or a mapping, got int 3"],
    ),
    (
        "variant name not a string",
        lambda p: ns(p)["variants"].update({1: {}}),
        f"{PP}.variants.1",
        ["expected a string, got int 1"],
    ),
    (
        "matrix label that is not a valid name",
        _set(f"{PP}.matrix", {"parameters": {"model_options.model": {"bad label!": "x"}}}),
        f"{PP}.matrix",
        ["combination name 'model_bad label!'", "contains characters that are not allowed"],
    ),
    (
        "template both shared and per variant",
        _set(f"{PP}.shared", ["data_processing", "data_science"]),
        f"{PP}.shared",
        ["'data_science' listed under both 'shared' and 'pipelines'"],
    ),
    (
        "variant named like a namespace",
        _variant("reviews_predictor"),
        f"{PP}.variants.reviews_predictor",
        ["same name as a namespace; '--tags reviews_predictor' would select both"],
    ),
    (
        "chain order with a gap",
        _set(
            f"{PP}.chain",
            {
                "input": "model_input_table",
                "output": "metrics",
                "initial": "x",
                "order": ["base", "candidate1"],
            },
        ),
        f"{PP}.chain.order",
        ["leaves out 'candidate2', 'candidate3'"],
    ),
    (
        "chain order with a cycle",
        _set(
            f"{PP}.chain",
            {
                "input": "model_input_table",
                "output": "metrics",
                "initial": "x",
                "order": ["base", "candidate1", "base"],
            },
        ),
        f"{PP}.chain.order",
        ["appears twice"],
    ),
    (
        "chain order unknown variant",
        _set(
            f"{PP}.chain",
            {"input": "model_input_table", "output": "metrics", "initial": "x", "order": ["bsae"]},
        ),
        f"{PP}.chain.order",
        ["Did you mean 'base'?"],
    ),
    (
        "matrix over the cap",
        _set(
            f"{PP}.matrix",
            {
                "max_size": 5,
                "parameters": {
                    "model_options.test_size": [0.1, 0.2, 0.3],
                    "model_options.random_state": [1, 2],
                },
            },
        ),
        f"{PP}.matrix",
        ["6 combinations, more than max_size=5"],
    ),
    (
        "matrix bad path",
        _set(f"{PP}.matrix", {"parameters": {"model_options..x": [1]}}),
        f"{PP}.matrix.parameters.model_options..x",
        ["not a dotted parameter path"],
    ),
    (
        "matrix empty axis",
        _set(f"{PP}.matrix", {"parameters": {"model_options.test_size": []}}),
        f"{PP}.matrix.parameters.model_options.test_size",
        ["at least one value"],
    ),
    (
        "matrix duplicate labels",
        _set(f"{PP}.matrix", {"parameters": {"model_options.model": ["a.Ridge", "b.Ridge"]}}),
        f"{PP}.matrix",
        ["produced by two different combinations", "readable labels"],
    ),
    (
        "matrix name clash with variant",
        lambda p: (
            ns(p)["variants"].update({"test_size_0p3": {}}),
            ns(p).update({"matrix": {"parameters": {"model_options.test_size": [0.3]}}}),
        ),
        f"{PP}.matrix",
        ["same name as a named variant"],
    ),
]


# Templates, names and the chain and collect wiring, against the registered pipelines.
TEMPLATES: list[Case] = [
    (
        "unknown template",
        _set(f"{PP}.pipelines", ["data_sciense"]),
        f"{PP}.pipelines",
        ["unknown pipeline 'data_sciense'", "'data_processing'", "Did you mean 'data_science'?"],
    ),
    (
        "unknown shared template",
        _set(f"{PP}.shared", ["nope"]),
        f"{PP}.shared",
        ["unknown pipeline 'nope'", "Registered pipelines:"],
    ),
    (
        "__default__ as template",
        _set(f"{PP}.pipelines", ["__default__"]),
        f"{PP}.pipelines",
        ["unknown pipeline '__default__'"],
    ),
    (
        "variant named like a parameter",
        _set(f"{PP}.variants.model_options", {}),
        f"{PP}.variants.model_options",
        ["same name as a top-level parameter"],
    ),
    (
        "variant named like a pipeline",
        _set(f"{PP}.variants.data_science", {}),
        f"{PP}.variants.data_science",
        ["same name as a registered pipeline"],
    ),
    (
        "variant named like a shared dataset",
        _set(f"{PP}.variants.model_input_table", {}),
        f"{PP}.variants.model_input_table",
        ["same name as a dataset of the shared pipelines"],
    ),
    (
        "namespace named like a pipeline",
        lambda p: p["dynamic_pipelines"].update({"reporting": ns(p)}),
        "dynamic_pipelines.reporting",
        ["same name as a registered pipeline"],
    ),
    (
        "namespace named like a parameter",
        lambda p: p.update({"reviews_predictor": 1}),
        "dynamic_pipelines.reviews_predictor",
        ["same name as a top-level parameter"],
    ),
    (
        "global input that is no dataset",
        _set(f"{PP}.inputs", ["companys"]),
        f"{PP}.inputs",
        ["'companys' is not a dataset", "Did you mean 'companies'?"],
    ),
    (
        "chain input missing from template",
        _set(f"{PP}.chain", {"input": "previous", "output": "regressor", "initial": "x"}),
        f"{PP}.chain.input",
        ["'previous' is not an input"],
    ),
    (
        "chain input that is a shared output",
        _set(f"{PP}.chain", {"input": "model_input_table", "output": "metrics", "initial": "x"}),
        f"{PP}.chain.input",
        ["'model_input_table' is a global input or a shared output"],
    ),
    (
        "templates writing the same dataset",
        _set(f"{PP}.shared", ["data_processing", "monthly"]),
        PP,
        ["the namespace's templates cannot be combined", "must not write the same dataset"],
    ),
    (
        "chain output missing from template",
        _set(f"{PP}.chain", {"input": "model_input_table", "output": "regresor", "initial": "x"}),
        f"{PP}.chain.output",
        ["Did you mean 'regressor'?"],
    ),
    (
        "collect input nobody produces",
        _set(f"{PP}.collect", {"pipeline": "reporting", "input": "metric"}),
        f"{PP}.collect.input",
        ["'metric' is not an output", "Did you mean 'metrics'?"],
    ),
    (
        "collect reader missing",
        _set(f"{PP}.collect", {"pipeline": "reporting", "input": "regressor"}),
        f"{PP}.collect.input",
        ["no node of pipeline 'reporting' reads 'regressor'"],
    ),
]


# Overrides and parameters, against the base parameters.
PARAMETERS: list[Case] = [
    (
        "override nobody reads",
        _set(f"{PP}.overrides", {"model_optons": {}}),
        f"{PP}.overrides.model_optons",
        ["no node of pipeline(s)", "Did you mean 'model_options'?"],
    ),
    (
        "variant override nobody reads",
        _set(f"{PP}.variants.base", {"overrides": {"seed": 1}}),
        f"{PP}.variants.base.overrides.seed",
        ["'seed', which no node"],
    ),
    (
        "nested override typo",
        _set(f"{PP}.variants.base", {"overrides": {"model_options": {"test_sise": 0.1}}}),
        f"{PP}.variants.base.overrides.model_options.test_sise",
        ["Did you mean 'test_size'?", "define it in the base parameters first"],
    ),
    (
        "matrix override typo",
        _set(f"{PP}.matrix", {"parameters": {"model_options.test_sise": [0.3]}}),
        f"{PP}.matrix.parameters.model_options.test_sise",
        ["Did you mean 'test_size'?"],
    ),
    (
        # Every value of an axis is checked, not only the first: a mapping after scalars...
        "matrix value that is a mapping, after single values",
        _set(f"{PP}.matrix", {"parameters": {"model_options.test_size": [0.2, 0.3, {"a": 1}]}}),
        f"{PP}.matrix.parameters.model_options.test_size",
        ["override gives a mapping for 'test_size', which is a single value (0.2)"],
    ),
    (
        # ... and a misspelt key in a later mapping value.
        "matrix mapping value with a typo, after a good one",
        _set(
            f"{PP}.matrix",
            {"parameters": {"model_options": {"a": {"test_size": 0.1}, "b": {"test_sise": 0.2}}}},
        ),
        f"{PP}.matrix.parameters.model_options.test_sise",
        ["override of 'test_sise', which the base parameters do not define", "test_size"],
    ),
    (
        "global parameter overridden",
        lambda p: ns(p).update({"parameters": ["model_options"]}),
        f"{PP}.parameters",
        ["parameter(s) 'model_options' listed under 'parameters' (global) and also overridden"],
    ),
    (
        "global parameter that does not exist",
        lambda p: ns(p).update({"parameters": ["sed"]}),
        f"{PP}.parameters",
        ["'sed' is not a top-level parameter, so there is nothing to keep global."],
    ),
    (
        "override replaces a mapping with a scalar",
        _set(f"{PP}.overrides", {"model_options": 5}),
        f"{PP}.overrides.model_options",
        ["override replaces the mapping 'model_options' with 5, which would drop every key"],
    ),
    (
        "variant override replaces a free-form mapping with null",
        _variant("nulled", {"overrides": {"model_options": {"model_params": None}}}),
        f"{PP}.variants.nulled.overrides.model_options.model_params",
        ["override replaces the mapping 'model_params' with None"],
    ),
    (
        "override gives a mapping for a single value",
        _variant("deep", {"overrides": {"model_options": {"test_size": {"a": 1}}}}),
        f"{PP}.variants.deep.overrides.model_options.test_size",
        ["override gives a mapping for 'test_size', which is a single value (0.2)"],
    ),
]


# Catalog templates: their keys and placeholders.
CATALOG_TEMPLATES: list[Case] = [
    (
        "catalog key unknown",
        _set(f"{PP}.catalog", {"regresor": {"type": "x"}}),
        f"{PP}.catalog.regresor",
        ["not a namespaced dataset", "Did you mean 'regressor'?"],
    ),
    (
        "catalog key global",
        _set(f"{PP}.catalog", {"companies": {"type": "x"}}),
        f"{PP}.catalog.companies",
        ["is a global input; declare it in catalog.yml"],
    ),
    (
        "variant placeholder on a shared dataset",
        _set(f"{PP}.catalog", {"model_input_table": {"filepath": "{variant}.pq"}}),
        f"{PP}.catalog.model_input_table",
        ["cannot use '{variant}'"],
    ),
    (
        "unknown placeholder in a catalog template",
        _set(f"{PP}.catalog.regressor.filepath", "data/{namspace}/{variant}/regressor.pickle"),
        f"{PP}.catalog.regressor",
        [
            "unknown placeholder '{namspace}' in the config of 'regressor'",
            "a folder named '{namspace}'",
            "Did you mean '{namespace}'?",
        ],
    ),
]

CASES = SCHEMA + TEMPLATES + PARAMETERS + CATALOG_TEMPLATES


def parametrize(cases: list[Case]) -> Any:
    """``pytest.mark.parametrize`` over ``cases``, each with its id."""
    return pytest.mark.parametrize(
        ("mutation", "path", "fragments"), [c[1:] for c in cases], ids=[c[0] for c in cases]
    )


def assert_refused(
    templates: dict[str, Pipeline],
    reference: dict[str, Any],
    mutation: Mutation,
    path: str,
    fragments: list[str],
) -> None:
    """The reference declaration with ``mutation`` applied is refused as it must be."""
    params = copy.deepcopy(reference)
    params["report_options"] = {"metric": "r2"}
    mutation(params)
    source = "conf/base/parameters.yml"
    with pytest.raises(DeclarationError) as info:
        raw = params["dynamic_pipelines"]
        expand(parse_declaration(raw, source=source), templates, params, source=source)
    message = str(info.value)
    assert info.value.path == path
    assert f"at '{path}' (in {source})" in message
    for fragment in fragments:
        assert fragment in message
    assert "Traceback" not in message and "pydantic" not in message.lower()
