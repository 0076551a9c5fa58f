"""``kedro dynamic airflow``: an Airflow 3 DAG of the task groups, variants mapped.

The DAG file is rendered from a Jinja template, as ``kedro airflow create``
does, and the template receives the same variables (``node_objs``, ``env``,
``pipeline_name``, ``package_name``, ``conf_source``, ``dag_name`` and the DAG
config from ``airflow.yml``), so kedro-airflow's own template also renders our
groups, a task each. Ours adds ``tasks`` (each namespace's variants as one
mapped task, :mod:`.airflow_tasks`) and ``selecting``, so that each task
builds only its variants.
Jinja comes with Kedro; Airflow itself is needed only where the DAG runs.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from .._checks.catalog_index import dataset_origin_path
from .._checks.groups import GROUP_KINDS, SHARED, VARIANT, TaskGroup, task_groups
from .._checks.table_writers import produced
from .._constants import DEFAULT_KEY, DEFAULT_PIPELINE
from .._declaration.names import did_you_mean
from .._expansion.result import Expansion
from .airflow_settings import check_task_settings, limits, namespace_settings, shared_disk
from .airflow_tasks import LISTING, MAPPED, AirflowTask, TaskPlan, airflow_tasks, with_listings
from .crossing import crossings, unreachable

TEMPLATE = Path(__file__).parent / "templates" / "airflow_dag.j2"
DEFAULT_ENV = "local"
# Airflow's defaults that a DAG of many variants meets first.
MAX_ID_LENGTH = 200  # Airflow allows 250 characters in a task id


def slugify(text: str) -> str:
    """Airflow-safe ids as kedro-airflow makes them: lower case, runs of other
    characters as one ``-``."""
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")


def dag_name(package: str, env: str, pipeline: str) -> str:
    """``<package>[_<env>][_<pipeline>]``, a Python-safe name: the DAG file is
    ``<name>_dag.py`` (as ``kedro airflow create`` names it) and its slug is the
    dag id, so one DAG per pipeline gets ids of its own."""
    name = package
    if env != DEFAULT_ENV:
        name += f"_{env}"
    if pipeline != DEFAULT_PIPELINE:
        name += f"_{pipeline}"
    return re.sub(r"[^A-Za-z0-9_]+", "_", name)


def dag_config(config: Mapping[str, Any], pipeline: str) -> dict[str, Any]:
    """The DAG settings of ``airflow.yml``: its ``default`` section, then the pipeline's."""
    merged: dict[str, Any] = {}
    merged.update(config.get("default") or {})
    merged.update(config.get(pipeline) or {})
    return merged


def widest_level(groups: Sequence[TaskGroup]) -> int:
    """The most groups at one depth of the graph: tasks that can run at once."""
    depth: dict[str, int] = {}
    for group in groups:  # in dependency order
        depth[group.name] = 1 + max((depth[d] for d in group.dependencies), default=-1)
    levels: dict[int, int] = {}
    for level in depth.values():
        levels[level] = levels.get(level, 0) + 1
    return max(levels.values(), default=0)


def task_ids(groups: Sequence[TaskGroup | AirflowTask]) -> dict[str, str]:
    """Group name -> its Airflow task id: valid and unique for every valid Kedro name.

    The id is the name's slug, as kedro-airflow makes it, when that slug is
    unique, non-empty and short. Otherwise (``a.b`` and ``a_b``, a name in
    another alphabet) a digest of the name follows the slug, so that no two
    groups share an id and none is empty.
    """
    slugs = {group.name: slugify(group.name) for group in groups}
    counts: dict[str, int] = {}
    for slug in slugs.values():
        counts[slug] = counts.get(slug, 0) + 1
    ids = {}
    for name, slug in slugs.items():
        ids[name] = slug
        if not slug or counts[slug] > 1 or len(slug) > MAX_ID_LENGTH:
            digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]
            ids[name] = f"{slug[: MAX_ID_LENGTH - 11] or 'task'}-{digest}"
    return ids


