"""``kedro dynamic airflow`` and ``dagster``: deploy the variants to an orchestrator."""

from __future__ import annotations

from pathlib import Path

import click
import yaml
from kedro.framework.cli.utils import split_string

from .._checks.catalog_index import shown_path
from .._checks.groups import task_groups
from .._checks.table_writers import Table, produced
from .._constants import DEFAULT_PIPELINE
from .._deploy import airflow as _airflow
from .._deploy import airflow_tasks as _tasks
from .._deploy import dagster as _dagster
from .._errors import DynamicPipelinesError
from .._runtime.reporting import reported
from .._runtime.session import open_project
from .options import env_option


def _check_project_path(project_path: str | None, seen_by: str) -> None:
    """``--project-path`` is written into the deployment: it must be absolute."""
    if project_path is not None and not _airflow.is_absolute(project_path):
        raise click.UsageError(
            f"--project-path '{project_path}' is relative: give the project's absolute path "
            f"as {seen_by} see it (e.g. /opt/project)."
        )


@click.command()
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
    help="The configuration folder or archive the DAG's tasks read (default: the "
    "project's, as settings.py says).",
)
@click.option(
    "--tasks",
    "form",
    type=click.Choice(_tasks.FORMS),
    default=_tasks.MAPPED,
    show_default=True,
    help="One mapped task per namespace's variants, or one task per variant.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Variants per mapped task instance: each instance pays Kedro's startup once.",
)
@click.option(
    "--project-path",
    type=str,
    default=None,
    help="The project folder as the workers see it (default: this project's absolute path).",
)
def airflow(
    env: str | None,
    pipeline_names: list[str],
    target_dir: Path,
    jinja_file: Path | None,
    conf_source: str,
    form: str,
    batch_size: int,
    project_path: str | None,
) -> None:
    """Write an Airflow 3 DAG per pipeline: a task per shared step and collect step,
    and one mapped task per namespace's variants (or a task per variant), ordered
    by the data they exchange."""
    _check_project_path(project_path, "the workers")
    # kedro-airflow's own template knows groups only: a task per variant.
    groups_only = jinja_file is not None and not _airflow.maps_variants(jinja_file)
    if batch_size > 1 and (form != _tasks.MAPPED or groups_only):
        raise click.UsageError(
            "--batch-size groups the instances of a mapped task: use it with --tasks mapped"
            + (" and a template that writes 'tasks'." if groups_only else ".")
        )
    if groups_only:
        form = _tasks.PER_VARIANT
    from kedro.framework.project import PACKAGE_NAME

    with open_project(env) as loaded:
        config = _airflow.airflow_config(loaded.loader)
        project = loaded.project_path
        run_env = env or loaded.context.env or _airflow.DEFAULT_ENV
        try:
            plans = _airflow.dag_plans(
                loaded.pipelines,
                loaded.expansion,
                pipeline_names,
                package=str(PACKAGE_NAME),
                env=run_env,
                folder=target_dir if target_dir.is_absolute() else project / target_dir,
                config=config,
                form=form,
                batch_size=batch_size,
                catalog=loaded.loader["catalog"],
                project_path=project.as_posix(),
                key=loaded.key,
            )
        except DynamicPipelinesError:
            raise  # one line already, through open_project
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        workers_path = project_path or project.resolve().as_posix()
        for plan in plans:
            try:
                _airflow.render(
                    jinja_file or _airflow.TEMPLATE,
                    target=plan.target,
                    plan=plan,
                    package_name=str(PACKAGE_NAME),
                    env=run_env,
                    project_path=workers_path,
                    conf_source=_airflow.conf_source_for(conf_source, workers_path),
                )
            except OSError as exc:
                raise click.ClickException(f"Cannot write {plan.target}: {exc}.") from exc
    for plan in plans:
        click.echo(
            f"Wrote {shown_path(plan.target.as_posix(), project.as_posix())}: pipeline "
            f"'{plan.pipeline}', {_airflow.summary(plan)}, up to {plan.widest} at once."
        )
        for namespace, why in plan.unmapped.items():
            click.echo(f"  '{namespace}' has a task per variant: {why}.")
        for warning in plan.warnings:
            click.secho(f"Warning: {warning}", fg="yellow", err=True)


