"""Task groups: the expansion cut into orchestrator tasks (pure core, fast tier)."""

from __future__ import annotations

import warnings

import pytest
from kedro.pipeline import Pipeline

from kedro_dynamic_hooks import ProjectError
from kedro_dynamic_hooks._checks.groups import task_groups, topological
from kedro_dynamic_hooks._declaration.schema import parse_declaration
from kedro_dynamic_hooks._expansion.expand import expand


@pytest.fixture
def expansion(templates, declared):
    return expand(parse_declaration(declared["dynamic_pipelines"]), templates, declared)


def _registry(templates, expansion) -> dict[str, Pipeline]:
    return {**templates, **expansion.registry_updates(templates)}


def test_every_node_in_one_group_and_every_data_edge_covered(templates, expansion):
    pipeline = _registry(templates, expansion)["__default__"]
    groups = task_groups(pipeline, expansion)
    owner = {node: g.name for g in groups for node in g.nodes}
    assert sorted(owner) == sorted(n.name for n in pipeline.nodes)
    assert sum(len(g.nodes) for g in groups) == len(pipeline.nodes)
    position = {g.name: i for i, g in enumerate(groups)}
    ancestors: dict[str, set[str]] = {}
    for g in groups:  # dependency order: each group after the ones it waits for
        assert all(position[d] < position[g.name] for d in g.dependencies)
        ancestors[g.name] = set(g.dependencies).union(*(ancestors[d] for d in g.dependencies))
    producer = {out: owner[n.name] for n in pipeline.nodes for out in n.outputs}
    for node in pipeline.nodes:
        for dataset in node.inputs:
            if dataset in producer and producer[dataset] != owner[node.name]:
                assert producer[dataset] in ancestors[owner[node.name]], (dataset, node.name)


def test_the_groups_of_a_shared_step_variants_collect_and_chain(templates, expansion):
    groups = {
        g.name: g for g in task_groups(_registry(templates, expansion)["__default__"], expansion)
    }
    assert groups["price_predictor"].kind == "shared"
    assert groups["price_predictor"].nodes == (
        "price_predictor.preprocess_companies",
        "price_predictor.preprocess_shuttles",
        "price_predictor.create_model_input_table",
    )
    variant = groups["price_predictor.candidate1"]
    assert (variant.kind, variant.namespace, variant.variant) == (
        "variant",
        "price_predictor",
        "candidate1",
    )
    assert variant.dependencies == ("price_predictor",)
    assert variant.selection == {"namespaces": ["price_predictor.candidate1"]}
    assert variant.type == "namespace"
    collect = groups["price_predictor.collect"]
    assert collect.kind == "collect" and collect.nodes == ("price_predictor.compare",)
    assert set(collect.dependencies) == {
        f"price_predictor.{v}" for v in ("base", "candidate1", "candidate2", "candidate3")
    }
    assert collect.selection == {"node_names": ["price_predictor.compare"]}
    assert collect.type == "nodes"
    assert groups["forecast.m1"].dependencies == ()
    assert groups["forecast.m3"].dependencies == ("forecast.m2",)
    assert "forecast" not in groups  # no shared step
    assert groups["price_predictor.base"].as_dict() == {
        "name": "price_predictor.base",
        "kind": "variant",
        "namespace": "price_predictor",
        "variant": "base",
        "nodes": [f"price_predictor.base.{n}" for n in ("split", "train", "predict", "evaluate")],
        "dependencies": ["price_predictor"],
    }


def test_a_variant_named_collect_moves_the_collect_step_aside(templates, declared):
    declared["dynamic_pipelines"]["price_predictor"]["variants"]["collect"] = {}
    expansion = expand(parse_declaration(declared["dynamic_pipelines"]), templates, declared)
    names = [g.name for g in task_groups(expansion.pipelines["price_predictor"], expansion)]
    assert "price_predictor.collect" in names and "price_predictor.collect_step" in names


def test_nodes_outside_the_declaration_are_one_task_each(templates, expansion):
    from helpers import f
    from kedro.pipeline import node

    with warnings.catch_warnings():  # Kedro warns (once per process) about the dot
        warnings.simplefilter("ignore")
        own = Pipeline([node(f, "price_predictor.comparison", "summary", name="summarise")])
    groups = task_groups(Pipeline([expansion.pipelines["price_predictor"], own]), expansion)
    last = groups[-1]
    assert (last.name, last.kind, last.nodes) == ("summarise", "node", ("summarise",))
    assert last.dependencies == ("price_predictor.collect",)


def test_a_cycle_between_groups_is_refused_naming_it():
    with pytest.raises(ProjectError) as info:
        topological({"a": ["c"], "b": ["a"], "c": ["b"], "d": []})
    assert str(info.value) == (
        "Dynamic pipelines project check failed at 'a' (in the pipeline): task groups "
        "a -> b -> c -> a form a cycle: each writes a dataset the next one reads, so no order "
        "of tasks can run them. A shared or collect step that reads a variant's output (or the "
        "other way round) causes this; move the node into the template whose data it reads."
    )


def test_a_long_chain_needs_no_recursion():
    depends = {f"m{i}": [f"m{i - 1}"] if i else [] for i in range(5000)}
    assert topological(depends) == [f"m{i}" for i in range(5000)]


def test_groups_ready_together_keep_the_declarations_order(templates, reference):
    params = dict(reference)
    ns = dict(params["dynamic_pipelines"]["price_predictor"])
    # Kedro orders nodes by name: alpha_100p0 before alpha_10p0, z_last first of all.
    ns["variants"] = {"z_last": {}, **ns["variants"]}
    ns["matrix"] = {"parameters": {"model_options.model_params.alpha": [1.0, 10.0, 100.0]}}
    params["dynamic_pipelines"] = {**params["dynamic_pipelines"], "price_predictor": ns}
    expansion = expand(parse_declaration(params["dynamic_pipelines"]), templates, params)
    pipeline = _registry(templates, expansion)["__default__"]
    names = [g.name for g in task_groups(pipeline, expansion) if g.namespace == "price_predictor"]
    assert names == [
        "price_predictor",
        *(f"price_predictor.{v}" for v in expansion.variants["price_predictor"]),
    ]
    assert names.index("price_predictor.alpha_10p0") < names.index("price_predictor.alpha_100p0")
    assert names[1] == "price_predictor.z_last"


def test_the_declarations_order_holds_across_namespaces(templates, expansion):
    # forecast (declared last) has no shared step: its first month is ready at once,
    # yet every group of the namespaces declared before it comes first.
    names = [g.name for g in task_groups(_registry(templates, expansion)["__default__"], expansion)]
    declared = [g for g in names if g.split(".")[0] in expansion]
    first_forecast = declared.index(next(g for g in declared if g.startswith("forecast")))
    assert all(not g.startswith("forecast") for g in declared[:first_forecast])
    assert all(g.startswith("forecast") for g in declared[first_forecast:])


def test_a_transcoded_dataset_orders_its_reader_after_its_writer():
    from kedro.pipeline import node

    from kedro_dynamic_hooks._expansion.result import Expansion

    def identity(x):
        return x

    pipeline = Pipeline(
        [
            node(identity, "raw", "table@pandas", name="write"),
            node(identity, "table@spark", "out", name="read"),
        ]
    )
    empty = Expansion({}, parameters={})
    groups = {g.name: g.dependencies for g in task_groups(pipeline, empty)}
    assert groups == {"write": (), "read": ("write",)}
