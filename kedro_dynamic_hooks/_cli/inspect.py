"""``kedro dynamic list``, ``plan``, ``validate`` and ``schema``: inspect without running."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from kedro.framework.cli.utils import split_node_names, split_string
from rich.console import Console
from rich.table import Table
from rich.tree import Tree

from .._checks.policy import Verdict, verdict
from .._constants import DEFAULT_KEY, DEFAULT_PIPELINE
from .._declaration.schema import parameters_schema
from .._deploy.dagster import renamed_by_kedro_dagster
from .._errors import DynamicPipelinesError
from .._runtime.config import original
from .._runtime.producers import table_notes
from .._runtime.report import UnknownSelection, namespace_summaries, plan_report
from .._runtime.session import open_project
from .._runtime.sources import declaration_source
from .._runtime.tables import pending_tables
from .._runtime.verdicts import checking_everything
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

SCHEMA_FILE = "dynamic_pipelines.schema.json"


@click.command(name="list")
@env_option
@params_option
def list_(env: str | None, params: dict[str, Any]) -> None:
    """Show namespaces, their variants, node counts and tags."""
    with open_project(env, params) as project:
        summaries = namespace_summaries(project)
        pending = pending_tables(project.loader)
    tree = Tree(f"[bold]{len(summaries)} namespace(s)[/bold]")
    for ns in summaries:
        name = ns["namespace"]
        if name in pending:
            tree.add(
                f"[bold cyan]{name}[/bold cyan]  table '{pending[name]}' not written yet: "
                f"its variants are its rows, once 'kedro dynamic run' has written it"
            )
            continue
        branch = tree.add(
            f"[bold cyan]{name}[/bold cyan]  {ns['kind']}: {len(ns['variants'])} variant(s), "
            f"{ns['nodes']} node(s) = {ns['shared']} shared + {ns['collect']} collect + "
            f"{ns['per_variant']} per variant  (tag: {name})"
        )
        for position, (variant, count) in enumerate(ns["variants"].items(), start=1):
            branch.add(f"{position:>3}. {variant}  {count} node(s)  (tags: {name}, {variant})")
    Console().print(tree)


@click.command()
@env_option
@params_option
@tags_option("Like kedro run --tags.")
@namespaces_option("Like kedro run --namespaces.")
@click.option(
    "--pipelines",
    "-p",
    "pipeline_names",
    type=str,
    default="",
    callback=split_string,
    help="Like kedro run --pipelines.",
)
@click.option(
    "--nodes",
    "-n",
    "node_names",
    type=str,
    default="",
    callback=split_node_names,
    help="Like kedro run --nodes.",
)
@click.option(
    "--from-nodes", type=str, default="", callback=split_node_names, help="Like kedro run."
)
@click.option("--to-nodes", type=str, default="", callback=split_node_names, help="Like kedro run.")
@click.option(
    "--groups",
    "show_groups",
    is_flag=True,
    help="Also show the task groups an orchestrator runs: shared steps, variants, collect "
    "steps, and what each waits for.",
)
@json_option
@output_option("Write the JSON plan to this file (Kedro itself logs to stdout).")
def plan(
    env: str | None,
    params: dict[str, Any],
    tags: list[str],
    namespaces: list[str],
    pipeline_names: list[str],
    node_names: list[str],
    from_nodes: list[str],
    to_nodes: list[str],
    show_groups: bool,
    as_json: bool,
    output: Path | None,
) -> None:
    """Show what kedro run would run, with which parameters, writing where, and
    whether its startup builds only the variants it selects."""
    as_json = as_json or output is not None
    with quiet(as_json), open_project(env, params) as project:  # JSON apart from Kedro's log
        try:
            result = plan_report(
                project,
                pipeline_names,
                tags=tags,
                namespaces=namespaces,
                node_names=node_names,
                from_nodes=from_nodes,
                to_nodes=to_nodes,
                groups=show_groups,
            )
        except UnknownSelection as exc:
            raise click.ClickException(str(exc)) from exc
    if output is not None:
        write(output, json.dumps(result, indent=2, default=str) + "\n")
    elif as_json:
        click.echo(json.dumps(result, indent=2, default=str))
    else:
        _print_plan(result)


def _print_plan(result: Mapping[str, Any]) -> None:
    console = Console()
    nodes = Table(title=f"{len(result['nodes'])} node(s), in run order", title_justify="left")
    nodes.add_column("#", justify="right")
    nodes.add_column("node", overflow="fold")
    for position, name in enumerate(result["nodes"], start=1):
        nodes.add_row(str(position), name)
    console.print(nodes)
    params = Table(title="Parameters that differ from the base", title_justify="left")
    for column in ("variant", "parameter", "base", "variant value"):
        params.add_column(column, overflow="fold")
    for variant, changes in result["parameters"].items():
        for key, (before, after) in changes.items():
            params.add_row(variant, key, json.dumps(before), json.dumps(after))
    console.print(params)
    paths = Table(title="Persisted datasets", title_justify="left")
    paths.add_column("dataset", overflow="fold")
    paths.add_column("filepath", overflow="fold")
    for name, path in result["datasets"].items():
        paths.add_row(name, path)
    console.print(paths)
    console.print(_startup_line(result["startup"]), highlight=False)
    if "groups" in result:
        _print_groups(console, result["groups"])


def _print_groups(console: Console, groups: list[dict[str, Any]]) -> None:
    table = Table(
        title=f"{len(groups)} task group(s), the units an orchestrator runs, in dependency order",
        title_justify="left",
    )
    for column in ("#", "group", "kind", "nodes", "waits for"):
        table.add_column(column, overflow="fold")
    for position, group in enumerate(groups, start=1):
        table.add_row(
            str(position),
            group["name"],
            group["kind"],
            str(len(group["nodes"])),
            ", ".join(group["dependencies"]) or "-",
        )
    console.print(table)


def _startup_line(startup: Mapping[str, Any]) -> str:
    """One line on what the run's startup builds, and why."""
    built, declared = startup["variants_built"], startup["variants_declared"]
    if not startup["selective"]:
        return (
            f"Startup: kedro run with these flags builds every variant ({declared}): "
            f"{startup['reason']}."
        )
    parts = [
        f"{ns}: all" if names == "all" else f"{ns}: {', '.join(names) or 'shared step only'}"
        for ns, names in startup["built"].items()
    ]
    notes = "".join(f" {note}." for note in startup["notes"])
    return (
        f"Startup: selective, kedro run with these flags builds {built} of {declared} "
        f"declared variant(s) ({'; '.join(parts)}).{notes}"
    )


