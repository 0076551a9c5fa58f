"""Chains and collect steps wired through transcoded names, a chain's initial
dataset as written, and integer matrix labels."""

from __future__ import annotations

from bad_declarations import ns
from kedro.pipeline import Pipeline, node

from kedro_dynamic_hooks._declaration.schema import parse_declaration
from kedro_dynamic_hooks._expansion.expand import expand


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


def test_integer_matrix_labels_name_the_combinations(templates, reference):
    ns(reference)["variants"] = {}
    ns(reference)["matrix"] = {"parameters": {"model_options.random_state": {1: 1, 2: 2}}}
    e = expand(parse_declaration(reference["dynamic_pipelines"]), templates, reference)
    assert e.variants["price_predictor"] == ("random_state_1", "random_state_2")
