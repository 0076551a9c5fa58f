"""``kedro dynamic airflow`` and ``dagster``: deploy the variants to an orchestrator."""

from __future__ import annotations

from pathlib import Path

import click
import yaml
from kedro.framework.cli.utils import split_string

from .._checks.catalog_index import shown_path
from .._checks.groups import task_groups
from .._constants import DEFAULT_PIPELINE
from .._deploy import airflow as _airflow
from .._deploy import airflow_tasks as _tasks
from .._deploy import dagster as _dagster
from .._errors import DynamicPipelinesError
from .._runtime.reporting import reported
from .._runtime.session import open_project
from .options import env_option


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
    if batch_size > 1 and form != _tasks.MAPPED:
        raise click.UsageError(
            "--batch-size groups the instances of a mapped task: use it with --tasks mapped."
        )
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
        for plan in plans:
            try:
                _airflow.render(
                    jinja_file or _airflow.TEMPLATE,
                    target=plan.target,
                    plan=plan,
                    package_name=str(PACKAGE_NAME),
                    env=run_env,
                    project_path=project_path or project.resolve().as_posix(),
                    conf_source=conf_source,
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
    help="Replace jobs named like a namespace that differ from the job this writes "
    "(refused by default: they may be yours).",
)
def dagster(env: str | None, max_concurrent: int | None, replace: bool) -> None:
    """Write one kedro-dagster job per namespace into conf/<env>/dagster.yml.

    Each job runs its namespace's shared step once, the variants in parallel
    (multiprocess executor), then the collect step. Other jobs and settings in
    the file are kept (its comments are not).
    """

    with open_project(env) as loaded:
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
    if replaced and not replace:
        raise click.ClickException(
            f"{shown_path(path.as_posix(), project.as_posix())} already has job(s) "
            f"{', '.join(repr(name) for name in replaced)}, named like a namespace but not "
            "the job this command writes. Rename yours, or pass --replace to overwrite them. "
            "Nothing was written."
        )
    try:
        _dagster.write_config(path, config)
    except OSError as exc:
        raise click.ClickException(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    shown = shown_path(path.as_posix(), project.as_posix())
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


COMMANDS = (airflow, dagster)
