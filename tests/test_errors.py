"""Every bad declaration ends in one DynamicPipelinesError that names the YAML path."""

from __future__ import annotations

import copy
import pickle
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
from helpers import f
from kedro.pipeline import Pipeline, node

from kedro_dynamic_hooks import CollisionError, DeclarationError, ProjectError
from kedro_dynamic_hooks._checks.collisions import check_collisions
from kedro_dynamic_hooks._declaration.schema import parse_declaration
from kedro_dynamic_hooks._errors import DynamicPipelinesError
from kedro_dynamic_hooks._expansion.expand import expand
from kedro_dynamic_hooks._runtime.reporting import reported

Mutation = Callable[[dict[str, Any]], Any]


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
CASES: list[tuple[str, Mutation, str, list[str]]] = [
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
    ("no variants", _del(f"{PP}.variants"), PP, ["declares no variants"]),
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
        "chain input that is a shared output",
        _set(f"{PP}.chain", {"input": "model_input_table", "output": "metrics", "initial": "x"}),
        f"{PP}.chain.input",
        ["'model_input_table' is a global input or a shared output"],
    ),
    (
        "template both shared and per variant",
        _set(f"{PP}.shared", ["data_processing", "data_science"]),
        f"{PP}.shared",
        ["'data_science' listed under both 'shared' and 'pipelines'"],
    ),
    (
        "templates writing the same dataset",
        _set(f"{PP}.shared", ["data_processing", "monthly"]),
        PP,
        ["the namespace's templates cannot be combined", "must not write the same dataset"],
    ),
    (
        "variant named like a namespace",
        _variant("reviews_predictor"),
        f"{PP}.variants.reviews_predictor",
        ["same name as a namespace; '--tags reviews_predictor' would select both"],
    ),
    (
        "chain output missing from template",
        _set(f"{PP}.chain", {"input": "model_input_table", "output": "regresor", "initial": "x"}),
        f"{PP}.chain.output",
        ["Did you mean 'regressor'?"],
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
        "unknown placeholder in a catalog template",
        _set(f"{PP}.catalog.regressor.filepath", "data/{namspace}/{variant}/regressor.pickle"),
        f"{PP}.catalog.regressor",
        [
            "unknown placeholder '{namspace}' in the config of 'regressor'",
            "a folder named '{namspace}'",
            "Did you mean '{namespace}'?",
        ],
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


@pytest.mark.parametrize(
    ("mutation", "path", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_declaration(templates, reference, mutation, path, fragments):
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


def test_at_least_forty_distinct_hostile_declarations():
    assert len({c[0] for c in CASES}) >= 40


def test_runtime_params_for_an_unknown_variant_are_refused(templates, reference):
    runtime = {"price_predictor": {"candidat1": {"model_options": {"test_size": 0.3}}}}
    with pytest.raises(
        DeclarationError, match=r"targets 'price_predictor.candidat1'.*Did you mean 'candidate1'\?"
    ) as info:
        expand(
            parse_declaration(reference["dynamic_pipelines"]),
            templates,
            {**reference, **runtime},
            runtime_params=runtime,
        )
    assert info.value.source == "--params"


def test_error_names_the_file_when_given(templates, reference):
    reference["dynamic_pipelines"]["price_predictor"]["varients"] = {}
    with pytest.raises(DeclarationError, match=re.escape("(in conf/base/parameters.yml)")):
        parse_declaration(reference["dynamic_pipelines"], source="conf/base/parameters.yml")


def test_core_errors_are_value_errors_without_click():
    error = DeclarationError("boom", path="a.b")
    assert isinstance(error, DynamicPipelinesError) and isinstance(error, ValueError)
    assert not isinstance(error, click.ClickException)
    assert str(error.with_source("conf/base/parameters.yml")) == (
        "Invalid dynamic pipelines declaration at 'a.b' (in conf/base/parameters.yml): boom"
    )
    assert error.errors == (error,)


def test_reported_errors_exit_like_click_exceptions_and_keep_their_class():
    other = CollisionError("second", path="c")
    error = DeclarationError("boom", path="a.b", source="conf/base/parameters.yml", others=[other])
    shown = reported(error)
    assert isinstance(shown, click.ClickException) and isinstance(shown, DeclarationError)
    assert shown.exit_code == 1 and shown.error is error
    assert (shown.path, shown.source, shown.detail) == ("a.b", "conf/base/parameters.yml", "boom")
    assert shown.errors[1:] == (other,)
    assert shown.format_message() == str(error) == (
        "Invalid dynamic pipelines declaration at 'a.b' (in conf/base/parameters.yml): boom "
        "(and 1 more problem(s); 'kedro dynamic validate' lists them all)"
    )
    assert reported(shown) is shown
    assert type(reported(DeclarationError("again"))) is type(shown)  # one class per error class


def test_errors_survive_pickling_with_every_problem():
    error = CollisionError("boom", path="a", source="f.yml", others=[DeclarationError("x")])
    copy_ = pickle.loads(pickle.dumps(error))
    assert type(copy_) is CollisionError and str(copy_) == str(error)
    assert [e.detail for e in copy_.errors] == ["boom", "x"]


def _origins(templates, reference, catalog_template):
    reference["dynamic_pipelines"]["price_predictor"]["catalog"]["regressor"] = catalog_template
    return expand(parse_declaration(reference["dynamic_pipelines"]), templates, reference)


def test_collision_between_sibling_variants_names_both(templates, reference):
    e = _origins(
        templates,
        reference,
        {
            "type": "pickle.PickleDataset",
            "filepath": "data/{namespace}/regressor.pickle",
            "versioned": True,
        },
    )
    with pytest.raises(CollisionError) as info:
        check_collisions(e.catalog, e.datasets, project_path="/p")
    message = str(info.value)
    assert "'price_predictor.base.regressor' ('regressor' of price_predictor.base)" in message
    assert (
        "'price_predictor.candidate1.regressor' ('regressor' of price_predictor.candidate1)"
        in message
    )
    assert "'data/price_predictor/regressor.pickle'" in message


def test_collision_through_a_dataset_factory_pattern(templates, reference):
    e = expand(parse_declaration(reference["dynamic_pipelines"]), templates, reference)
    catalog = {
        **e.catalog,
        "{namespace}.{variant}.metrics": {
            "type": "json.JSONDataset",
            "filepath": "data/{namespace}/metrics.json",
        },
    }
    with pytest.raises(
        CollisionError,
        match=r"'price_predictor.base.metrics'.*'price_predictor.candidate1.metrics'.*data/price_predictor/metrics.json",
    ):
        check_collisions(catalog, e.datasets, project_path="/p")


def test_collision_with_a_global_dataset(templates, reference):
    e = _origins(
        templates,
        reference,
        {"type": "pandas.CSVDataset", "filepath": "./data/raw/../raw/companies.csv"},
    )
    catalog = {
        "companies": {"type": "pandas.CSVDataset", "filepath": "data/raw/companies.csv"},
        **e.catalog,
    }
    with pytest.raises(
        CollisionError,
        match=r"'companies' \(a catalog entry\) and 'price_predictor.base.regressor'",
    ):
        check_collisions(catalog, e.datasets, project_path="/p")


def test_distinct_paths_and_transcoding_pass(templates, reference):
    e = expand(parse_declaration(reference["dynamic_pipelines"]), templates, reference)
    catalog = {
        **e.catalog,
        "{namespace}.{variant}.metrics": {
            "type": "json.JSONDataset",
            "filepath": "data/{namespace}/{variant}/metrics.json",
            "credentials": "nope",
        },
        "raw@pandas": {"type": "pandas.CSVDataset", "filepath": "data/raw.csv"},
        "raw@spark": {"type": "spark.SparkDataset", "filepath": "data/raw.csv"},
        "remote": {"type": "pandas.CSVDataset", "filepath": "s3://bucket/x.csv"},
    }
    check_collisions(catalog, e.datasets, project_path=str(Path("/p")))


def test_collision_between_transcoded_variant_datasets(templates):
    t = {"t": Pipeline([node(lambda x: x, "x@pandas", "y@pandas", name="n")])}
    raw = {
        "ns": {
            "pipelines": ["t"],
            "catalog": {
                "y@pandas": {"type": "pandas.CSVDataset", "filepath": "data/{namespace}/y.csv"}
            },
            "variants": {"a": {}, "b": {}},
        }
    }
    e = expand(parse_declaration(raw), t, {"dynamic_pipelines": raw})
    with pytest.raises(
        CollisionError, match=r"'ns.a.y@pandas' \('y@pandas' of ns.a\) and 'ns.b.y@pandas'"
    ):
        check_collisions(e.catalog, e.datasets, project_path="/p")


def test_invalid_factory_pattern_is_our_error(templates, reference):
    e = expand(parse_declaration(reference["dynamic_pipelines"]), templates, reference)
    catalog = {"{a}.x": {"type": "pandas.CSVDataset", "filepath": "{b}.csv"}}
    with pytest.raises(ProjectError, match="a dataset factory pattern is invalid"):
        check_collisions(catalog, e.datasets, project_path="/p")


def test_chain_and_collect_with_transcoded_names():
    t = {
        "step": Pipeline(
            [node(lambda prev: (prev, prev), "state@json", ["new@json", "metrics@json"], name="s")]
        ),
        "report": Pipeline([node(lambda m: m, "metrics@json", "table", name="r")]),
    }
    raw = {
        "ns": {
            "pipelines": ["step"],
            "chain": {"input": "state", "output": "new", "initial": "seed@json"},
            "collect": {"pipeline": "report", "input": "metrics"},
            "variants": {"a": {}, "b": {}},
        }
    }
    e = expand(parse_declaration(raw), t, {"dynamic_pipelines": raw})
    assert e.pipelines["ns.a"].nodes[0].inputs == ["seed@json"]
    assert e.pipelines["ns.b"].nodes[0].inputs == ["ns.a.new@json"]
    (report,) = [n for n in e.pipelines["ns"].nodes if n.name == "ns.r"]
    assert report.inputs == ["ns.a.metrics@json", "ns.b.metrics@json"]
    assert report.run({"ns.a.metrics@json": 1, "ns.b.metrics@json": 2}) == {
        "ns.table": {"a": 1, "b": 2}
    }


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


@pytest.mark.parametrize(
    ("runtime", "path", "fragment"),
    [
        (
            {"price_predictor": 5},
            "price_predictor",
            "would replace the whole mapping 'price_predictor'",
        ),
        (
            {"price_predictor": {"base": 5}},
            "price_predictor.base",
            "would replace the whole mapping 'price_predictor.base'",
        ),
        (
            {"price_predictor": {"base": {"model_options": 5}}},
            "price_predictor.base.model_options",
            "would replace the whole mapping 'price_predictor.base.model_options'",
        ),
        (
            {"price_predictor": {"base": {"model_options": {"test_sise": 0.3}}}},
            "price_predictor.base.model_options.test_sise",
            "Did you mean 'test_size'?",
        ),
        (
            {"price_predictor": {"base": {"model_options": {"test_size": {"typo": 1}}}}},
            "price_predictor.base.model_options.test_size",
            "gives a mapping for 'price_predictor.base.model_options.test_size', which is a single value (0.2)",
        ),
        (
            {"price_predictor": {"base": {"seed": 1}}},
            "price_predictor.base.seed",
            "Known: 'model_options'.",
        ),
    ],
)
def test_runtime_params_that_would_change_nothing_or_too_much(
    templates, reference, runtime, path, fragment
):
    with pytest.raises(DeclarationError) as info:
        expand(
            parse_declaration(reference["dynamic_pipelines"]),
            templates,
            {**reference, **runtime},
            runtime_params=runtime,
        )
    assert info.value.path == path
    assert info.value.source == "--params"
    assert fragment in str(info.value)


def test_runtime_params_inside_a_free_form_mapping_are_allowed(templates, reference):
    runtime = {
        "price_predictor": {
            "candidate2": {"model_options": {"model_params": {"alpha": 9, "tol": 0.1}}}
        }
    }
    params = expand(
        parse_declaration(reference["dynamic_pipelines"]),
        templates,
        {**reference, **runtime},
        runtime_params=runtime,
    ).parameters
    assert params["price_predictor"]["candidate2"]["model_options"]["model_params"] == {
        "alpha": 9,
        "tol": 0.1,
    }


def test_chain_initial_is_used_as_written():
    t = {"step": Pipeline([node(lambda prev: prev, "state@json", "new@json", name="s")])}
    raw = {
        "ns": {
            "pipelines": ["step"],
            "chain": {"input": "state", "output": "new", "initial": "seed"},
            "variants": {"a": {}, "b": {}},
        }
    }
    e = expand(parse_declaration(raw), t, {"dynamic_pipelines": raw})
    assert e.pipelines["ns.a"].nodes[0].inputs == ["seed"]
    assert e.pipelines["ns.b"].nodes[0].inputs == ["ns.a.new@json"]


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


def test_yaml_keys_with_brackets_stay_in_the_path():
    raw = {"ns": {"pipelines": ["x"], "catalog": {"x[0]": 5}}}
    with pytest.raises(DeclarationError) as info:
        parse_declaration(raw)
    assert info.value.path == "dynamic_pipelines.ns.catalog.x[0]"


def test_a_global_dataset_confirmed_by_two_namespaces_is_refused():
    t = {"t": Pipeline([node(lambda x: x, "raw", "out", name="n", confirms="marker")])}
    spec = {"pipelines": ["t"], "inputs": ["raw", "marker"], "variants": {"v": {}}}
    raw = {"one": spec, "two": spec}
    with pytest.raises(DeclarationError) as info:
        expand(parse_declaration(raw), t, {"dynamic_pipelines": raw})
    assert info.value.path == "dynamic_pipelines.two.inputs"
    assert (
        "dataset 'marker' is confirmed by nodes of namespaces 'one' and 'two'" in str(info.value)
    )


def test_schema_error_fallback_names_the_input():
    from kedro_dynamic_hooks._declaration.schema import _explain

    error = {"type": "some_new_type", "msg": "Input is odd", "input": 7}
    assert _explain(error, ["x"]) == "Input is odd (got int 7)."


def test_reported_errors_pickle_and_take_a_source():
    shown = reported(DeclarationError("boom", path="a.b"))
    again = pickle.loads(pickle.dumps(shown))
    assert type(again) is type(shown) and str(again) == str(shown)
    located = shown.with_source("conf/base/parameters.yml")
    assert isinstance(located, click.ClickException) and located.source == "conf/base/parameters.yml"
    assert located.alone() == (
        "Invalid dynamic pipelines declaration at 'a.b' (in conf/base/parameters.yml): boom"
    )


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


def _collide(templates, reference, template: dict, extra: dict | None = None, **kwargs):
    e = _origins(templates, reference, template)
    catalog = {**(extra or {}), **e.catalog}
    check_collisions(
        catalog,
        e.datasets,
        project_path="/p",
        datasets=e.dataset_names,
        written=e.written,
        **kwargs,
    )


def test_collision_nested_inside_a_wrapping_dataset(templates, reference):
    cached = {
        "type": "CachedDataset",
        "dataset": {"type": "pickle.PickleDataset", "filepath": "data/{namespace}/model.pkl"},
    }
    with pytest.raises(CollisionError, match=r"both resolve to filepath 'data/price_predictor/model.pkl'"):
        _collide(templates, reference, cached)


def test_collision_with_a_global_input_resolved_by_a_pattern(templates, reference):
    # The raw input comes from the pattern '{name}_raw'; a template writes onto its file.
    raw_pattern = {"{name}_raw": {"type": "pandas.CSVDataset", "filepath": "data/{name}.csv"}}
    processing = Pipeline(
        [
            node(f, "companies_raw", "preprocessed_companies", name="preprocess_companies"),
            *[n for n in templates["data_processing"].nodes if n.name != "preprocess_companies"],
        ]
    )
    del reference["dynamic_pipelines"]["reviews_predictor"]
    dp = reference["dynamic_pipelines"]["price_predictor"]
    dp["inputs"] = ["companies_raw", "shuttles", "reviews"]
    dp["variants"] = {"base": {}}
    dp["catalog"]["regressor"] = {"type": "pickle.PickleDataset", "filepath": "data/companies.csv"}
    e = expand(
        parse_declaration(reference["dynamic_pipelines"]),
        {**templates, "data_processing": processing},
        reference,
    )
    with pytest.raises(
        CollisionError,
        match=r"^Datasets collide at '\{name\}_raw' \(in a dataset factory in the catalog\): "
        r"datasets 'price_predictor.base.regressor' .* and 'companies_raw' \(from pattern "
        r"'\{name\}_raw'\)",
    ):
        check_collisions(
            {**raw_pattern, **e.catalog},
            e.datasets,
            project_path="/p",
            datasets=e.dataset_names,
            written=e.written,
        )


def test_a_written_folder_dataset_may_not_hold_other_datasets_files(templates, reference):
    reference["dynamic_pipelines"]["price_predictor"]["catalog"]["metrics"] = {
        "type": "json.JSONDataset",
        "filepath": "data/reporting/{namespace}/{variant}/metrics.json",
    }
    e = expand(parse_declaration(reference["dynamic_pipelines"]), templates, reference)
    folder = {
        "price_predictor.base.predictions": {
            "type": "partitions.PartitionedDataset",
            "path": "data/reporting/price_predictor",
            "dataset": "pandas.CSVDataset",
            "overwrite": True,
        }
    }
    with pytest.raises(CollisionError) as info:
        check_collisions(
            {**e.catalog, **folder}, e.datasets, project_path="/p",
            datasets=e.dataset_names, written=e.written,
        )
    assert str(info.value).startswith(
        "Datasets collide at 'price_predictor.base.predictions' (in "
        "the catalog): folder dataset 'price_predictor.base.predictions' ('predictions' of "
        "price_predictor.base) writes into 'data/reporting/price_predictor', which holds "
        "'price_predictor.base.metrics'"
    )


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("file:///p/data/m.pkl", "data/m.pkl"),
        ("s3://bucket/y/../x/m.pkl", "s3://bucket/x/m.pkl"),
        ("data/Models/m.pkl", "data/models/m.pkl"),
    ],
    ids=["file-url", "dotdot-in-url", "case-only"],
)
def test_collision_whatever_the_spelling(templates, reference, one, other):
    dp = reference["dynamic_pipelines"]["price_predictor"]
    dp["variants"] = {"base": {}}
    dp["catalog"]["regressor"] = {"type": "pickle.PickleDataset", "filepath": one}
    e = expand(parse_declaration(reference["dynamic_pipelines"]), templates, reference)
    catalog = {**e.catalog, "other_model": {"type": "pickle.PickleDataset", "filepath": other}}
    with pytest.raises(CollisionError, match=r"'other_model' \(a catalog entry\) and 'price_predictor.base.regressor'|'price_predictor.base.regressor' .* and 'other_model'"):
        check_collisions(catalog, e.datasets, project_path="/p")


def test_collision_through_a_symlinked_folder(templates, reference, tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    dp = reference["dynamic_pipelines"]["price_predictor"]
    dp["catalog"]["regressor"] = {"type": "pickle.PickleDataset", "filepath": "link/{variant}.pkl"}
    e = expand(parse_declaration(reference["dynamic_pipelines"]), templates, reference)
    catalog = {**e.catalog, "kept": {"type": "pickle.PickleDataset", "filepath": "real/base.pkl"}}
    with pytest.raises(CollisionError, match=r"'kept' \(a catalog entry\) and 'price_predictor.base.regressor'"):
        check_collisions(catalog, e.datasets, project_path=str(tmp_path))


def test_integer_matrix_labels_name_the_combinations(templates, reference):
    ns(reference)["variants"] = {}
    ns(reference)["matrix"] = {"parameters": {"model_options.random_state": {1: 1, 2: 2}}}
    e = expand(parse_declaration(reference["dynamic_pipelines"]), templates, reference)
    assert e.variants["price_predictor"] == ("random_state_1", "random_state_2")


def test_params_for_a_variant_do_not_hide_a_clash_in_the_files(templates, reference):
    reference["price_predictor"] = {"unrelated": 1}  # the files define the namespace's key
    runtime = {"price_predictor": {"candidate1": {"model_options": {"test_size": 0.3}}}}
    reference["price_predictor"]["candidate1"] = runtime["price_predictor"]["candidate1"]
    with pytest.raises(DeclarationError, match="same name as a top-level parameter"):
        expand(
            parse_declaration(reference["dynamic_pipelines"]),
            templates,
            reference,
            runtime_params=runtime,
        )
    del reference["price_predictor"]["unrelated"]  # now only --params put it there
    e = expand(
        parse_declaration(reference["dynamic_pipelines"]), templates, reference, runtime_params=runtime
    )
    assert e.parameters["price_predictor"]["candidate1"]["model_options"]["test_size"] == 0.3


def test_a_yaml_boolean_as_a_variant_name_says_to_quote_it(templates, reference):
    import yaml as pyyaml

    raw = pyyaml.safe_load("ns:\n  pipelines: [data_science]\n  variants:\n    on: {}\n")
    with pytest.raises(DeclarationError) as info:
        parse_declaration(raw)
    assert "got the boolean True: YAML reads an unquoted on, off" in info.value.detail
    assert "quote the name (e.g. 'on')" in info.value.detail
