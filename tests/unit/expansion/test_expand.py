"""The pure expansion core, without a session."""

from __future__ import annotations

import copy
import gc
import pickle
import warnings
from typing import Any

import pytest
import yaml
from kedro.pipeline import Pipeline, node, pipeline

from kedro_dynamic_hooks._declaration.schema import parse_declaration
from kedro_dynamic_hooks._expansion.expand import expand
from kedro_dynamic_hooks._expansion.result import Expansion


def run_expand(params: dict[str, Any], templates: dict[str, Pipeline], **kwargs: Any) -> Expansion:
    return expand(parse_declaration(params["dynamic_pipelines"]), templates, params, **kwargs)


def names(p: Pipeline) -> set[str]:
    return {n.name for n in p.nodes}


def test_variant_nodes_equal_kedro_pipeline_namespacing(templates, reference):
    """Our single-pass copies are exactly what pipeline(template, namespace=...) builds."""
    e = run_expand(reference, templates)
    expected = pipeline(
        templates["data_science"],
        namespace="price_predictor.candidate1",
        inputs={"model_input_table": "price_predictor.model_input_table"},
    )
    ours = e.pipelines["price_predictor.candidate1"]
    assert sorted((n.name, n.inputs, n.outputs, n.namespace) for n in ours.nodes) == sorted(
        (n.name, n.inputs, n.outputs, n.namespace) for n in expected.nodes
    )
    shared = pipeline(
        templates["data_processing"],
        namespace="price_predictor",
        inputs={"companies", "shuttles", "reviews"},
    )
    ours_shared = [
        n for n in e.pipelines["price_predictor"].nodes if n.namespace == "price_predictor"
    ]
    assert sorted((n.name, n.inputs, n.outputs) for n in ours_shared) == sorted(
        (n.name, n.inputs, n.outputs) for n in shared.nodes
    )


def test_unnamed_template_nodes_get_kedros_names():
    def f(x: Any) -> Any:
        return x

    template = Pipeline([node(f, "a", "b"), node(f, "b", "c")])
    params = {"dynamic_pipelines": {"ns": {"pipelines": ["t"], "variants": {"v": {}}}}}
    e = run_expand(params, {"t": template})
    assert names(e.pipelines["ns.v"]) == names(pipeline(template, namespace="ns.v"))


def test_selection_counts_and_tags(templates, reference):
    e = run_expand(reference, templates)
    pp = e.pipelines["price_predictor"]
    assert len(pp.nodes) == 3 + 4 * 4  # --namespaces price_predictor
    assert len(pp.only_nodes_with_namespaces(["price_predictor.candidate1"]).nodes) == 4
    assert len(pp.only_nodes_with_tags("candidate1").nodes) == 7
    shared = pp.only_nodes_with_namespaces(["price_predictor"]).nodes
    for n in shared:
        if n.namespace == "price_predictor":
            assert n.tags == {"price_predictor", "base", "candidate1", "candidate2", "candidate3"}
        else:
            assert n.tags == {"price_predictor", n.namespace.split(".")[1]}
    default = e.registry_updates(templates)["__default__"]
    assert len(default.nodes) == 19 + 3 + 2 * 4
    assert not [n for n in default.nodes if not n.namespace]  # no bare template node


def test_registry_updates_are_idempotent(templates, reference):
    e = run_expand(reference, templates)
    once = e.registry_updates(templates)
    twice = e.registry_updates({**templates, **once})
    assert names(once["__default__"]) == names(twice["__default__"])
    assert once.keys() == twice.keys()


def test_a_new_expansion_replaces_an_old_one_after_the_old_is_collected(templates, reference):
    # Service sessions expand on every request; nodes compare by value, so the
    # bookkeeping of which nodes are ours must be by identity.
    from kedro_dynamic_hooks._runtime.registry import mark_expanded, with_expansion

    def registered(registry):
        expansion = run_expand(reference, templates)
        mark_expanded(expansion.nodes)  # what the expansion service does
        return with_expansion(registry, expansion)

    registry = registered(templates)
    gc.collect()
    for _ in range(2):
        registry = registered(registry)
        gc.collect()
    assert len(registry["__default__"].nodes) == 30


def test_a_hand_written_node_in_a_declared_namespace_is_kept(templates, reference):
    mine = pipeline(
        [node(lambda x: x, "model_input_table", "audit", name="audit")],
        namespace="price_predictor",
        inputs={"model_input_table": "price_predictor.model_input_table"},
    )
    default = Pipeline([*templates["__default__"].nodes, *mine.nodes])
    e = run_expand(reference, templates)
    updated = e.registry_updates({**templates, "__default__": default})["__default__"]
    assert "price_predictor.audit" in names(updated)
    assert len(updated.nodes) == 31


