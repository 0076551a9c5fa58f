"""``kedro dynamic run``: the project with its tables written first, or only what is stale."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import click

from .._checks.table_writers import produced, producing
from .._constants import DEFAULT_PIPELINE
from .._declaration.names import did_you_mean
from .._errors import DynamicPipelinesError
from .._kedro_compat import split_params
from .._rerun.stale import with_upstream
from .._runtime.reporting import first_line, reported
from .._runtime.session import open_project
from .options import env_option, namespaces_option
from .rerun import group_tags, shown_filters, statuses_for


@dataclass(frozen=True)
class Flags:
    """What ``kedro dynamic run`` was given; ``options`` are the ``kedro run`` flags
    it passes on (shown in the command it prints)."""

    env: str | None
    params: dict[str, Any]
    namespaces: list[str]
    tags: list[str]
    runner: str | None
    dry_run: bool
    options: list[str]


@click.command(name="run")
@env_option
@click.option(
    "--params",
    "raw_params",
    type=str,
    default="",
    help="Like kedro run --params; passed on to the run, and used to decide what is stale.",
)
@namespaces_option("Only these namespaces or variants (ns or ns.variant), comma separated.")
@group_tags
@click.option("--stale", is_flag=True, help="Run only the stale task groups.")
@click.option("--runner", "-r", type=str, default=None, help="Like kedro run --runner.")
@click.option("--dry-run", is_flag=True, help="Print what would run, and run nothing.")
def run(
    env: str | None,
    raw_params: str,
    namespaces: list[str],
    tags: list[str],
    stale: bool,
    runner: str | None,
    dry_run: bool,
) -> None:
    """Run the project, tables first: the nodes that write a 'variants_from' table,
    then the variants of what they wrote (with --stale: only the stale task groups)."""
    params = split_params(click.get_current_context(), None, raw_params)
    options = [
        *(["--env", env] if env else []),
        *(["--params", raw_params] if raw_params else []),
        *(["--runner", runner] if runner else []),
    ]
    flags = Flags(env, params, namespaces, tags, runner, dry_run, options)
    if stale:
        _run_stale(flags)
    else:
        _run_tables_first(flags)


def _run_stale(flags: Flags) -> None:
    """Run exactly the stale task groups (see 'kedro dynamic status'), and the
    stale groups they read from, as one kedro run of their nodes."""
    with open_project(flags.env, flags.params) as project:
        found, chosen = statuses_for(project, flags.env, flags.namespaces, flags.tags)
    todo = with_upstream(found, chosen)
    if not todo:
        click.echo(f"Nothing is stale: {len(chosen)} task group(s) up to date.")
        return
    nodes = [node for s in todo for node in s.group.nodes]
    extra = len(todo) - sum(1 for s in chosen if s.stale)
    click.echo(
        f"{len(todo)} of {len(found)} task group(s) stale: "
        f"{', '.join(s.group.name for s in todo)}."
        + (f" ({extra} of them because the selected groups read from them.)" if extra else "")
    )
    _run(nodes, flags)


def _run_tables_first(flags: Flags) -> None:
    """Two sessions: the writers of the selected namespaces' tables (and what they
    read), then the selected nodes of a project read again, writers left out."""
    wanted = {name.split(".")[0] for name in flags.namespaces}
    with open_project(flags.env, flags.params) as project:
        whole = project.pipelines[DEFAULT_PIPELINE]
        declaration = project.expansion.declaration
        known = sorted({(n.namespace or "").split(".")[0] for n in whole.nodes} - {""})
        for name in sorted(wanted - set(known)):
            raise click.ClickException(
                f"--namespaces {name} selects no node. Namespaces: {', '.join(known)}."
                f"{did_you_mean(name, known)}"
            )
        written = [
            t
            for t in (produced(declaration, whole) if declaration is not None else [])
            if not wanted or t.namespace in wanted
        ]
        first = [n.name for n in producing(whole, written).nodes]
    if first:
        shown = ", ".join(f"'{t.dataset}' (node '{t.writer}')" for t in written)
        click.echo(f"1. Writing the variant table(s) {shown}:")
        _echo_run(first, flags.options)
        if flags.dry_run:
            click.echo("2. Then the variants of what they wrote (known once they are written).")
            return
        _run_nodes(first, flags.env, flags.params, flags.runner)
    with open_project(flags.env, flags.params) as project:  # the tables as just written
        whole = project.pipelines[DEFAULT_PIPELINE]
        try:
            chosen = whole.filter(tags=flags.tags or None, node_namespaces=flags.namespaces or None)
        except ValueError as exc:
            raise click.ClickException(
                f"{shown_filters(flags.namespaces, flags.tags)} select no node: {first_line(exc)}"
            ) from exc
        rest = [n.name for n in chosen.nodes if n.name not in set(first)]
    if not rest:
        click.echo("Nothing else to run.")
        return
    if first:
        click.echo("2. Then the rest:")
    _run(rest, flags)


def _run(nodes: list[str], flags: Flags) -> None:
    """Print the ``kedro run --nodes`` this is, then run it (not with --dry-run)."""
    _echo_run(nodes, flags.options)
    if not flags.dry_run:
        _run_nodes(nodes, flags.env, flags.params, flags.runner)


def _echo_run(nodes: list[str], options: list[str]) -> None:
    shown = ",".join(nodes) if len(nodes) <= 20 else f"<{len(nodes)} nodes>"
    click.echo(" ".join(["kedro run --nodes", shown, *options]))


def _run_nodes(
    nodes: list[str], env: str | None, params: dict[str, Any], runner: str | None
) -> None:
    """``kedro run --nodes ...`` in this process: no command-line length limit for
    thousands of nodes, and the hook builds only what they need."""
    from kedro.framework.project import settings
    from kedro.framework.session import KedroSession
    from kedro.utils import load_obj

    from .._runtime.selecting import selecting

    try:
        runner_class = load_obj(runner or "SequentialRunner", "kedro.runner")
    except (AttributeError, ModuleNotFoundError, ValueError) as exc:
        raise click.ClickException(f"Unknown runner '{runner}': {exc}.") from exc
    session_class = settings.SESSION_CLASS
    if not issubclass(session_class, KedroSession):
        session_class = KedroSession  # a serving session takes --params per run
    with (
        selecting(nodes=nodes),
        session_class.create(env=env, runtime_params=params or None) as session,
    ):
        try:
            session.run(node_names=nodes, runner=runner_class())
        except DynamicPipelinesError as exc:
            raise reported(exc) from exc


COMMANDS = (run,)
