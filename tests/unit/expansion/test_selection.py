"""Building only the variants a selection can touch gives the run exactly what
the full expansion and Kedro's filters give: the same nodes, parameters and
catalog entries (the groundwork of selective startup)."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import examples, f
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kedro.pipeline import Pipeline, node

from kedro_dynamic_hooks._declaration.schema import parse_declaration
from kedro_dynamic_hooks._expansion.expand import expand
from kedro_dynamic_hooks._expansion.neighbours import Neighbours, OwnNode
from kedro_dynamic_hooks._expansion.parameters import VariantParameters
from kedro_dynamic_hooks._expansion.selection import Selection, decide, needed, startup

VARIANTS = {
    "price_predictor": {"base", "candidate1", "candidate2", "candidate3"},
    "reviews_predictor": {"base", "test1"},
    "forecast": {"m1", "m2", "m3"},
}


def _selected(registry: dict[str, Pipeline], selection: Selection) -> Any:
    """What Kedro would run: the requested pipelines, filtered (or why not)."""
    names = list(selection.pipelines) or ["__default__"]
    if any(name not in registry for name in names):
        return "unknown pipeline"
    try:
        pipeline = Pipeline([registry[name] for name in names]).filter(
            tags=list(selection.tags) or None,
            node_names=list(selection.nodes) or None,
            node_namespaces=list(selection.namespaces) or None,
        )
    except ValueError:
        return "no node"
    return pipeline


def _param(parameters: dict[str, Any], dotted: str) -> Any:
    value: Any = parameters
    for part in dotted.split("."):
        value = value[part]
    return value


selections = st.builds(
    Selection,
    pipelines=st.lists(
        st.sampled_from(
            [
                "__default__",
                "price_predictor",
                "price_predictor.base",
                "reviews_predictor.test1",
                "forecast",
                "forecast.m2",
                "data_science",
            ]
        ),
        max_size=2,
        unique=True,
    ).map(tuple),
    namespaces=st.lists(
        st.sampled_from(
            [
                "price_predictor",
                "price_predictor.candidate1",
                "reviews_predictor",
                "forecast.m1",
                "reviews_predictor.base",
                "nosuch",
            ]
        ),
        max_size=2,
        unique=True,
    ).map(tuple),
    tags=st.lists(
        st.sampled_from(["base", "test1", "candidate2", "price_predictor", "m2", "sometag"]),
        max_size=2,
        unique=True,
    ).map(tuple),
    nodes=st.lists(
        st.sampled_from(
            [
                "price_predictor.base.split",
                "reviews_predictor.preprocess_companies",
                "price_predictor.compare",
                "forecast.m2.step",
                "reviews_predictor.test1.train",
            ]
        ),
        max_size=2,
        unique=True,
    ).map(tuple),
    follows_graph=st.booleans(),
)


# Five times the other properties' examples, a fifth of which must compare.
SELECTIONS = examples(5 / 3)  # 100 in the fast profile, 500 in the thorough one


@settings(
    max_examples=SELECTIONS,
    deadline=None,
    derandomize=True,  # the same examples in CI every time; explore with --hypothesis-seed
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(selection=selections)
def test_selective_build_equals_full_expansion_then_filter(templates, declared, selection):
    declaration = parse_declaration(declared["dynamic_pipelines"])
    full = expand(declaration, templates, declared)
    only = needed(selection, full.variants, chains={"forecast"})
    if only is None:
        return  # built whole: nothing to compare
    part = expand(declaration, templates, declared, only=only)
    COMPARED.append(selection)
    expected = _selected({**templates, **full.registry_updates(templates)}, selection)
    got = _selected({**templates, **part.registry_updates(templates)}, selection)
    if isinstance(expected, str) or isinstance(got, str):
        assert expected == got
        return
    assert sorted(n.name for n in got.nodes) == sorted(n.name for n in expected.nodes)
    for selected in got.nodes:
        for name in selected.inputs:
            if name.startswith("params:"):
                dotted = name[len("params:") :]
                assert _param(part.parameters, dotted) == _param(full.parameters, dotted)
    for name in got.datasets():
        assert part.catalog.get(name) == full.catalog.get(name), name


COMPARED: list[Selection] = []


def test_the_property_compared_many_selective_builds():
    if not COMPARED:
        pytest.skip("run together with test_selective_build_equals_full_expansion_then_filter")
    assert len(COMPARED) >= SELECTIONS // 5, len(COMPARED)


def test_the_mapping_of_each_filter():
    chains = {"forecast"}
    assert needed(Selection(namespaces=("price_predictor.candidate1",)), VARIANTS, chains) == {
        "price_predictor": frozenset({"candidate1"})
    }
    assert needed(Selection(tags=("base",)), VARIANTS, chains) == {
        "price_predictor": frozenset({"base"}),
        "reviews_predictor": frozenset({"base"}),
    }
    assert needed(Selection(pipelines=("reviews_predictor",)), VARIANTS, chains) == {
        "reviews_predictor": None
    }
    # Intersection across filters, and a chain is built whole.
    assert needed(
        Selection(namespaces=("price_predictor", "forecast"), tags=("candidate2", "m2")),
        VARIANTS,
        chains,
    ) == {"price_predictor": frozenset({"candidate2"}), "forecast": None}
    # A collect or shared node needs the whole namespace.
    assert needed(Selection(nodes=("price_predictor.compare",)), VARIANTS, chains) == {
        "price_predictor": None
    }
    # What cannot be mapped builds everything.
    for unmappable in (
        Selection(follows_graph=True),
        Selection(pipelines=("data_science",)),
        Selection(tags=("sometag",)),
        Selection(nodes=("plain_node",)),
    ):
        assert needed(unmappable, VARIANTS, chains) is None
    assert needed(Selection(), VARIANTS, chains) is None
    assert needed(Selection(pipelines=("__default__",)), VARIANTS, chains) is None


@pytest.mark.parametrize(
    ("selection", "reason"),
    [
        (
            Selection(follows_graph=True),
            "--from-nodes, --to-nodes, --from-inputs and --to-outputs follow the graph",
        ),
        (
            Selection(pipelines=("data_science",)),
            "pipeline 'data_science' is not one of the declaration's; a template or a pipeline "
            "of your own may read any variant's data",
        ),
        (
            Selection(pipelines=("price_predictor.nope",)),
            "pipeline 'price_predictor.nope' is not one of the declaration's; a template or a "
            "pipeline of your own may read any variant's data",
        ),
        (
            Selection(tags=("candidate1", "sometag")),
            "tag 'sometag' is on no node of the declaration's or yours",
        ),
        (Selection(nodes=("plain_node",)), "node 'plain_node' is not in a declared namespace"),
        (Selection(), "the run selects no pipeline, namespace, tag or node of the declaration"),
    ],
)
def test_why_everything_is_built(selection, reason):
    assert decide(selection, VARIANTS, {"forecast"}) == (None, reason)


def test_a_mapped_selection_gives_no_reason():
    need, reason = decide(Selection(tags=("m2",)), VARIANTS, {"forecast"})
    assert need == {"forecast": None} and reason == ""


def test_startup_summary_for_plan(declared):
    declaration = parse_declaration(declared["dynamic_pipelines"])
    one = startup(Selection(namespaces=("price_predictor.candidate1",)), declaration)
    assert one == {
        "selective": True,
        "built": {"price_predictor": ["candidate1"]},
        "variants_built": 1,
        "variants_declared": 9,
        "reason": "",
        "notes": [],
    }
    # One month asked for: the chain is built whole, and the summary says why.
    month = startup(Selection(tags=("m2",)), declaration)
    assert month["built"] == {"forecast": "all"} and month["variants_built"] == 3
    assert month["notes"] == [
        "forecast is a chain: every month is built, each reads the one before"
    ]
    # The whole chain asked for: nothing to explain.
    assert startup(Selection(namespaces=("forecast",)), declaration)["notes"] == []
    everything = startup(Selection(follows_graph=True), declaration)
    assert everything["selective"] is False and everything["variants_built"] == 9
    assert everything["built"] == dict.fromkeys(
        ["price_predictor", "reviews_predictor", "forecast"], "all"
    )


def test_a_partial_build_knows_every_declared_dataset_without_building_it(templates, declared):
    declaration = parse_declaration(declared["dynamic_pipelines"])
    full = expand(declaration, templates, declared)
    part = expand(
        declaration, templates, declared, only={"price_predictor": frozenset({"candidate1"})}
    )
    origins = part.declared_datasets
    assert origins is not None and len(origins) == len(full.datasets)
    assert dict(origins) == full.datasets
    assert "price_predictor.candidate1.regressor" in origins
    for missing in ("price_predictor.nope.regressor", "price_predictor.base.nope", "nope"):
        assert missing not in origins
        with pytest.raises(KeyError):
            origins[missing]


def test_variant_parameters_are_merged_when_first_read():
    values = VariantParameters(
        {"size": 1}, {"opts": {"a": 1, "b": 2}}, {"v1": {"opts": {"a": 5}}, "v2": {}}
    )
    assert list(values) == ["size", "v1", "v2"] and len(values) == 3
    assert values._merged == {}  # nothing merged until read
    assert values["v1"] == {"opts": {"a": 5, "b": 2}} and values["v1"] is values["v1"]
    assert set(values._merged) == {"v1"}
    assert values["size"] == 1 and "v2" in values and "nope" not in values
    with pytest.raises(KeyError):
        values["nope"]
    assert dict(values) == {
        "size": 1,
        "v1": {"opts": {"a": 5, "b": 2}},
        "v2": {"opts": {"a": 1, "b": 2}},
    }


# --- The registry around the templates (each class the oracle found) ---

AUDIT = OwnNode(
    "audit.check",
    "audit",
    frozenset({"candidate1"}),
    ("reviews_predictor.test1.metrics", "params:price_predictor"),
)


def test_a_template_nodes_own_tag_selects_every_variant_even_named_like_one():
    # `train` carries the tag 'candidate1' on every copy: --tags candidate1 runs all.
    around = Neighbours({"price_predictor": frozenset({"candidate1"})})
    assert needed(Selection(tags=("candidate1",)), VARIANTS, {"forecast"}, around) == {
        "price_predictor": None
    }
    # Named like another namespace, it selects that one too.
    around = Neighbours({"price_predictor": frozenset({"reviews_predictor"})})
    assert needed(Selection(tags=("reviews_predictor",)), VARIANTS, (), around) == {
        "price_predictor": None,
        "reviews_predictor": None,
    }


def test_a_hand_written_namespace_builds_what_its_nodes_read():
    around = Neighbours(own=(AUDIT,))
    assert decide(Selection(namespaces=("audit",)), VARIANTS, (), around) == (
        {"reviews_predictor": frozenset({"test1"}), "price_predictor": None},
        "",
    )
    # Selected by its tag, alongside the variant of that name.
    assert needed(Selection(tags=("candidate1",)), VARIANTS, (), around) == {
        "price_predictor": None,
        "reviews_predictor": frozenset({"test1"}),
    }
    # Not selected: nothing of it is built.
    assert needed(Selection(namespaces=("reviews_predictor.base",)), VARIANTS, (), around) == {
        "reviews_predictor": frozenset({"base"})
    }


def test_what_reads_every_parameter_builds_everything():
    around = Neighbours(whole_parameters="data_science: train")
    assert decide(Selection(namespaces=("price_predictor.base",)), VARIANTS, (), around) == (
        None,
        "template node data_science: train reads 'parameters', which holds every variant's",
    )
    reader = OwnNode("summary", None, frozenset({"base"}), ("parameters",))
    assert decide(Selection(tags=("base",)), VARIANTS, (), Neighbours(own=(reader,))) == (
        None,
        "node 'summary' reads 'parameters', every variant's",
    )


def test_neighbours_are_read_from_the_registry(templates):
    tagged = Pipeline(
        [n.tag(["candidate1"]) if n.name == "train" else n for n in templates["data_science"].nodes]
    )
    audit = Pipeline([node(f, "base_metrics", "audited", name="audit")])
    registry = {
        **templates,
        "data_science": tagged,
        "__default__": templates["__default__"] + audit,
    }
    around = Neighbours.of(
        {"price_predictor": ["data_processing", "data_science"]}, registry, lambda n: False
    )
    assert around.template_tags == {"price_predictor": frozenset({"candidate1"})}
    assert [n.name for n in around.own] == ["audit"]  # the bare template nodes are not its own
    assert around.whole_parameters is None


def test_a_template_only_one_namespace_uses_stays_a_template_in_a_partial_build(
    templates, declared
):
    declaration = parse_declaration(declared["dynamic_pipelines"])
    part = expand(declaration, templates, declared, only={"forecast": None})
    # 'reporting' is price_predictor's collect step only; that namespace is not built.
    assert "reporting" in part.templates and "price_predictor" not in part
    registry = {**templates, "__default__": templates["__default__"] + templates["reporting"]}
    default = part.registry_updates(registry)["__default__"]
    assert "compare" not in {n.name for n in default.nodes}
