"""``kedro dynamic dagster``: one kedro-dagster job per namespace.

kedro-dagster reads its jobs from ``conf/<env>/dagster.yml``. A job per
namespace (``pipeline_name: <ns>``) runs the shared step once, then the
variants, then the collect step; under a multiprocess executor the variants'
ops run in parallel. This writes those jobs (and that executor) into the file,
leaving every other entry as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

EXECUTOR = "dynamic_pipelines"
HEADER = (
    "# Jobs named like a namespace of the dynamic pipelines declaration are written by\n"
    "# `kedro dynamic dagster`: run it again after changing the declaration.\n"
)


def namespace_jobs(namespaces: Iterable[str], executor: str = EXECUTOR) -> dict[str, Any]:
    """kedro-dagster job configs: one per namespace, on ``executor``."""
    return {ns: {"pipeline": {"pipeline_name": ns}, "executor": executor} for ns in namespaces}


def updated_config(
    current: Mapping[str, Any],
    namespaces: Iterable[str],
    *,
    max_concurrent: int,
    replace_executor: bool = False,
) -> tuple[dict[str, Any], list[str], list[str]]:
    """``current`` with a job per namespace and their multiprocess executor.

    The executor is written when absent, or with ``replace_executor`` (an
    explicit ``--max-concurrent``); otherwise the user's settings stay.

    Returns:
        The new config, the jobs added and the jobs replaced.
    """
    config = dict(current)
    jobs = dict(config.get("jobs") or {})
    wanted = namespace_jobs(namespaces)
    added = [name for name in wanted if name not in jobs]
    replaced = [name for name in wanted if name in jobs and jobs[name] != wanted[name]]
    jobs.update(wanted)
    executors = dict(config.get("executors") or {})
    wanted_executor = {"multiprocess": {"max_concurrent": max_concurrent}}
    if replace_executor:
        executors[EXECUTOR] = wanted_executor
    else:
        executors.setdefault(EXECUTOR, wanted_executor)
    config["executors"] = executors
    config["jobs"] = jobs
    return config, added, replaced


def write_config(path: Path, config: Mapping[str, Any]) -> None:
    """Write ``config`` as YAML (comments of the old file are not kept)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + yaml.safe_dump(dict(config), sort_keys=False), encoding="utf-8")


def read_config(path: Path) -> dict[str, Any]:
    """The YAML mapping in ``path``; empty when the file does not exist.

    Raises:
        ValueError: When the file is not a YAML mapping.
    """
    if not path.exists():
        return {}
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(loaded, dict):
        raise ValueError(f"{path} does not hold a YAML mapping.")
    return loaded
