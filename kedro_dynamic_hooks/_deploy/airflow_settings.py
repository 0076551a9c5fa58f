"""``airflow.yml``'s settings for the variant tasks, and the Airflow limits a DAG meets.

The DAG settings are kedro-airflow's (``default:``, then a section per
pipeline). Ours are ``max_active_tis_per_dagrun`` and ``pool`` for the variant
tasks, globally or per namespace under ``namespaces:``, ``shared_disk``, and
what Airflow's own configuration says where the writer must know it
(``parallelism``, ``max_map_length``; else the ``AIRFLOW__CORE__*`` variables).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from .._checks.groups import VARIANT
from .._constants import DEFAULT_PIPELINE
from .._declaration.names import did_you_mean
from .airflow_tasks import MAPPED, AirflowTask, widest

MAX_ACTIVE_TASKS = 16  # the DAG's max_active_tasks unless airflow.yml sets it
PARALLELISM = 32  # [core] parallelism
MAX_MAP_LENGTH = 1024  # [core] max_map_length
MANY_TASKS = 1000
TASK_KEYS = ("max_active_tis_per_dagrun", "pool")  # per-namespace settings of variant tasks


def _setting(config: Mapping[str, Any], key: str, env_var: str, default: int) -> int:
    """An Airflow setting the writer needs to know: ``airflow.yml``, else the
    environment's ``AIRFLOW__CORE__*`` (when ``env_var`` is given), else Airflow's
    default."""
    if key in config:
        value, where = config[key], f"'{key}' in conf/<env>/airflow.yml"
    elif env_var and env_var in os.environ:
        value, where = os.environ[env_var], env_var
    else:
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where} must be a whole number, not {value!r}.") from exc


def namespace_settings(config: Mapping[str, Any], namespace: str | None) -> dict[str, Any]:
    """The variant tasks' settings for ``namespace``: ``max_active_tis_per_dagrun``
    and ``pool`` from the DAG config, then from ``namespaces.<ns>`` in it."""
    settings = {key: config[key] for key in TASK_KEYS if config.get(key) is not None}
    own = (config.get("namespaces") or {}).get(namespace) or {}
    settings.update({key: own[key] for key in TASK_KEYS if own.get(key) is not None})
    return settings


def check_task_settings(config: Mapping[str, Any], namespaces: Sequence[str]) -> None:
    """Refuse task settings in ``airflow.yml`` that would be ignored or fail in Airflow.

    Raises:
        ValueError: Naming the key in ``conf/<env>/airflow.yml`` and the fix.
    """
    where = "conf/<env>/airflow.yml"
    sections: list[tuple[str, Mapping[str, Any]]] = [("", config)]
    own = config.get("namespaces") or {}
    if not isinstance(own, Mapping):
        raise ValueError(f"'namespaces' in {where} must map namespace names to settings.")
    for name, settings in own.items():
        if name not in namespaces:
            raise ValueError(
                f"'namespaces.{name}' in {where} is not a namespace of the declaration "
                f"({', '.join(namespaces)}).{did_you_mean(str(name), list(namespaces))}"
            )
        if not isinstance(settings, Mapping):
            raise ValueError(f"'namespaces.{name}' in {where} must be a mapping of settings.")
        unknown = [key for key in settings if key not in TASK_KEYS]
        if unknown:
            raise ValueError(
                f"'namespaces.{name}.{unknown[0]}' in {where} is not a task setting; they are "
                f"{', '.join(TASK_KEYS)}.{did_you_mean(str(unknown[0]), list(TASK_KEYS))}"
            )
        sections.append((f"namespaces.{name}.", settings))
    for prefix, settings in sections:
        cap = settings.get("max_active_tis_per_dagrun")
        if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 1):
            raise ValueError(
                f"'{prefix}max_active_tis_per_dagrun' in {where} must be a whole number of at "
                f"least 1, not {cap!r}."
            )
        pool = settings.get("pool")
        if pool is not None and (not isinstance(pool, str) or not pool):
            raise ValueError(f"'{prefix}pool' in {where} must be a pool's name, not {pool!r}.")


def limits(
    tasks: Sequence[AirflowTask], config: Mapping[str, Any], *, pipeline: str, form: str
) -> tuple[int, list[str]]:
    """The most task instances that can run at once, and the Airflow limits the DAG
    meets, as warnings.

    Raises:
        ValueError: When a mapped task has more instances than Airflow's
            ``max_map_length``: that DAG would fail when it runs.
    """
    max_map = _setting(config, "max_map_length", "AIRFLOW__CORE__MAX_MAP_LENGTH", MAX_MAP_LENGTH)
    for task in tasks:
        if task.mapped and len(task.batches) > max_map:
            size = -(-task.variants // max_map)
            raise ValueError(
                f"namespace '{task.namespace}' would map {len(task.batches)} task instances, "
                f"more than Airflow's max_map_length ({max_map}), so the DAG would fail when it "
                f"runs. Pass --batch-size {size} (or more), or raise [core] max_map_length and "
                "say so with 'max_map_length' in conf/<env>/airflow.yml. Nothing was written."
            )
    caps = {
        task.name: int(settings["max_active_tis_per_dagrun"])
        for task in tasks
        if task.mapped
        and "max_active_tis_per_dagrun" in (settings := namespace_settings(config, task.namespace))
    }
    width = widest(tasks, caps)
    warnings = []
    # The DAG sets max_active_tasks itself (16 unless airflow.yml says otherwise).
    per_dag = _setting(config, "max_active_tasks", "", MAX_ACTIVE_TASKS)
    parallelism = _setting(config, "parallelism", "AIRFLOW__CORE__PARALLELISM", PARALLELISM)
    cap, why = min(
        (per_dag, "max_active_tasks, per DAG run"),
        (parallelism, "[core] parallelism, per scheduler"),
    )
    if width > cap:
        warnings.append(
            f"up to {width} task instances can run at once, but Airflow runs at most {cap} "
            f"({why}). Raise 'max_active_tasks' in conf/<env>/airflow.yml, or "
            "[core] parallelism (say so with 'parallelism' there), if your workers can take more."
        )
    pools = sorted(
        {
            str(s["pool"])
            for t in tasks
            if (t.mapped or t.kind == VARIANT)
            and (s := namespace_settings(config, t.namespace)).get("pool")
        }
    )
    if pools:
        warnings.append(
            f"variant tasks run in pool(s) {', '.join(repr(p) for p in pools)}: create them "
            "('airflow pools set <name> <slots> <description>') before the first run; their "
            "slots also bound how many run at once."
        )
    if len(tasks) > MANY_TASKS:
        advice = (
            "Write mapped tasks (the default: --tasks mapped)."
            if form != MAPPED
            else "Consider one DAG per namespace: --pipelines <namespace>."
            if pipeline == DEFAULT_PIPELINE
            else "Most are groups that cannot be mapped (a chain's months, nodes of no namespace)."
        )
        warnings.append(
            f"the DAG has {len(tasks)} tasks; Airflow's scheduler and UI slow down with more "
            f"than about {MANY_TASKS}. {advice}"
        )
    return width, warnings


def shared_disk(settings: Mapping[str, Any]) -> bool:
    """Whether the workers share the disk the project's data is on (``airflow.yml``:
    ``shared_disk``, true by default, as on one machine)."""
    value = settings.get("shared_disk", True)
    if not isinstance(value, bool):
        raise ValueError(
            f"'shared_disk' in conf/<env>/airflow.yml must be true or false, not {value!r}."
        )
    return value