def test_a_plain_node_reading_a_template_output_is_refused(templates, reference):
    from kedro_dynamic_hooks import ProjectError

    report = node(lambda x: x, "preprocessed_shuttles", "shuttle_report", name="report_shuttles")
    default = Pipeline([*templates["__default__"].nodes, report])
    e = run_expand(reference, templates)
    with pytest.raises(ProjectError) as info:
        e.registry_updates({**templates, "__default__": default})
    assert info.value.path == "__default__"
    assert str(info.value).startswith(
        "Dynamic pipelines project check failed at '__default__' (in the pipeline registry): "
        "node 'report_shuttles' of __default__ reads 'preprocessed_shuttles', an output of "
        "template pipeline 'data_processing'. Templates run only as namespaced copies "
        "('price_predictor.preprocessed_shuttles', 'reviews_predictor.preprocessed_shuttles'), "
        "so nothing would write 'preprocessed_shuttles': the run would fail, or read a file "
        "left by an earlier run."
    )


def test_parameters_deep_merge_base_namespace_variant(templates, reference):
    original = copy.deepcopy(reference)
    params = run_expand(reference, templates).parameters
    c2 = params["price_predictor"]["candidate2"]["model_options"]
    assert c2["model"] == "sklearn.linear_model.Ridge"
    assert c2["model_params"] == {"alpha": 2.5}
    assert c2["target"] == "price" and c2["test_size"] == 0.2
    c1 = params["price_predictor"]["candidate1"]["model_options"]
    assert c1["features"] == [
        "engines",
        "passenger_capacity",
        "crew",
        "d_check_complete",
        "company_rating",
    ]
    rv = params["reviews_predictor"]["test1"]["model_options"]
    assert (rv["target"], rv["test_size"], rv["random_state"]) == ("review_scores_rating", 0.3, 3)
    assert params["model_options"] == reference["model_options"]
    assert reference == original  # the input is never mutated
    assert "dynamic_pipelines" not in params


def test_runtime_params_win_over_everything(templates, reference):
    runtime = {"price_predictor": {"candidate1": {"model_options": {"test_size": 0.3}}}}
    merged = {**reference, **runtime}  # what the config loader gives with --params
    params = run_expand(merged, templates, runtime_params=runtime).parameters
    assert params["price_predictor"]["candidate1"]["model_options"]["test_size"] == 0.3
    assert params["price_predictor"]["candidate1"]["model_options"]["target"] == "price"
    assert params["price_predictor"]["base"]["model_options"]["test_size"] == 0.2


def test_global_parameters_stay_global(templates):
    params = yaml.safe_load(
        """
        seed: 1
        model_options: {model: a}
        dynamic_pipelines:
          ns: {pipelines: [t], parameters: [seed], variants: {v: {}}}
        """
    )
    t = Pipeline([node(lambda s, m: s, ["params:seed", "params:model_options"], "out", name="n")])
    e = run_expand(params, {"t": t})
    assert e.pipelines["ns.v"].nodes[0].inputs == ["params:seed", "params:ns.v.model_options"]


CHAIN = """
month: 1
dynamic_pipelines:
  forecast:
    pipelines: [monthly]
    inputs: [sales]
    chain: {input: previous_state, output: state, initial: initial_state}
    variants:
      m1: {overrides: {month: 1}}
      m2: {overrides: {month: 2}}
      m3: {overrides: {month: 3}}
"""


def test_chain_wires_each_variant_to_the_previous_output(templates):
    e = run_expand(yaml.safe_load(CHAIN), templates)
    ins = {ns: e.pipelines[f"forecast.{ns}"].nodes[0].inputs[0] for ns in ("m1", "m2", "m3")}
    assert ins == {"m1": "initial_state", "m2": "forecast.m1.state", "m3": "forecast.m2.state"}
    order = [n.namespace for n in e.pipelines["forecast"].nodes]
    assert order == ["forecast.m1", "forecast.m2", "forecast.m3"]
    assert "forecast.m2.previous_state" not in e.datasets


def test_chain_order_can_be_explicit(templates):
    params = yaml.safe_load(CHAIN)
    params["dynamic_pipelines"]["forecast"]["chain"]["order"] = ["m3", "m1", "m2"]
    e = run_expand(params, templates)
    assert e.variants["forecast"] == ("m3", "m1", "m2")
    assert e.pipelines["forecast.m1"].nodes[0].inputs[0] == "forecast.m3.state"


def test_matrix_gives_stable_readable_names(templates, reference):
    ns = reference["dynamic_pipelines"]["price_predictor"]
    ns["matrix"] = {
        "parameters": {
            "model_options.model": {
                "ridge": "sklearn.linear_model.Ridge",
                "lasso": "sklearn.linear_model.Lasso",
            },
            "model_options.test_size": [0.2, 0.25],
        }
    }
    e = run_expand(reference, templates)
    assert e.variants["price_predictor"] == (
        "base",
        "candidate1",
        "candidate2",
        "candidate3",
        "model_ridge__test_size_0p2",
        "model_ridge__test_size_0p25",
        "model_lasso__test_size_0p2",
        "model_lasso__test_size_0p25",
    )
    combo = e.parameters["price_predictor"]["model_lasso__test_size_0p25"]["model_options"]
    assert (combo["model"], combo["test_size"], combo["target"]) == (
        "sklearn.linear_model.Lasso",
        0.25,
        "price",
    )


