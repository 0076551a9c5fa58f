"""The ``kedro`` command around the hook: what a run selected, and how it was asked for.

``KedroSession.run`` tells no hook its ``--namespaces``, ``--tags`` or
``--nodes`` before the catalog is built. Under the CLI, the ``run`` command's
click context holds them (checked against Kedro 1.3 and 1.7: ``ctx.info_name``
is ``run``, its parent is the root ``kedro`` group, and ``ctx.params`` holds the
parsed flags); from Python there is nothing to read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from ._schema import Declaration
from ._selection import Needed, Selection, needed


def run_selection(declaration: Declaration) -> Needed | None:
    """The variants ``kedro run``'s flags can touch, or ``None`` to build all.

    Read from the ``run`` command's click context, the only place the
    selection is known before Kedro builds the catalog. Anything else (Python's
    ``KedroSession.run``, other commands, a project's own ``run`` without
    Kedro's flags) builds everything.
    """
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
    namespaces = declaration.namespaces
    return needed(
        selection,
        {name: spec.variant_overrides for name, spec in namespaces.items()},
        chains={name for name, spec in namespaces.items() if spec.chain is not None},
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
