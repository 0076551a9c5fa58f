"""The ``kedro`` command around the hook: what a run selected, and how it was asked for.

``KedroSession.run`` tells no hook its ``--namespaces``, ``--tags`` or
``--nodes`` before the catalog is built. Under the CLI, the ``run`` command's
click context holds them (checked against Kedro 1.3 and 1.7: ``ctx.info_name``
is ``run``, its parent is the root ``kedro`` group, and ``ctx.params`` holds the
parsed flags); from Python there is nothing to read.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import click

from .._constants import DEFAULT_PIPELINE
from .._declaration.schema import Declaration
from .._expansion.selection import Needed, Selection, decide

_announced: contextvars.ContextVar[Selection | None] = contextvars.ContextVar(
    "kedro_dynamic_hooks_selection", default=None
)


@contextlib.contextmanager
def selecting(
    *,
    pipelines: Iterable[str] = (),
    namespaces: Iterable[str] = (),
    tags: Iterable[str] = (),
    nodes: Iterable[str] = (),
) -> Iterator[None]:
    """Tell the hook what the ``KedroSession.run`` inside will select, so that
    only those variants are built (what ``kedro run``'s flags do by themselves).

    Give the same selection to ``session.run``. Before the first node the hook
    checks that the run selects nothing outside what was built, and refuses
    the run otherwise, so a mismatch cannot skip a node silently::

        with selecting(namespaces=["price_predictor.candidate1"]):
            with KedroSession.create() as session:
                session.run(namespaces=["price_predictor.candidate1"])
    """
    token = _announced.set(
        Selection(tuple(pipelines), tuple(namespaces), tuple(tags), tuple(nodes))
    )
    try:
        yield
    finally:
        _announced.reset(token)


def run_selection(declaration: Declaration) -> Needed | None:
    """The variants this run can touch, or ``None`` to build all.

    Read from the ``run`` command's click context, the only place ``kedro
    run``'s flags are known before Kedro builds the catalog, or from
    :func:`selecting`. Anything else (``KedroSession.run`` alone, other
    commands, a project's own ``run`` without Kedro's flags) builds everything.
    """
    announced = _announced.get()
    if announced is not None:
        return mapped(announced, declaration)
    ctx = click.get_current_context(silent=True)
    if ctx is None or ctx.info_name != "run" or ctx.parent is None or ctx.parent.parent:
        return None  # not Kedro's top-level `kedro run` (e.g. `kedro viz run`)
    params = ctx.params
    if not {"pipelines", "namespaces", "tags", "node_names"} <= params.keys():
        return None

    def given(*names: str) -> tuple[str, ...]:
        found: list[str] = []
        for name in names:
            value = params.get(name)
            if isinstance(value, str) and value:
                found.append(value)
            elif isinstance(value, (list, tuple)):
                found.extend(str(v) for v in value if v)
        return tuple(found)

    selection = Selection(
        pipelines=given("pipelines", "pipeline"),
        namespaces=given("namespaces"),
        tags=given("tags"),
        nodes=given("node_names"),
        follows_graph=bool(given("from_nodes", "to_nodes", "from_inputs", "to_outputs")),
    )
    return mapped(selection, declaration)


def mapped(selection: Selection, declaration: Declaration) -> Needed | None:
    """A selection mapped to the declaration's variants (``None``: all)."""
    return _decide(selection, declaration)[0]


def _decide(selection: Selection, declaration: Declaration) -> tuple[Needed | None, str]:
    namespaces = declaration.namespaces
    return decide(
        selection,
        {name: spec.variant_overrides for name, spec in namespaces.items()},
        chains={name for name, spec in namespaces.items() if spec.chain is not None},
    )


def startup(selection: Selection, declaration: Declaration) -> dict[str, Any]:
    """What a ``kedro run`` with this selection builds at startup, and why.

    Returns:
        ``selective``; ``built`` (namespace -> the variants built, or ``"all"``);
        ``variants_built`` and ``variants_declared``; ``reason`` (why everything
        is built, or ``""``); ``notes`` (namespaces built whole, and why).
    """
    need, reason = _decide(selection, declaration)
    # What the flags alone select, before a chain is widened to every month.
    namespaces = declaration.namespaces
    asked = decide(selection, {n: s.variant_overrides for n, s in namespaces.items()}, ())[0]
    declared = {ns: tuple(spec.variant_overrides) for ns, spec in declaration.namespaces.items()}
    total = sum(len(names) for names in declared.values())
    if need is None:
        return {
            "selective": False,
            "built": dict.fromkeys(declared, "all"),
            "variants_built": total,
            "variants_declared": total,
            "reason": reason,
            "notes": [],
        }
    built: dict[str, Any] = {}
    notes = []
    for ns, names in need.items():
        if names is None:
            built[ns] = "all"
            if namespaces[ns].chain is not None and (asked or {}).get(ns) is not None:
                notes.append(f"{ns} is a chain: every month is built, each reads the one before")
        else:
            built[ns] = [name for name in declared[ns] if name in names]
    return {
        "selective": True,
        "built": built,
        "variants_built": sum(
            len(declared[ns]) if names == "all" else len(names) for ns, names in built.items()
        ),
        "variants_declared": total,
        "reason": "",
        "notes": notes,
    }


def selection_of(run_params: Mapping[str, Any]) -> Selection:
    """The selection of a run, from Kedro's ``run_params`` (``before_pipeline_run``)."""

    def given(name: str) -> tuple[str, ...]:
        value = run_params.get(name)
        if isinstance(value, str):
            return (value,) if value else ()
        return tuple(str(v) for v in value or () if v)

    pipelines = given("pipeline_names")
    return Selection(
        pipelines=() if pipelines == (DEFAULT_PIPELINE,) else pipelines,
        namespaces=given("namespaces") or given("namespace"),
        tags=given("tags"),
        nodes=given("node_names"),
        follows_graph=bool(
            given("from_nodes") or given("to_nodes") or given("from_inputs") or given("to_outputs")
        ),
    )


def describe_run(run_params: Mapping[str, Any]) -> str:
    """``kedro run --namespaces a --tags b``, as the run was asked for."""
    flags = [
        ("--pipelines", run_params.get("pipeline_names")),
        ("--namespaces", run_params.get("namespaces")),
        ("--tags", run_params.get("tags")),
        ("--nodes", run_params.get("node_names")),
        ("--from-nodes", run_params.get("from_nodes")),
        ("--to-nodes", run_params.get("to_nodes")),
    ]
    shown = [f"{flag} {','.join(value)}" for flag, value in flags if value]
    return " ".join(["kedro run", *shown])
