"""``kedro dynamic``: inspect the expansion without running it.

Registered as a ``kedro.project_commands`` entry point, so the group shows only
inside a Kedro project. Every command builds a real session, so what it shows is
what ``kedro run`` would see; errors are the hook's own, with exit code 1.
"""

from __future__ import annotations

import contextlib
import json
import logging
import posixpath
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import yaml
from kedro.framework.cli.utils import env_option, split_node_names, split_string
from rich.console import Console
from rich.table import Table
from rich.tree import Tree

from .._checks.catalog_index import CatalogIndex, resolve_filepaths
from .._checks.groups import GROUP_KINDS, task_groups
from .._checks.policy import check_registry, unused_catalog_entries
from .._checks.types import check_types
from .._constants import DEFAULT_KEY, DEFAULT_PIPELINE, is_parameter
from .._declaration.names import did_you_mean
from .._declaration.schema import json_schema, parse_declaration
from .._errors import DynamicPipelinesError
from .._expansion.result import Expansion
from .._expansion.selection import Selection
from .._kedro_compat import split_params
from .._rerun.compare import FORMATS as COMPARE_FORMATS
from .._runtime.config import original
from .._runtime.hook import DynamicPipelinesHook, missing_environment, original_parameters
from .._runtime.reporting import ReportedError, reported
from .._runtime.selecting import startup
from .._runtime.sources import declaration_source

if TYPE_CHECKING:
    from kedro.framework.context import KedroContext

SCHEMA_FILE = "dynamic_pipelines.schema.json"


@click.group(name="kedro-dynamic-hooks")
def commands() -> None:
    """Project commands of kedro_dynamic_hooks."""


@commands.group(name="dynamic")
def dynamic() -> None:
    """Inspect, validate and document the dynamic pipelines declaration."""


_params = click.option(
    "--params",
    type=click.UNPROCESSED,
    default="",
    callback=split_params,
    help="Like kedro run --params: key=value pairs, comma separated (dotted keys nest).",
)