def conf_source_for(conf_source: str, project_path: str) -> str:
    """``--conf-source`` as a worker must read it: a relative folder or archive is
    relative to the project, wherever the worker starts; URLs and absolute paths
    stay as given, and an empty one means the project's own."""
    absolute = (
        PurePosixPath(conf_source).is_absolute() or PureWindowsPath(conf_source).is_absolute()
    )
    if not conf_source or "://" in conf_source or absolute:
        return conf_source
    return posixpath.normpath(f"{project_path.rstrip('/')}/{conf_source}")


def is_absolute(path: str) -> bool:
    """Whether ``path`` is absolute on POSIX or Windows (workers may be either)."""
    return any(kind(path).is_absolute() for kind in (PurePosixPath, PureWindowsPath))


def maps_variants(template_file: Path) -> bool:
    """Whether a DAG template writes our ``tasks`` (mapped ones included); one
    that knows only kedro-airflow's ``node_objs`` writes a task per group."""
    import jinja2
    from jinja2 import meta

    environment = jinja2.Environment(autoescape=True)
    environment.filters.update(slugify=str, pyrepr=repr)  # parsing checks filters exist
    source = template_file.read_text(encoding="utf-8")
    return "tasks" in meta.find_undeclared_variables(environment.parse(source))


def render(
    template_file: Path,
    *,
    target: Path,
    plan: DagPlan,
    package_name: str,
    env: str,
    project_path: str,
    conf_source: str,
) -> None:
    """Write the DAG file ``target`` from ``template_file``.

    The template receives kedro-airflow's variables (``node_objs`` are the task
    groups) and ours: ``tasks`` (mapped or not), ``task_settings`` (task name ->
    ``max_active_tis_per_dagrun``/``pool``), ``project_path``, and the filters
    ``slugify`` (unique task ids) and ``pyrepr`` (a Python literal).
    """
    import jinja2
    from markupsafe import Markup

    loader = jinja2.FileSystemLoader(template_file.parent)
    environment = jinja2.Environment(autoescape=True, loader=loader, lstrip_blocks=True)
    ids = task_ids(plan.tasks)  # per variant, the tasks are the groups
    # kedro-airflow's templates slugify node names for task ids: ours are unique.
    environment.filters["slugify"] = lambda text: ids.get(text) or slugify(text)
    environment.filters["pyrepr"] = lambda value: Markup(repr(value))
    template = environment.get_template(template_file.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    template.stream(
        dag_name=plan.dag_name,
        node_objs=list(plan.groups),
        tasks=plan.tasks,
        task_settings={
            task.name: namespace_settings(plan.config, task.namespace)
            for task in plan.tasks
            if task.mapped or task.kind == VARIANT
        },
        env=env,
        pipeline_name=plan.pipeline,
        package_name=package_name,
        project_path=project_path,
        conf_source=conf_source,
        **plan.config,
    ).dump(str(target))


def summary(plan: DagPlan) -> str:
    """``6 task(s) (1 shared, 1 mapped over 4 variants in 2 instances, 3 variant, 1 collect)``."""
    counts = Counter(task.kind for task in plan.tasks)
    mapped = [task for task in plan.tasks if task.mapped and not task.listed_by]
    listed = [task for task in plan.tasks if task.listed_by]
    parts = []
    for kind in (SHARED, MAPPED, *GROUP_KINDS[1:], LISTING):
        if kind == MAPPED:
            if mapped:
                variants = sum(task.variants for task in mapped)
                instances = sum(len(task.batches) for task in mapped)
                parts.append(
                    f"{len(mapped)} mapped over {variants} variants in {instances} instances"
                )
            if listed:
                parts.append(f"{len(listed)} mapped over a table's rows when the DAG runs")
        elif kind == LISTING and counts[kind]:
            parts.append(f"{counts[kind]} reading a table's rows")
        elif counts[kind]:
            parts.append(f"{counts[kind]} {kind}")
    return f"{len(plan.tasks)} task(s) ({', '.join(parts)})"


def airflow_config(loader: Any) -> dict[str, Any]:
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


@dataclass(frozen=True)
class DagPlan:
    """One DAG file to write: which pipeline, its groups and tasks, where, under which id."""

    pipeline: str
    groups: list[TaskGroup]
    tasks: list[AirflowTask]
    unmapped: dict[str, str]
    dag_name: str
    target: Path
    config: dict[str, Any]
    widest: int
    warnings: list[str]


def _table_writers(
    pipelines: Mapping[str, Any], expansion: Expansion, name: str
) -> dict[str, str | None]:
    """Namespace -> the node of pipeline ``name`` that writes its table (``None``:
    a node outside it), for every table a node of the project writes."""
    declaration = expansion.declaration
    whole = pipelines.get(DEFAULT_PIPELINE)
    if declaration is None or whole is None:
        return {}
    here = {n.name for n in pipelines[name].nodes}
    return {
        t.namespace: t.writer if t.writer in here else None for t in produced(declaration, whole)
    }


def dag_plans(
    pipelines: Mapping[str, Any],
    expansion: Expansion,
    names: Sequence[str],
    *,
    package: str,
    env: str,
    folder: Path,
    config: Mapping[str, Any],
    form: str = MAPPED,
    batch_size: int = 1,
    catalog: Mapping[str, Any] | None = None,
    project_path: str = "",
    key: str = DEFAULT_KEY,
) -> list[DagPlan]:
    """Every DAG file ``kedro dynamic airflow`` would write, checked before any is.

    Raises:
        ValueError: For an unknown pipeline, two pipelines whose DAGs would
            share a file or a dag id (the second would replace the first), or a
            map longer than Airflow allows.
        DynamicPipelinesError: When a pipeline's task groups cannot be ordered.
    """
    plans: list[DagPlan] = []
    for name in dict.fromkeys(names):
        if name not in pipelines:
            known = list(expansion.variants)
            raise ValueError(
                f"Unknown pipeline '{name}'. Namespaces: {', '.join(known)}; "
                f"'__default__' holds every one.{did_you_mean(name, known)}"
            )
        groups = task_groups(pipelines[name], expansion)
        tasks: TaskPlan = airflow_tasks(groups, form=form, batch_size=batch_size)
        tasks = with_listings(
            tasks, _table_writers(pipelines, expansion, name), batch_size=batch_size
        )
        settings = dag_config(config, name)
        check_task_settings(settings, list(expansion.variants))
        width, warnings = limits(tasks.tasks, settings, pipeline=name, form=form)
        if catalog is not None:
            problems = unreachable(
                crossings(pipelines[name], tasks.tasks),
                catalog,
                shared_disk=shared_disk(settings),
                project_path=project_path,
                origin=lambda dataset: dataset_origin_path(dataset, expansion, key),
                task_id=task_ids(tasks.tasks).__getitem__,
            )
            if problems:
                where = "" if shared_disk(settings) else " (airflow.yml: shared_disk: false)"
                raise ValueError(
                    f"the tasks of pipeline '{name}' could not read what other tasks write"
                    f"{where}:\n"
                    + "\n".join(f"  {problem}" for problem in problems)
                    + "\nNothing was written."
                )
        dag = dag_name(package, env, name)
        plans.append(
            DagPlan(
                name,
                groups,
                tasks.tasks,
                tasks.unmapped,
                dag,
                folder / f"{dag}_dag.py",
                settings,
                width,
                warnings,
            )
        )
    seen: dict[str, str] = {}
    for plan in plans:
        for taken in (plan.target.name, slugify(plan.dag_name)):
            if taken in seen and seen[taken] != plan.pipeline:
                raise ValueError(
                    f"pipelines '{seen[taken]}' and '{plan.pipeline}' would both be written as "
                    f"'{plan.target.name}' (dag id '{slugify(plan.dag_name)}'): the second "
                    "would replace the first. Write them one at a time with --target-dir, "
                    "or rename one. Nothing was written."
                )
            seen[taken] = plan.pipeline
    return plans
