"""``kedro dynamic airflow`` and ``dagster``: deploy the variants to an orchestrator."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click
import yaml
from kedro.framework.cli.utils import split_string

from .._checks.catalog_index import shown_path
from .._checks.groups import GROUP_KINDS, task_groups
from .._constants import DEFAULT_PIPELINE
from .._deploy import airflow as _airflow
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
                    groups=plan.groups,
                    pipeline_name=plan.pipeline,
                    package_name=str(PACKAGE_NAME),
                    dag_name=plan.dag_name,
                    env=run_env,
                    conf_source=conf_source,
                    config=plan.config,
                )
            except OSError as exc:
                raise click.ClickException(f"Cannot write {plan.target}: {exc}.") from exc
    for plan in plans:
        kinds = Counter(group.kind for group in plan.groups)
        shown = ", ".join(f"{kinds[kind]} {kind}" for kind in GROUP_KINDS if kinds[kind])
        click.echo(
            f"Wrote {shown_path(plan.target.as_posix(), project.as_posix())}: pipeline "
            f"'{plan.pipeline}', {len(plan.groups)} task(s) ({shown}), up to {plan.widest} at once."
        )
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