def _namespaces(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--namespaces``/``-ns`` as ``kedro run`` parses it."""
    return click.option(
        "--namespaces",
        "-ns",
        type=str,
        default="",
        callback=split_node_names,
        help=help_text,
    )


_output = click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the JSON to this file (Kedro itself logs to stdout).",
)

_tags = click.option(
    "--tags",
    "-t",
    type=str,
    default="",
    callback=split_string,
    help="Only task groups with a node of these tags (namespace or variant names).",
)


class _Loaded:
    """A session's context and the expansion the hook registered for it."""

    def __init__(self, context: KedroContext, hook: DynamicPipelinesHook) -> None:
        from kedro.framework.project import pipelines

        self.context = context
        self.key = hook.key
        expansion = hook.expansion(context)
        if expansion is None:
            env = missing_environment(context.config_loader)
            if env is not None:
                raise click.ClickException(
                    f"No configuration environment '{env}': "
                    f"{Path(context.config_loader.conf_source).name}/{env} does not exist."
                )
            raise click.ClickException(f"The parameters have no '{hook.key}' declaration.")
        self.expansion: Expansion = expansion
        self.pipelines = pipelines
        self.base = original_parameters(context.config_loader)

    def variant_of(self, namespace: str | None) -> str | None:
        """``ns.variant`` for a node namespace inside a variant, else ``None``."""
        parts = (namespace or "").split(".")
        if len(parts) >= 2 and parts[1] in self.expansion.variants.get(parts[0], ()):
            return f"{parts[0]}.{parts[1]}"
        return None


@contextlib.contextmanager
def _loaded(env: str | None, params: dict[str, Any] | None = None) -> Iterator[_Loaded]:
    """Open the project's session (its ``SESSION_CLASS``), as ``kedro run`` does.

    Loading the context fires the hook, which validates and registers; the
    session is closed on the way out.
    """
    from kedro.framework.project import settings
    from kedro.framework.session import KedroSession

    hook = next((h for h in settings.HOOKS if isinstance(h, DynamicPipelinesHook)), None)
    if hook is None:
        raise click.ClickException(
            "DynamicPipelinesHook is not in settings.HOOKS; add "
            "'HOOKS = (DynamicPipelinesHook(),)' to your settings.py."
        )
    session_class = settings.SESSION_CLASS
    create_kwargs: dict[str, Any] = {"env": env}
    context_kwargs: dict[str, Any] = {}
    # KedroSession takes --params at creation, KedroServiceSession per context.
    if issubclass(session_class, KedroSession):
        create_kwargs["runtime_params"] = params or None
    elif params:
        context_kwargs["runtime_params"] = params
    with session_class.create(**create_kwargs) as session:
        try:
            yield _Loaded(session.load_context(**context_kwargs), hook)
        except ReportedError:
            raise  # the hook's own, already chained to its cause
        except DynamicPipelinesError as exc:
            raise reported(exc) from exc


@dynamic.command(name="list")
@env_option
@_params
def list_(env: str | None, params: dict[str, Any]) -> None:
    """Show namespaces, their variants, node counts and tags."""
    with _loaded(env, params) as loaded:
        expansion = loaded.expansion
    tree = Tree(f"[bold]{len(expansion.variants)} namespace(s)[/bold]")
    for ns, variants in expansion.variants.items():
        pipeline = expansion.pipelines[ns]
        per_variant = {n for v in variants for n in expansion.pipelines[f"{ns}.{v}"].nodes}
        own = [n for n in pipeline.nodes if n not in per_variant]
        shared = sum(1 for n in own if set(variants) <= n.tags)  # shared: every variant tag
        branch = tree.add(
            f"[bold cyan]{ns}[/bold cyan]  {expansion.kinds[ns]}: {len(variants)} variant(s), "
            f"{len(pipeline.nodes)} node(s) = {shared} shared + {len(own) - shared} collect + "
            f"{len(pipeline.nodes) - len(own)} per variant  (tag: {ns})"
        )
        for position, name in enumerate(variants, start=1):
            count = len(expansion.pipelines[f"{ns}.{name}"].nodes)
            branch.add(f"{position:>3}. {name}  {count} node(s)  (tags: {ns}, {name})")
    Console().print(tree)


@dynamic.command()
@env_option
@_params
@click.option(
    "--tags", "-t", type=str, default="", callback=split_string, help="Like kedro run --tags."
)
@_namespaces("Like kedro run --namespaces.")
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
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the JSON plan to this file (Kedro itself logs to stdout).",
)
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
    from kedro.pipeline import Pipeline

    as_json = as_json or output is not None
    if as_json:  # keep the JSON apart from Kedro's log lines
        logging.disable(logging.CRITICAL)
    try:
        with _loaded(env, params) as loaded:
            names = pipeline_names or [DEFAULT_PIPELINE]
            missing = [name for name in names if name not in loaded.pipelines]
            if missing:
                raise click.ClickException(f"Unknown pipeline(s): {', '.join(missing)}.")
            try:
                selected = Pipeline([loaded.pipelines[name] for name in names]).filter(
                    tags=tags or None,
                    node_namespaces=namespaces or None,
                    node_names=node_names or None,
                    from_nodes=from_nodes or None,
                    to_nodes=to_nodes or None,
                )
            except ValueError as exc:  # Kedro: no node left after the filters
                known = ", ".join(loaded.expansion.variants)
                raise click.ClickException(
                    f"{exc} Namespaces: {known}; every variant name is a tag too."
                ) from exc
            result = _plan(loaded, selected)
            selection = Selection(
                pipelines=tuple(n for n in pipeline_names if n != DEFAULT_PIPELINE),
                namespaces=tuple(namespaces),
                tags=tuple(tags),
                nodes=tuple(node_names),
                follows_graph=bool(from_nodes or to_nodes),
            )
            declaration = parse_declaration(loaded.base[loaded.key], key=loaded.key)
            result["startup"] = startup(selection, declaration)
            if show_groups:
                try:
                    result["groups"] = [
                        g.as_dict() for g in task_groups(selected, loaded.expansion)
                    ]
                except DynamicPipelinesError as exc:
                    raise reported(exc) from exc
    finally:
        logging.disable(logging.NOTSET)
    if output is not None:
        _write(output, json.dumps(result, indent=2, default=str) + "\n")
    elif as_json:
        click.echo(json.dumps(result, indent=2, default=str))
    else:
        _print_plan(result)