@click.command()
@env_option
@params_option
@click.option(
    "--strict",
    is_flag=True,
    help="Also fail when a run of one variant, or of another registered pipeline, would fail.",
)
def validate(env: str | None, params: dict[str, Any], strict: bool) -> None:
    """Check the declaration and the project around it; exit 1 listing every problem.

    OK means ``kedro run`` cannot fail on structure: ``__default__`` and each
    namespace find all their inputs, and no two datasets write one place. What
    only a run of one variant, or of another registered pipeline, would miss
    is a warning (an error with ``--strict``).
    """
    try:
        with checking_everything(), open_project(env, params) as project:
            expansion, loader = project.expansion, project.loader
            found = verdict(
                dict(project.pipelines.items()),
                expansion,
                loader["catalog"],
                original(loader, "catalog"),
                loader["parameters"],
                key=project.key,
                source=declaration_source(loader, project.key),
                strict=strict,
                project_path=str(project.project_path),
            )
            declaration = expansion.declaration
            pending = pending_tables(loader)
            table_errors, table_lines = (
                table_notes(
                    declaration,
                    project.pipelines[DEFAULT_PIPELINE],
                    pending,
                    key=project.key,
                )
                if declaration is not None
                else ([], [])
            )
            if table_errors:
                source = declaration_source(loader, project.key)
                found = Verdict(
                    [*found.problems, *(e.with_source(source) for e in table_errors)],
                    found.warnings,
                    found.unused,
                )
            dagster_names = (
                renamed_by_kedro_dagster(expansion, project.key)
                if importlib.util.find_spec("kedro_dagster")
                else []
            )
    except DynamicPipelinesError as exc:
        found = Verdict(list(exc.errors))
    if found.problems:
        for error in found.problems:
            click.echo(f"Error: {error.alone()}", err=True)
        raise click.ClickException(f"{len(found.problems)} problem(s) found.")
    count = sum(len(v) for n, v in expansion.variants.items() if n not in pending)
    waiting = f" and {len(pending)} table(s) not written yet" if pending else ""
    click.echo(
        f"OK: {len(expansion.variants)} namespace(s), {count} variant(s){waiting}, "
        f"{len(expansion.nodes)} node(s)."
    )
    if table_lines:
        click.echo("Variant tables a node writes:\n" + "\n".join(f"  {n}" for n in table_lines))
    if found.warnings:
        click.echo(
            "Runs of one variant or of another pipeline that would fail (validate --strict "
            "refuses them):\n" + "\n".join(f"  {w.alone()}" for w in found.warnings)
        )
    if dagster_names:
        click.echo(
            "Names kedro-dagster (installed here) would turn into others ('__' becomes '.'; "
            "kedro dynamic dagster refuses them):\n"
            + "\n".join(f"  {line}" for line in dagster_names)
        )
    if expansion.added_keys:
        click.echo(
            "Keys added under an empty base mapping (allowed, but not checked for typos):\n"
            + "\n".join(f"  {path}" for path in expansion.added_keys)
        )
    if found.unused:
        click.echo(
            "catalog.yml entries no pipeline uses once namespaced (move their config to the "
            "namespace's 'catalog' templates, or delete them):\n"
            + "\n".join(f"  {name}" for name in found.unused)
        )


@click.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(SCHEMA_FILE),
    show_default=True,
    help="Where to write the JSON Schema ('-' for stdout).",
)
def schema(output: Path) -> None:
    """Write the JSON Schema of parameters files holding a declaration."""
    from kedro.framework.project import settings

    from .._runtime.hook import DynamicPipelinesHook

    hook = next((h for h in settings.HOOKS if isinstance(h, DynamicPipelinesHook)), None)
    text = json.dumps(parameters_schema(hook.key if hook else DEFAULT_KEY), indent=2) + "\n"
    if str(output) == "-":
        click.echo(text, nl=False)
        return
    write(output, text)
    click.echo(
        f"Wrote {output}. Point your editor at it from parameters.yml with:\n"
        f"# yaml-language-server: $schema=<relative path to>/{output.name}"
    )


COMMANDS = (list_, plan, validate, schema)
