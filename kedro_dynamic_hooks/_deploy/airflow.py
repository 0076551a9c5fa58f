"""``kedro dynamic airflow``: an Airflow 3 DAG with one task per task group.

The DAG file is rendered from a Jinja template, as ``kedro airflow create``
does, and the template receives the same variables (``node_objs``, ``env``,
``pipeline_name``, ``package_name``, ``conf_source``, ``dag_name`` and the DAG
config from ``airflow.yml``), so kedro-airflow's own template also renders our
groups; ours adds ``selecting`` so that each task builds only its variants.
Jinja comes with Kedro; Airflow itself is needed only where the DAG runs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._checks.groups import TaskGroup, task_groups
from .._constants import DEFAULT_PIPELINE
from .._declaration.names import did_you_mean
from .._expansion.result import Expansion

TEMPLATE = Path(__file__).parent / "templates" / "airflow_dag.j2"
DEFAULT_ENV = "local"
# Airflow's defaults that a DAG of many variants meets first.
MAX_ACTIVE_TASKS = 16
MANY_TASKS = 1000
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


def task_ids(groups: Sequence[TaskGroup]) -> dict[str, str]:
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


def limits(groups: Sequence[TaskGroup], config: Mapping[str, Any]) -> tuple[int, list[str]]:
    """The DAG's widest level and the Airflow limits it meets, as warnings."""
    widest = widest_level(groups)
    warnings = []
    cap = int(config.get("max_active_tasks", MAX_ACTIVE_TASKS))
    if widest > cap:
        warnings.append(
            f"up to {widest} tasks can run at once, but Airflow runs at most {cap} tasks of "
            "a DAG run at a time (max_active_tasks). Raise it with 'max_active_tasks' in "
            "conf/<env>/airflow.yml if your workers can take more."
        )
    if len(groups) > MANY_TASKS:
        warnings.append(
            f"the DAG has {len(groups)} tasks; Airflow's scheduler and UI slow down with more "
            f"than about {MANY_TASKS}. Consider one DAG per namespace: --pipelines <namespace>."
        )
    return widest, warnings


def render(
    template_file: Path,
    *,
    target: Path,
    groups: Sequence[TaskGroup],
    pipeline_name: str,
    package_name: str,
    dag_name: str,
    env: str,
    conf_source: str,
    config: Mapping[str, Any],
) -> None:
    """Write the DAG file ``target`` from ``template_file``."""
    import jinja2

    loader = jinja2.FileSystemLoader(template_file.parent)
    environment = jinja2.Environment(autoescape=True, loader=loader, lstrip_blocks=True)
    ids = task_ids(groups)
    # kedro-airflow's templates slugify node names for task ids: ours are unique.
    environment.filters["slugify"] = lambda text: ids.get(text) or slugify(text)
    template = environment.get_template(template_file.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    template.stream(
        dag_name=dag_name,
        node_objs=list(groups),
        env=env,
        pipeline_name=pipeline_name,
        package_name=package_name,
        conf_source=conf_source,
        **config,
    ).dump(str(target))


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
    """One DAG file to write: which pipeline, its groups, where, under which id."""

    pipeline: str
    groups: list[TaskGroup]
    dag_name: str
    target: Path
    config: dict[str, Any]
    widest: int
    warnings: list[str]


def dag_plans(
    pipelines: Mapping[str, Any],
    expansion: Expansion,
    names: Sequence[str],
    *,
    package: str,
    env: str,
    folder: Path,
    config: Mapping[str, Any],
) -> list[DagPlan]:
    """Every DAG file ``kedro dynamic airflow`` would write, checked before any is.

    Raises:
        ValueError: For an unknown pipeline, or two pipelines whose DAGs would
            share a file or a dag id (the second would replace the first).
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
        settings = dag_config(config, name)
        widest, warnings = limits(groups, settings)
        dag = dag_name(package, env, name)
        plans.append(
            DagPlan(name, groups, dag, folder / f"{dag}_dag.py", settings, widest, warnings)
        )
    seen: dict[str, str] = {}
    for plan in plans:
        for key in (plan.target.name, slugify(plan.dag_name)):
            if key in seen and seen[key] != plan.pipeline:
                raise ValueError(
                    f"pipelines '{seen[key]}' and '{plan.pipeline}' would both be written as "
                    f"'{plan.target.name}' (dag id '{slugify(plan.dag_name)}'): the second "
                    "would replace the first. Write them one at a time with --target-dir, "
                    "or rename one. Nothing was written."
                )
            seen[key] = plan.pipeline
    return plans
