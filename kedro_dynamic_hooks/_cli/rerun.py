"""``kedro dynamic status``, ``run --stale`` and ``compare``: re-run only what changed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from .._checks.catalog_index import CatalogIndex
from .._checks.table_writers import produced, producing
from .._constants import DEFAULT_PIPELINE
from .._declaration.names import did_you_mean
from .._errors import DynamicPipelinesError
from .._kedro_compat import split_params
from .._rerun import compare as comparing
from .._rerun.journal import state_path
from .._rerun.stale import FilterError, check_filters, group_statuses, selected, with_upstream
from .._rerun.status import GroupStatus
from .._runtime.reporting import first_line, reported
from .._runtime.session import Project, open_project
from .options import (
    env_option,
    json_option,
    namespaces_option,
    output_option,
    params_option,
    quiet,
    tags_option,
    write,
)

_group_tags = tags_option(
    "Only task groups with a node of these tags (namespace or variant names)."
)


def _statuses(
    project: Project, env: str | None, namespaces: Sequence[str], tags: Sequence[str]
) -> tuple[list[GroupStatus], list[GroupStatus]]:
    """Every group's status, in dependency order, and those the filters select."""
    pipeline = project.pipelines[DEFAULT_PIPELINE]
    root = str(project.project_path)
    found = group_statuses(
        pipeline,
        project.expansion,
        project.loader["parameters"],
        project.loader["catalog"],
        project_path=root,
        journal=state_path(root, env or project.context.env),
    )
    try:
        return found, selected(found, pipeline, project.expansion, namespaces, tags)
    except FilterError as exc:
        raise click.ClickException(str(exc)) from exc


def _filters(namespaces: Sequence[str], tags: Sequence[str]) -> str:
    shown = [f"--namespaces {','.join(namespaces)}"] if namespaces else []
    return " ".join([*shown, *([f"--tags {','.join(tags)}"] if tags else [])])


@click.command()
@env_option
@params_option
@namespaces_option("Only these namespaces or variants (ns or ns.variant), comma separated.")
@_group_tags
@json_option
@output_option("Write the JSON to this file (Kedro itself logs to stdout).")
def status(
    env: str | None,
    params: dict[str, Any],
    namespaces: list[str],
    tags: list[str],
    as_json: bool,
    output: Path | None,
) -> None:
    """Show, per task group, whether its last run still matches the project, and
    why not: parameters, code or inputs changed, outputs missing, never run, failed."""
    as_json = as_json or output is not None
    with quiet(as_json), open_project(env, params) as project:
        _, found = _statuses(project, env, namespaces, tags)
    if as_json:
        text = json.dumps([s.as_dict() for s in found], indent=2) + "\n"
        if output is not None:
            write(output, text)
        else:
            click.echo(text, nl=False)
        return
    table = Table(title="Task groups, in dependency order", title_justify="left")
    for column in ("group", "kind", "state"):
        table.add_column(column, overflow="fold")
    for item in found:
        table.add_row(item.group.name, item.group.kind, item.summary)
    console = Console()
    console.print(table)
    stale = sum(1 for s in found if s.stale)
    command = " ".join(["kedro dynamic run --stale", _filters(namespaces, tags)]).strip()
    console.print(
        f"{stale} of {len(found)} group(s) stale." + (f" '{command}' runs them." if stale else ""),
        highlight=False,
    )


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
@_group_tags
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
    if stale:
        _run_stale(env, params, namespaces, tags, runner, dry_run, options)
    else:
        _run_tables_first(env, params, namespaces, tags, runner, dry_run, options)


def _run_stale(
    env: str | None,
    params: dict[str, Any],
    namespaces: list[str],
    tags: list[str],
    runner: str | None,
    dry_run: bool,
    options: list[str],
) -> None:
    """Run exactly the stale task groups (see 'kedro dynamic status'), and the
    stale groups they read from, as one kedro run of their nodes."""
    with open_project(env, params) as project:
        found, chosen = _statuses(project, env, namespaces, tags)
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
    _echo_run(nodes, options)
    if not dry_run:
        _run_nodes(nodes, env, params, runner)


