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

from .._expansion.selection import Selection

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


def run_selection() -> Selection | None:
    """What this run selects, or ``None`` when that cannot be known: build all.

    Read from the ``run`` command's click context, the only place ``kedro
    run``'s flags are known before Kedro builds the catalog, or from
    :func:`selecting`. Anything else (``KedroSession.run`` alone, other
    commands, a project's own ``run`` without Kedro's flags) builds everything.
    """
    announced = _announced.get()
    if announced is not None:
        return announced
    ctx = click.get_current_context(silent=True)
    if ctx is None or ctx.info_name != "run" or ctx.parent is None or ctx.parent.parent:
        return None  # not Kedro's top-level `kedro run` (e.g. `kedro viz run`)
    params = ctx.params
    if not {"pipelines", "namespaces", "tags", "node_names"} <= params.keys():
        return None
    return Selection.from_flags(params)


def flags_are_kedros() -> bool:
    """Whether the run's flags reach ``KedroSession.run`` as given: announced with
    :func:`selecting`, or Kedro's own ``run`` command (a project's ``cli.py`` may
    define its own, which can rewrite them)."""
    if _announced.get() is not None:
        return True
    ctx = click.get_current_context(silent=True)
    callback = getattr(getattr(ctx, "command", None), "callback", None)
    return getattr(callback, "__module__", "").startswith("kedro.framework.cli")


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