def _plan(loaded: _Loaded, pipeline: Any) -> dict[str, Any]:
    nodes = [n.name for n in pipeline.nodes]
    variants = sorted({v for n in pipeline.nodes if (v := loaded.variant_of(n.namespace))})
    params = loaded.context.config_loader["parameters"]
    diffs = {}
    for variant in variants:
        ns, name = variant.split(".", 1)
        diffs[variant] = _diff(loaded.base, params[ns][name])
    catalog = loaded.context.config_loader["catalog"]
    datasets = sorted(
        d for d in pipeline.datasets() if not is_parameter(d)
    )
    project = Path(loaded.context.project_path).as_posix()
    paths = resolve_filepaths(catalog, datasets, project_path=project)
    return {
        "nodes": nodes,
        "parameters": diffs,
        "datasets": {
            name: _shown(path, project) for name, path in paths.items() if path is not None
        },
    }


def _shown(path: str, project: str) -> str:
    """A filepath relative to the project when it lies inside it, else as resolved."""
    try:
        inside = "://" not in path and posixpath.commonpath([path, project]) == project
    except ValueError:  # e.g. a Windows project and a POSIX or UNC path
        return path
    return posixpath.relpath(path, project) if inside else path


def _diff(base: Mapping[str, Any], variant: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flattened ``{dotted.key: [base value, variant value]}`` where they differ."""
    changes: dict[str, Any] = {}
    for key, value in variant.items():
        path = f"{prefix}{key}"
        before = base.get(key) if isinstance(base, Mapping) else None
        if isinstance(value, Mapping) and isinstance(before, Mapping):
            changes.update(_diff(before, value, f"{path}."))
        elif value != before:
            changes[path] = [before, value]
    return changes


def _print_plan(result: Mapping[str, Any]) -> None:
    console = Console()
    nodes = Table(title=f"{len(result['nodes'])} node(s), in run order", title_justify="left")
    nodes.add_column("#", justify="right")
    nodes.add_column("node")
    for position, name in enumerate(result["nodes"], start=1):
        nodes.add_row(str(position), name)
    console.print(nodes)
    params = Table(title="Parameters that differ from the base", title_justify="left")
    for column in ("variant", "parameter", "base", "variant value"):
        params.add_column(column)
    for variant, changes in result["parameters"].items():
        for key, (before, after) in changes.items():
            params.add_row(variant, key, json.dumps(before), json.dumps(after))
    console.print(params)
    paths = Table(title="Persisted datasets", title_justify="left")
    paths.add_column("dataset")
    paths.add_column("filepath")
    for name, path in result["datasets"].items():
        paths.add_row(name, path)
    console.print(paths)
    console.print(_startup_line(result["startup"]), highlight=False)
    if "groups" in result:
        _print_groups(console, result["groups"])


def _print_groups(console: Console, groups: list[dict[str, Any]]) -> None:
    table = Table(
        title=f"{len(groups)} task group(s), one orchestrator task each, in dependency order",
        title_justify="left",
    )
    for column in ("#", "group", "kind", "nodes", "waits for"):
        table.add_column(column)
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


@dynamic.command()
@env_option
@_params
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
    warnings: list[DynamicPipelinesError] = []
    try:
        with _loaded(env, params) as loaded:
            expansion = loaded.expansion
            loader = loaded.context.config_loader
            registry = dict(loaded.pipelines.items())
            source = declaration_source(loader, loaded.key)
            problems, warnings = check_registry(
                registry,
                expansion,
                loader["catalog"],
                loader["parameters"],
                key=loaded.key,
                source=source,
            )
            problems += check_types(loader["catalog"], expansion, key=loaded.key, source=source)
            unused = unused_catalog_entries(original(loader, "catalog"), registry, expansion)
    except DynamicPipelinesError as exc:
        problems, unused = list(exc.errors), []
    if strict:
        problems, warnings = [*problems, *warnings], []
    if problems:
        for error in problems:
            click.echo(f"Error: {error.alone()}", err=True)
        raise click.ClickException(f"{len(problems)} problem(s) found.")
    count = sum(len(v) for v in expansion.variants.values())
    click.echo(
        f"OK: {len(expansion.variants)} namespace(s), {count} variant(s), "
        f"{len(expansion.nodes)} node(s)."
    )
    if warnings:
        click.echo(
            "Runs of one variant or of another pipeline that would fail (validate --strict "
            "refuses them):\n" + "\n".join(f"  {w.alone()}" for w in warnings)
        )
    if expansion.added_keys:
        click.echo(
            "Keys added under an empty base mapping (allowed, but not checked for typos):\n"
            + "\n".join(f"  {path}" for path in expansion.added_keys)
        )
    if unused:
        click.echo(
            "catalog.yml entries no pipeline uses once namespaced (move their config to the "
            "namespace's 'catalog' templates, or delete them):\n"
            + "\n".join(f"  {name}" for name in unused)
        )


@dynamic.command()
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

    hook = next((h for h in settings.HOOKS if isinstance(h, DynamicPipelinesHook)), None)
    text = json.dumps(parameters_schema(hook.key if hook else DEFAULT_KEY), indent=2) + "\n"
    if str(output) == "-":
        click.echo(text, nl=False)
        return
    _write(output, text)
    click.echo(
        f"Wrote {output}. Point your editor at it from parameters.yml with:\n"
        f"# yaml-language-server: $schema=<relative path to>/{output.name}"
    )


@dynamic.command()
@env_option
@click.option(
    "--pipelines",
    "-p",
    "pipeline_names",
    type=str,
    default=DEFAULT_PIPELINE,
    callback=split_string,
    help="The registered pipeline(s) to convert, comma separated; one DAG file each.",
)
@click.option(
    "--target-dir",
    "-t",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("airflow_dags"),
    show_default=True,
    help="Where to write the DAG files (relative to the project).",
)
@click.option(
    "--jinja-file",
    "-j",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Another DAG template; it receives what kedro-airflow's template does.",
)
@click.option(
    "--conf-source",
    type=str,
    default="",
    help="The configuration folder or archive the DAG's tasks read (default: conf/).",
)
def airflow(
    env: str | None,
    pipeline_names: list[str],
    target_dir: Path,
    jinja_file: Path | None,
    conf_source: str,
) -> None:
    """Write an Airflow 3 DAG per pipeline: one task per shared step, variant and
    collect step, ordered by the data they exchange."""
    from kedro.framework.project import PACKAGE_NAME

    from .._deploy import airflow as _airflow

    written = []
    with _loaded(env) as loaded:
        config = _airflow_config(loaded.context.config_loader)
        project = Path(loaded.context.project_path)
        run_env = env or loaded.context.env or _airflow.DEFAULT_ENV
        for name in pipeline_names:
            if name not in loaded.pipelines:
                known = list(loaded.expansion.variants)
                raise click.ClickException(
                    f"Unknown pipeline '{name}'. Namespaces: {', '.join(known)}; "
                    f"'__default__' holds every one.{did_you_mean(name, known)}"
                )
            try:
                groups = task_groups(loaded.pipelines[name], loaded.expansion)
                _airflow.check_task_ids(groups)
            except DynamicPipelinesError as exc:
                raise reported(exc) from exc
            except ValueError as exc:
                raise click.ClickException(str(exc)) from exc
            dag_config = _airflow.dag_config(config, name)
            widest, warnings = _airflow.limits(groups, dag_config)
            folder = target_dir if target_dir.is_absolute() else project / target_dir
            dag_name = _airflow.dag_name(str(PACKAGE_NAME), run_env, name)
            target = folder / f"{dag_name}_dag.py"
            try:
                _airflow.render(
                    jinja_file or _airflow.TEMPLATE,
                    target=target,
                    groups=groups,
                    pipeline_name=name,
                    package_name=str(PACKAGE_NAME),
                    dag_name=dag_name,
                    env=run_env,
                    conf_source=conf_source,
                    config=dag_config,
                )
            except OSError as exc:
                raise click.ClickException(f"Cannot write {target}: {exc}.") from exc
            written.append((target, name, groups, widest, warnings))
    for target, name, groups, widest, warnings in written:
        kinds = Counter(group.kind for group in groups)
        shown = ", ".join(f"{kinds[kind]} {kind}" for kind in GROUP_KINDS if kinds[kind])
        click.echo(
            f"Wrote {_shown(target.as_posix(), project.as_posix())}: pipeline '{name}', "
            f"{len(groups)} task(s) ({shown}), up to {widest} at once."
        )
        for warning in warnings:
            click.secho(f"Warning: {warning}", fg="yellow", err=True)


@dynamic.command()
@env_option
@click.option(
    "--max-concurrent",
    type=click.IntRange(min=1),
    default=None,
    help="Processes the jobs' executor runs at once (default: the widest level, at most 8).",
)
def dagster(env: str | None, max_concurrent: int | None) -> None:
    """Write one kedro-dagster job per namespace into conf/<env>/dagster.yml.

    Each job runs its namespace's shared step once, the variants in parallel
    (multiprocess executor), then the collect step. Other jobs and settings in
    the file are kept (its comments are not).
    """
    from .._deploy import airflow as _airflow
    from .._deploy import dagster as _dagster

    with _loaded(env) as loaded:
        project = Path(loaded.context.project_path)
        run_env = env or loaded.context.env or _airflow.DEFAULT_ENV
        namespaces = list(loaded.expansion.variants)
        try:
            widest = max(
                (
                    _airflow.widest_level(task_groups(loaded.pipelines[ns], loaded.expansion))
                    for ns in namespaces
                ),
                default=1,
            )
        except DynamicPipelinesError as exc:
            raise reported(exc) from exc
        conf = Path(loaded.context.config_loader.conf_source)
    path = conf / run_env / "dagster.yml"
    try:
        current = _dagster.read_config(path)
    except (ValueError, yaml.YAMLError) as exc:
        raise click.ClickException(f"Cannot read {path}: {exc}") from exc
    config, added, replaced = _dagster.updated_config(
        current,
        namespaces,
        max_concurrent=max_concurrent or min(widest, 8),
        replace_executor=max_concurrent is not None,
    )
    try:
        _dagster.write_config(path, config)
    except OSError as exc:
        raise click.ClickException(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    shown = _shown(path.as_posix(), project.as_posix())
    click.echo(
        f"Wrote {shown}: {len(namespaces)} job(s), one per namespace "
        f"({', '.join(namespaces)}); {len(added)} added, {len(replaced)} replaced. kedro-dagster "
        f"names them '{run_env}__<namespace>'."
    )
    if max_concurrent is not None:
        click.echo(f"Executor '{_dagster.EXECUTOR}': at most {max_concurrent} process(es).")
    if not current:
        click.echo(
            "The file was new. kedro-dagster also needs definitions.py: run 'kedro dagster "
            "init' (it rewrites dagster.yml), then this command again."
        )


def _group_statuses(
    loaded: _Loaded,
    env: str | None,
    namespaces: list[str],
    tags: Sequence[str] = (),
) -> tuple[list[Any], list[Any]]:
    """Every task group of ``__default__`` and whether it is stale, in dependency
    order; and those that ``namespaces`` and ``tags`` select (all without them).

    Raises:
        click.ClickException: For a namespace or tag that selects no group.
    """
    from .._rerun.journal import read_state, state_path
    from .._rerun.recorder import Paths, prints_of
    from .._rerun.status import statuses

    context = loaded.context
    project = str(context.project_path)
    pipeline = loaded.pipelines[DEFAULT_PIPELINE]
    try:
        groups = task_groups(pipeline, loaded.expansion)
    except DynamicPipelinesError as exc:
        raise reported(exc) from exc
    loader = context.config_loader
    paths = Paths(loader["catalog"], project)  # the hook's: templates, then catalog.yml
    prints = prints_of(groups, pipeline, loader["parameters"], paths)
    state = read_state(state_path(project, env or context.env))
    found = statuses(groups, prints, state, paths.missing)
    _check_filters(loaded, [s.group.name for s in found], namespaces, tags)
    tagged = {n.name for n in pipeline.nodes if n.tags & set(tags)}
    selected = [
        s
        for s in found
        if (not tags or tagged.intersection(s.group.nodes))
        and (not namespaces or any(_within(s.group.name, ns) for ns in namespaces))
    ]
    return found, selected


def _check_filters(
    loaded: _Loaded, names: list[str], namespaces: Sequence[str], tags: Sequence[str]
) -> None:
    """Refuse a namespace that selects none of ``names``, or a tag no node has."""
    known = list(loaded.expansion.variants)
    unknown = [ns for ns in namespaces if not any(_within(name, ns) for name in names)]
    if unknown:
        raise click.ClickException(
            f"--namespaces {', '.join(unknown)} matches no task group. Namespaces: "
            f"{', '.join(known)}.{did_you_mean(unknown[0].split('.')[-1], _names_of(loaded))}"
        )
    all_tags = sorted({t for n in loaded.pipelines[DEFAULT_PIPELINE].nodes for t in n.tags})
    missing = [t for t in tags if t not in all_tags]
    if missing:
        raise click.ClickException(
            f"--tags {', '.join(missing)} matches no node. Tags are namespace and variant "
            f"names (and your nodes' own tags).{did_you_mean(missing[0], all_tags)}"
        )


def _names_of(loaded: _Loaded) -> list[str]:
    """Namespace and variant names, for did-you-mean."""
    variants = loaded.expansion.variants
    return [*variants, *(v for names in variants.values() for v in names)]


def _within(name: str, namespace: str) -> bool:
    return name == namespace or name.startswith(f"{namespace}.")


def _with_upstream(found: list[Any], selected: list[Any]) -> list[Any]:
    """The stale groups of ``selected``, plus the stale groups they read from
    (transitively): running a variant on a stale shared output would not clear it."""
    by_name = {s.group.name: s for s in found}
    wanted = {s.group.name for s in selected if s.stale}
    todo = list(wanted)
    while todo:
        for dependency in by_name[todo.pop()].group.dependencies:
            if by_name[dependency].stale and dependency not in wanted:
                wanted.add(dependency)
                todo.append(dependency)
    return [s for s in found if s.group.name in wanted]


def _filters(namespaces: Sequence[str], tags: Sequence[str]) -> str:
    shown = [f"--namespaces {','.join(namespaces)}"] if namespaces else []
    return " ".join([*shown, *([f"--tags {','.join(tags)}"] if tags else [])])


@dynamic.command()
@env_option
@_params
@_namespaces("Only these namespaces or variants (ns or ns.variant), comma separated.")
@_tags
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@_output
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
    if as_json:
        logging.disable(logging.CRITICAL)
    try:
        with _loaded(env, params) as loaded:
            _, found = _group_statuses(loaded, env, namespaces, tags)
    finally:
        logging.disable(logging.NOTSET)
    if as_json:
        text = json.dumps([s.as_dict() for s in found], indent=2) + "\n"
        if output is not None:
            _write(output, text)
        else:
            click.echo(text, nl=False)
        return
    table = Table(title="Task groups, in dependency order", title_justify="left")
    for column in ("group", "kind", "state"):
        table.add_column(column)
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


@dynamic.command(name="run")
@env_option
@click.option(
    "--params",
    "raw_params",
    type=str,
    default="",
    help="Like kedro run --params; passed on to the run, and used to decide what is stale.",
)
@_namespaces("Only stale groups of these namespaces or variants, comma separated.")
@_tags
@click.option("--stale", is_flag=True, help="Run the stale task groups (required).")
@click.option("--runner", "-r", type=str, default=None, help="Like kedro run --runner.")
@click.option("--dry-run", is_flag=True, help="Print what would run, and run nothing.")
def run_stale(
    env: str | None,
    raw_params: str,
    namespaces: list[str],
    tags: list[str],
    stale: bool,
    runner: str | None,
    dry_run: bool,
) -> None:
    """Run exactly the stale task groups (see 'kedro dynamic status'), and the
    stale groups they read from, as one kedro run of their nodes."""
    if not stale:
        raise click.UsageError(
            "'kedro dynamic run' runs the stale task groups only: add --stale. Use "
            "'kedro run' for anything else."
        )
    params = split_params(click.get_current_context(), None, raw_params)
    with _loaded(env, params) as loaded:
        found, selected = _group_statuses(loaded, env, namespaces, tags)
    todo = _with_upstream(found, selected)
    if not todo:
        click.echo(f"Nothing is stale: {len(selected)} task group(s) up to date.")
        return
    nodes = [node for s in todo for node in s.group.nodes]
    extra = len(todo) - sum(1 for s in selected if s.stale)
    click.echo(
        f"{len(todo)} of {len(found)} task group(s) stale: "
        f"{', '.join(s.group.name for s in todo)}."
        + (f" ({extra} of them because the selected groups read from them.)" if extra else "")
    )
    options = [
        *(["--env", env] if env else []),
        *(["--params", raw_params] if raw_params else []),
        *(["--runner", runner] if runner else []),
    ]
    shown = ",".join(nodes) if len(nodes) <= 20 else f"<{len(nodes)} nodes>"
    click.echo(" ".join(["kedro run --nodes", shown, *options]))
    if dry_run:
        return
    _run_nodes(nodes, env, params, runner)


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


@dynamic.command()
@env_option
@_params
@click.argument("dataset")
@_namespaces("Only these namespaces or variants, comma separated.")
@click.option(
    "--sort", "sort_key", type=str, default=None, help="Sort by this column (-col: descending)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(COMPARE_FORMATS),
    default="table",
    show_default=True,
)
def compare(
    env: str | None,
    params: dict[str, Any],
    dataset: str,
    namespaces: list[str],
    sort_key: str | None,
    fmt: str,
) -> None:
    """Load DATASET of every variant (e.g. metrics) and print one table.

    Each variant's value must be one row: a dict, JSON metrics, a one-row frame
    or a single value. Variants that have not written it yet are listed apart.
    """
    from kedro.io import DatasetError

    from .._rerun import compare as _compare

    rows: list[dict[str, Any]] = []
    not_run: list[str] = []
    logging.disable(logging.CRITICAL)  # keep csv/json/markdown clean on stdout
    try:
        with _loaded(env, params) as loaded:
            expansion = loaded.expansion
            variants = [f"{ns}.{v}" for ns, vs in expansion.variants.items() for v in vs]
            _check_filters(loaded, variants, namespaces, ())
            persisted = CatalogIndex(loaded.context.config_loader["catalog"])
            names = [
                (ns, variant, f"{ns}.{variant}.{dataset}")
                for ns, variants in expansion.variants.items()
                for variant in variants
                if (not namespaces or any(_within(f"{ns}.{variant}", w) for w in namespaces))
                and f"{ns}.{variant}.{dataset}" in expansion.datasets
                and persisted(f"{ns}.{variant}.{dataset}")
            ]
            if not names:
                templates = sorted(
                    {
                        o.template
                        for d, o in expansion.datasets.items()
                        if o.variant and persisted(d)
                    }
                )
                raise click.ClickException(
                    f"No variant has a persisted dataset '{dataset}'"
                    + (f" in {', '.join(namespaces)}" if namespaces else "")
                    + f". Persisted per-variant datasets: {', '.join(templates)}."
                    + did_you_mean(dataset, templates)
                )
            catalog = loaded.context.catalog
            for ns, variant, name in names:
                try:
                    value = catalog.load(name)
                except DatasetError:
                    not_run.append(f"{ns}.{variant}")
                    continue
                try:
                    rows.append({"variant": f"{ns}.{variant}", **_compare.as_row(value, name)})
                except ValueError as exc:
                    raise click.ClickException(str(exc)) from exc
    finally:
        logging.disable(logging.NOTSET)
    try:
        rows = _compare.sort_rows(rows, sort_key)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if fmt == "table":
        table = Table(title=f"{dataset} of {len(rows)} variant(s)", title_justify="left")
        columns = _compare.columns_of(rows)
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*(_compare.shown(row.get(c)) for c in columns))
        Console().print(table)
    else:
        click.echo(_compare.render(rows, fmt), nl=False)
    if not_run:
        click.echo(f"Not written yet: {', '.join(not_run)}.", err=True)


def _airflow_config(loader: Any) -> dict[str, Any]:
    """``conf/<env>/airflow*.yml`` as kedro-airflow reads it (empty when absent)."""
    from kedro.config import MissingConfigException

    patterns = getattr(loader, "config_patterns", None)
    if patterns is None:
        return {}
    patterns.setdefault("airflow", ["airflow*", "airflow/**"])
    try:
        return dict(loader["airflow"])
    except MissingConfigException:
        return {}


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"Cannot write {path}: {exc.strerror or exc}.") from exc


def parameters_schema(key: str = DEFAULT_KEY) -> dict[str, Any]:
    """JSON Schema for a parameters file: any keys, plus a checked declaration at ``key``."""
    declaration = json_schema()
    definitions = declaration.pop("$defs", {})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Kedro parameters with a dynamic_pipelines declaration",
        "type": "object",
        "properties": {key: declaration},
        "$defs": definitions,
    }