def _run_tables_first(
    env: str | None,
    params: dict[str, Any],
    namespaces: list[str],
    tags: list[str],
    runner: str | None,
    dry_run: bool,
    options: list[str],
) -> None:
    """Two sessions: the writers of the selected namespaces' tables (and what they
    read), then the selected nodes of a project read again, writers left out."""
    wanted = {name.split(".")[0] for name in namespaces}
    with open_project(env, params) as project:
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
        _echo_run(first, options)
        if dry_run:
            click.echo("2. Then the variants of what they wrote (known once they are written).")
            return
        _run_nodes(first, env, params, runner)
    with open_project(env, params) as project:  # the tables as just written
        whole = project.pipelines[DEFAULT_PIPELINE]
        try:
            chosen = whole.filter(tags=tags or None, node_namespaces=namespaces or None)
        except ValueError as exc:
            raise click.ClickException(
                f"{_filters(namespaces, tags)} select no node: {first_line(exc)}"
            ) from exc
        rest = [n.name for n in chosen.nodes if n.name not in set(first)]
    if not rest:
        click.echo("Nothing else to run.")
        return
    if first:
        click.echo("2. Then the rest:")
    _echo_run(rest, options)
    if not dry_run:
        _run_nodes(rest, env, params, runner)


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


@click.command()
@env_option
@params_option
@click.argument("dataset")
@namespaces_option("Only these namespaces or variants, comma separated.")
@click.option(
    "--sort", "sort_key", type=str, default=None, help="Sort by this column (-col: descending)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(comparing.FORMATS),
    default="table",
    show_default=True,
)
@click.option(
    "--params-columns",
    is_flag=True,
    help="Add the parameters that vary between the variants as params:<key> columns.",
)
@output_option("Write the csv, json or markdown to this file (Kedro itself logs to stdout).")
def compare(
    env: str | None,
    params: dict[str, Any],
    dataset: str,
    namespaces: list[str],
    sort_key: str | None,
    fmt: str,
    params_columns: bool,
    output: Path | None,
) -> None:
    """Load DATASET of every variant (e.g. metrics) and print one table.

    Each variant's value must be one row: a dict, JSON metrics, a one-row frame
    or a single value. Variants that have not written it yet are listed apart.
    With --params-columns, the parameters that vary are columns too.
    """
    if output is not None and fmt == "table":
        raise click.UsageError("--output writes csv, json or markdown: add --format.")
    with quiet(), open_project(env, params) as project:  # keep csv/json/markdown clean
        expansion = project.expansion
        try:
            variants = [f"{ns}.{v}" for ns, vs in expansion.variants.items() for v in vs]
            check_filters(expansion, project.pipelines[DEFAULT_PIPELINE], variants, namespaces, ())
            config = project.loader["catalog"]
            persisted = CatalogIndex(config)
            names = comparing.variant_datasets(
                expansion,
                persisted,
                dataset,
                namespaces,
                lambda name: comparing.can_be_a_row(config.get(name) or persisted.resolve(name)),
            )
            rows, not_run, unreadable = comparing.load_rows(project.context.catalog, names)
            if params_columns:
                expanded = project.loader["parameters"]
                rows = comparing.with_parameters(
                    rows,
                    lambda variant: expanded[variant.split(".", 1)[0]][variant.split(".", 1)[1]],
                    {
                        k: v
                        for k, v in project.base.items()
                        if k != project.key and k not in expansion.variants
                    },
                )
            rows = comparing.sort_rows(rows, sort_key)
        except ValueError as exc:  # FilterError, or a value that is not one row
            if isinstance(exc, DynamicPipelinesError):
                raise
            raise click.ClickException(str(exc)) from exc
    if fmt == "table":
        table = Table(title=f"{dataset} of {len(rows)} variant(s)", title_justify="left")
        columns = comparing.columns_of(rows)
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*(comparing.shown(row.get(c)) for c in columns))
        Console().print(table)
    elif output is not None:
        write(output, comparing.render(rows, fmt))
    else:
        click.echo(comparing.render(rows, fmt), nl=False)
    if not_run:
        click.echo(f"Not written yet: {', '.join(not_run)}.", err=True)
    if unreadable:
        raise click.ClickException(
            f"{len(unreadable)} variant(s) wrote '{dataset}' but it cannot be read: "
            f"{'; '.join(unreadable)}. Re-run them, e.g. 'kedro dynamic run --stale'."
        )


COMMANDS = (status, run, compare)
