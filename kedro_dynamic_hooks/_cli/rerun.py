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
from .._constants import DEFAULT_PIPELINE
from .._errors import DynamicPipelinesError
from .._rerun import compare as comparing
from .._rerun.journal import read_state, state_path
from .._rerun.orphans import Orphan, orphans
from .._rerun.stale import FilterError, check_filters, group_statuses, selected
from .._rerun.status import GroupStatus
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

group_tags = tags_option("Only task groups with a node of these tags (namespace or variant names).")


def statuses_for(
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


def shown_filters(namespaces: Sequence[str], tags: Sequence[str]) -> str:
    shown = [f"--namespaces {','.join(namespaces)}"] if namespaces else []
    return " ".join([*shown, *([f"--tags {','.join(tags)}"] if tags else [])])


@click.command()
@env_option
@params_option
@namespaces_option("Only these namespaces or variants (ns or ns.variant), comma separated.")
@group_tags
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
        every, found = statuses_for(project, env, namespaces, tags)
        left = _orphans(project, env, every, namespaces)
    if as_json:
        rows = [*(s.as_dict() for s in found), *(o.as_dict() for o in left)]
        text = json.dumps(rows, indent=2) + "\n"
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
    command = " ".join(["kedro dynamic run --stale", shown_filters(namespaces, tags)]).strip()
    console.print(
        f"{stale} of {len(found)} group(s) stale." + (f" '{command}' runs them." if stale else ""),
        highlight=False,
    )
    if left:
        console.print(
            f"{len(left)} variant(s) no longer declared (a row removed from a table, or a "
            "variant from the YAML); their outputs are kept, delete them if unwanted:",
            highlight=False,
        )
        for orphan in left:
            console.print(
                f"  {orphan.group}: {', '.join(orphan.paths) or 'no file left'}",
                highlight=False,
                soft_wrap=True,
            )


def _orphans(
    project: Project, env: str | None, every: Sequence[GroupStatus], namespaces: Sequence[str]
) -> list[Orphan]:
    declaration = project.expansion.declaration
    if declaration is None:
        return []
    root = str(project.project_path)
    state = read_state(state_path(root, env or project.context.env), warn=False)
    found = orphans(state, declaration, {s.group.name for s in every}, root)
    wanted = {name.split(".")[0] for name in namespaces}
    return [o for o in found if not wanted or o.group.split(".")[0] in wanted]


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


COMMANDS = (status, compare)