def test_collect_receives_every_variant(templates, reference):
    reference["report_options"] = {"metric": "r2"}
    reference["dynamic_pipelines"]["price_predictor"]["collect"] = {
        "pipeline": "reporting",
        "input": "metrics",
    }
    e = run_expand(reference, templates)
    (compare,) = [
        n for n in e.pipelines["price_predictor"].nodes if n.name == "price_predictor.compare"
    ]
    assert compare.inputs == [
        *(
            f"price_predictor.{v}.metrics"
            for v in ("base", "candidate1", "candidate2", "candidate3")
        ),
        "params:price_predictor.report_options",
    ]
    assert compare.tags == {"price_predictor"}
    result = compare.run({name: i for i, name in enumerate(compare.inputs)})
    assert result == {
        "price_predictor.comparison": {"base": 0, "candidate1": 1, "candidate2": 2, "candidate3": 3}
    }
    assert pickle.loads(pickle.dumps(compare)).func.variants == (
        "base",
        "candidate1",
        "candidate2",
        "candidate3",
    )


def test_catalog_templates_render_per_variant_and_namespace(templates, reference):
    ns = reference["dynamic_pipelines"]["price_predictor"]
    ns["catalog"]["model_input_table"] = {
        "type": "pandas.ParquetDataset",
        "filepath": "data/{namespace}/mit.pq",
    }
    e = run_expand(reference, templates)
    assert e.catalog["price_predictor.candidate2.regressor"] == {
        "type": "pickle.PickleDataset",
        "filepath": "data/06_models/price_predictor/candidate2/regressor.pickle",
        "versioned": True,
    }
    assert (
        e.catalog["price_predictor.model_input_table"]["filepath"] == "data/price_predictor/mit.pq"
    )
    assert (
        e.datasets["price_predictor.candidate2.regressor"].describe()
        == "'regressor' of price_predictor.candidate2"
    )


def test_many_variants_register_one_pipeline_each(templates):
    variants = {f"v{i}": {} for i in range(500)}
    params = {
        "model_options": {"model": "a"},
        "dynamic_pipelines": {"ns": {"pipelines": ["data_science"], "variants": variants}},
    }
    e = run_expand(params, templates)
    assert len(e.pipelines["ns"].nodes) == 500 * 4
    assert len(e.pipelines) == 501


def test_fast_copy_equals_kedros_validated_copy(templates):
    from kedro.pipeline.node import Node

    from kedro_dynamic_hooks._expansion.nodes import copy_node
    from kedro_dynamic_hooks._kedro_compat import node_inputs, node_outputs

    class Sub(Node):
        pass

    for template in templates["data_science"].nodes:
        mapping = {name: f"ns.v.{name}" for name in template.inputs + template.outputs}
        fast = copy_node(template, mapping, "ns.v", {"x"})
        sub = Sub(template.func, node_inputs(template), node_outputs(template), name=template.name)
        slow = copy_node(sub, mapping, "ns.v", {"x"})
        assert type(fast) is Node  # Node._copy also returns a plain Node
        for attr in (
            "name",
            "inputs",
            "outputs",
            "namespace",
            "tags",
            "confirms",
            "namespace_prefixes",
        ):
            assert getattr(fast, attr) == getattr(slow, attr)
        assert fast == slow and hash(fast) == hash(slow)


def test_keys_added_under_an_empty_base_mapping_are_listed(templates, reference):
    e = run_expand(reference, templates)
    assert e.added_keys == [
        "dynamic_pipelines.price_predictor.variants.candidate2.overrides.model_options.model_params.alpha",
        "dynamic_pipelines.price_predictor.variants.candidate3.overrides.model_options.model_params.max_depth",
    ]


def test_added_keys_are_listed_once_for_a_matrix(templates, reference):
    reference["dynamic_pipelines"]["price_predictor"]["matrix"] = {
        "parameters": {
            "model_options.model_params.alpha": [1, 2, 3],
            "model_options.test_size": [0.1, 0.2],
        }
    }
    e = run_expand(reference, templates)
    matrix_paths = [p for p in e.added_keys if ".matrix." in p]
    assert matrix_paths == [
        "dynamic_pipelines.price_predictor.matrix.parameters.model_options.model_params.alpha"
    ]


def test_default_pipeline_clash_is_our_error(templates, reference):
    from kedro_dynamic_hooks import ProjectError

    e = run_expand(reference, templates)
    with warnings.catch_warnings():  # Kedro warns about the dotted name we want here
        warnings.simplefilter("ignore")
        mine = node(lambda x: x, "companies", "price_predictor.model_input_table", name="mine")
    clash = Pipeline([mine])  # a node of the user's own that writes one of our datasets
    with pytest.raises(ProjectError, match="the expansion cannot join '__default__'"):
        e.registry_updates({**templates, "__default__": clash})