@click.command()
@env_option
@click.option(
    "--max-concurrent",
    type=click.IntRange(min=1),
    default=None,
    help="Processes the jobs' executor runs at once (default: the widest level, at most 8).",
)
@click.option(
    "--replace",
    is_flag=True,
    help=f"Replace a job of yours named '{_dagster.FACTORY}' (refused by default).",
)
@click.option(
    "--project-path",
    type=str,
    default=None,
    help="The project folder as Dagster's processes see it (default: its absolute path).",
)
def dagster(
    env: str | None, max_concurrent: int | None, replace: bool, project_path: str | None
) -> None:
    """Write kedro-dagster's job per namespace into conf/<env>/dagster.yml, and
    definitions that build only the job a process runs.

    Each job runs its namespace's shared step once, the variants in parallel
    (multiprocess executor), then the collect step. Other jobs and settings in
    the file are kept (its comments are not).
    """
    from kedro.framework.project import PACKAGE_NAME

    _check_project_path(project_path, "Dagster's processes")

    with open_project(env) as loaded:
        project = Path(loaded.context.project_path)
        run_env = env or loaded.context.env or _airflow.DEFAULT_ENV
        expansion = loaded.expansion
        namespaces = list(expansion.variants)
        renamed = _dagster.renamed_by_kedro_dagster(expansion, loaded.key)
        try:
            widest = max(
                (
                    _airflow.widest_level(task_groups(loaded.pipelines[ns], expansion))
                    for ns in namespaces
                ),
                default=1,
            )
        except DynamicPipelinesError as exc:
            raise reported(exc) from exc
        ours = {node.name for node in expansion.nodes}
        outside = [n.name for n in loaded.pipelines[DEFAULT_PIPELINE].nodes if n.name not in ours]
        registered = set(loaded.pipelines)
        conf = Path(loaded.context.config_loader.conf_source)
        key = loaded.key
        written = (
            produced(expansion.declaration, loaded.pipelines[DEFAULT_PIPELINE])
            if expansion.declaration is not None
            else []
        )
    if renamed:
        raise click.ClickException(
            "kedro-dagster writes '.' as '__' and reads every '__' back as '.', so these names "
            "would not survive it:\n"
            + "\n".join(f"  {line}" for line in renamed)
            + "\nNothing was written."
        )
    path = conf / run_env / "dagster.yml"
    shown = shown_path(path.as_posix(), project.as_posix())
    try:
        current = _dagster.read_config(path)
    except (ValueError, yaml.YAMLError) as exc:
        raise click.ClickException(f"Cannot read {path}: {exc}") from exc
    result = _dagster.updated_config(
        current,
        namespaces,
        outside=outside,
        declared_nodes=ours,
        registered=registered,
        max_concurrent=max_concurrent or min(widest, 8),
        replace_executor=max_concurrent is not None,
    )
    if result.replaced and not replace:
        raise click.ClickException(
            f"{shown} already has a job '{_dagster.FACTORY}' that is not the one this command "
            "writes. Rename yours, or pass --replace to overwrite it. Nothing was written."
        )
    definitions = _package_dir(str(PACKAGE_NAME)) / f"{_dagster.DEFINITIONS}.py"
    try:
        _dagster.write_config(path, result.config)
        _dagster.render_definitions(
            definitions,
            package=str(PACKAGE_NAME),
            env=run_env,
            project_path=project_path or project.resolve().as_posix(),
            key=key,
        )
    except OSError as exc:
        raise click.ClickException(f"Cannot write {exc.filename}: {exc.strerror or exc}.") from exc
    click.echo(
        f"Wrote {shown}: the job factory '{_dagster.FACTORY}' gives {len(namespaces)} job(s), "
        f"one per namespace ({', '.join(namespaces)}), named "
        f"'{run_env}__<namespace>__{_dagster.SUFFIX}'."
    )
    if result.removed:
        click.echo(f"Removed the job(s) an earlier version wrote: {', '.join(result.removed)}.")
    if result.default:
        click.echo(f"Job 'default' (kedro dagster init's): {result.default}.")
    if max_concurrent is not None:
        click.echo(f"Executor '{_dagster.EXECUTOR}': at most {max_concurrent} process(es).")
    module = f"{PACKAGE_NAME}.{_dagster.DEFINITIONS}"
    click.echo(
        f"Wrote {shown_path(definitions.as_posix(), project.as_posix())}: each process builds "
        f"only its job's namespace. With the project installed (pip install -e .), run a job "
        f"with: dagster job execute -m {module} -j {run_env}__{namespaces[0]}__{_dagster.SUFFIX}"
    )
    _dagster_warnings(written, result.overlapping, shown)


def _package_dir(package: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise click.ClickException(f"Cannot find the project's package '{package}'.")
    return Path(next(iter(spec.submodule_search_locations)))


def _dagster_warnings(written: list[Table], overlapping: list[str], shown: str) -> None:
    """Tables a node writes (a job has the rows of load time), and jobs that clash."""
    for table in written:
        click.secho(
            f"Warning: namespace '{table.namespace}' takes its variants from "
            f"'{table.dataset}', which node '{table.writer}' writes: its job has the rows the "
            "table has when Dagster loads the code location, not those written during a run. "
            f"Run 'kedro run --nodes {table.writer}' first, then load (or reload) it.",
            fg="yellow",
            err=True,
        )
    for name in overlapping:
        click.secho(
            f"Warning: job '{name}' in {shown} runs nodes of a namespace job too; Dagster "
            "refuses to load two jobs that share a node ('Conflicting definitions'). "
            "Filter it (node_names, node_namespaces) or remove it.",
            fg="yellow",
            err=True,
        )


COMMANDS = (airflow, dagster)
