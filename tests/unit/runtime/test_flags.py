"""``check_flags``: a ``kedro run`` flag that names nothing is refused in one line,
with Kedro's matching rules (a namespace matches its dotted prefixes, tags are
any-of), before Kedro's traceback."""

from __future__ import annotations

import pytest
from kedro.pipeline import Pipeline, node

from kedro_dynamic_hooks import SelectionError
from kedro_dynamic_hooks._expansion.selection import Selection
from kedro_dynamic_hooks._runtime.flags import check_flags


def _identity(x):
    return x


def _node(name: str, namespace: str | None = None, tags: tuple[str, ...] = ()):
    data = f"{namespace or ''}_{name}".replace(".", "_")
    return node(
        _identity, f"{data}_in", f"{data}_out", name=name, tags=list(tags), namespace=namespace
    )


REGISTRY = {
    "__default__": Pipeline(
        [
            _node("train", "price_predictor.first", ("first", "price_predictor")),
            _node("train", "price_predictor.second", ("second", "price_predictor")),
            _node("report", None, ("reporting",)),
        ]
    ),
    "reporting": Pipeline([_node("report", None, ("reporting",))]),
}
DECLARED = ["price_predictor", "price_predictor.first", "price_predictor.second"]


def check(**flags):
    return check_flags(
        Selection(**flags), REGISTRY, lambda: DECLARED, lambda: [*REGISTRY, "data_processing"]
    )


@pytest.mark.parametrize(
    "flags",
    [
        {},
        {"namespaces": ("price_predictor",)},
        {"namespaces": ("price_predictor.first",)},
        {"tags": ("first",)},
        {"tags": ("reporting", "second")},
        {"nodes": ("report",)},
        {"pipelines": ("reporting",), "tags": ("reporting",)},
        {"namespaces": ("price_predictor",), "tags": ("second",)},
        # --from-nodes follows the graph: the intersection is Kedro's to check
        {"tags": ("reporting",), "namespaces": ("price_predictor",), "follows_graph": True},
    ],
)
def test_flags_that_select_something_pass_without_warning(flags):
    assert check(**flags) == []


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            {"tags": ("forst",)},
            "Nothing to run at '--tags': no node carries the tag 'forst'. Did you mean "
            "'first'? Tags are namespace and variant names, and your nodes' own tags: "
            "first, price_predictor, reporting, second.",
        ),
        (
            {"namespaces": ("price_predictor.forst",)},
            "Nothing to run at '--namespaces': no node is in namespace "
            "'price_predictor.forst'. Did you mean 'price_predictor.first'? Namespaces: "
            "price_predictor, price_predictor.first, price_predictor.second.",
        ),
        (
            {"namespaces": ("price",)},  # a namespace is matched whole, not as a prefix
            "Nothing to run at '--namespaces': no node is in namespace 'price'.",
        ),
        (
            {"pipelines": ("reportin",)},
            "Nothing to run at '--pipelines': 'reportin' is not a registered pipeline. Did "
            "you mean 'reporting'? Pipelines: __default__, data_processing, price_predictor, "
            "price_predictor.first, price_predictor.second, reporting.",
        ),
        (
            {"nodes": ("price_predictor.frist.train",)},
            "Nothing to run at '--nodes': no node is named 'price_predictor.frist.train'. "
            "Did you mean 'price_predictor.first.train'?",
        ),
        (
            {"pipelines": ("reporting",), "tags": ("first",)},
            "Nothing to run at '--tags': no node of reporting carries the tag 'first'.",
        ),
        (
            {"namespaces": ("price_predictor.first",), "tags": ("second",)},
            "Nothing to run at '--namespaces --tags': the filters together leave no node: "
            "each selects some, but no node has them all.",
        ),
    ],
)
def test_flags_that_name_nothing_are_refused_in_one_line(flags, message):
    with pytest.raises(SelectionError) as info:
        check(**flags)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_a_tag_on_no_node_beside_one_that_selects_is_a_warning():
    # Kedro runs what 'second' selects; the typo is still worth saying.
    assert check(tags=("second", "forst")) == [
        "--tags forst: no node carries it. Did you mean 'first'? Running what the other "
        "tags select."
    ]


def test_a_variant_typo_in_pipelines_suggests_the_variant_even_before_it_is_registered():
    # A partial build registers some variants only; loading every pipeline drops them.
    with pytest.raises(SelectionError) as info:
        check_flags(
            Selection(pipelines=("price_predictor.secnd",)),
            REGISTRY,
            lambda: DECLARED,
            lambda: ["__default__", "reporting"],
        )
    assert "Did you mean 'price_predictor.second'?" in str(info.value)
    assert "price_predictor.first" in str(info.value)  # listed among the pipelines


def test_a_template_run_bare_is_a_warning_naming_its_namespaces():
    registry = {**REGISTRY, "data_science": REGISTRY["reporting"]}
    warnings = check_flags(
        Selection(pipelines=("data_science",)),
        registry,
        lambda: DECLARED,
        lambda: list(registry),
        {"data_science": ["price_predictor", "reviews"]},
    )
    assert warnings == [
        "--pipelines data_science runs template 'data_science' bare, with the root "
        "parameters, not as a variant; '--pipelines price_predictor' runs the variants of "
        "price_predictor, reviews."
    ]
