"""Datasets that cross tasks: what one task writes and another reads.

On an orchestrator every task is its own process, often on another machine. A
dataset one task writes and another reads must therefore be persisted (an
in-memory dataset is gone when its task ends), and, when the workers do not
share a disk, stored where every worker can reach it (object storage, a
database), not on the writer's local disk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kedro.pipeline import Pipeline

from .._checks.catalog_index import config_paths, resolved_configs, shown_path
from .airflow_tasks import AirflowTask

LOCAL_PROTOCOLS = ("file://", "local://")
MEMORY, LOCAL = "memory", "local"


@dataclass(frozen=True)
class Crossing:
    """A dataset written by one task and read by others."""

    dataset: str
    writer: str
    readers: tuple[str, ...]


def crossings(pipeline: Pipeline, tasks: Sequence[AirflowTask]) -> list[Crossing]:
    """Every dataset of ``pipeline`` that one task writes and another task reads,
    in the pipeline's order."""
    task_of = {node: task.name for task in tasks for group in task.groups for node in group.nodes}
    writer = {
        out: task_of[node.name]
        for node in pipeline.nodes
        if node.name in task_of
        for out in node.outputs
    }
    readers: dict[str, dict[str, None]] = {}
    for node in pipeline.nodes:
        for dataset in node.inputs:
            if dataset in writer and writer[dataset] != task_of.get(node.name):
                readers.setdefault(dataset, {})[task_of.get(node.name, node.name)] = None
    return [Crossing(name, writer[name], tuple(found)) for name, found in readers.items()]


def unreachable(
    found: Iterable[Crossing],
    catalog: Mapping[str, Any],
    *,
    shared_disk: bool,
    project_path: str,
    origin: Callable[[str], str] = str,
) -> list[str]:
    """One line per config (a catalog entry, a dataset factory, or a catalog
    template named by ``origin``) whose
    crossing datasets a reading task could not load: kept in memory, or
    (without a shared disk) on the writer's local disk."""
    found = list(found)
    configs = resolved_configs(catalog, [c.dataset for c in found])
    grouped: dict[tuple[str, str], list[tuple[Crossing, str]]] = {}
    for crossing in found:
        config, pattern = configs[crossing.dataset]
        paths = [path for path, _ in config_paths(config)]
        local = [p for p in paths if "://" not in p or p.startswith(LOCAL_PROTOCOLS)]
        if not paths:
            problem, where = MEMORY, ""
        elif local and not shared_disk:
            problem, where = LOCAL, shown_path(local[0], project_path)
        else:
            continue
        source = pattern or origin(crossing.dataset)  # the config to change
        grouped.setdefault((source, problem), []).append((crossing, where))
    lines = []
    for (source, problem), members in grouped.items():
        crossing, where = members[0]
        between = f"written by task '{crossing.writer}', read by '{crossing.readers[0]}'"
        what = f"'{source}'"
        if len(members) > 1:
            what += f" ({len(members)} datasets, e.g. '{crossing.dataset}' {between})"
        elif source != crossing.dataset:
            what += f" ('{crossing.dataset}', {between})"
        else:
            what += f" ({between})"
        if problem == MEMORY:
            lines.append(
                f"{what} is kept in memory, which ends with its task: give it a catalog "
                "entry, a catalog template or a dataset factory."
            )
        else:
            lines.append(
                f"{what} is on a local disk ({where}), which other workers do not see: store it "
                "on object storage (s3://, gs://, abfs://) or a database."
            )
    return lines
