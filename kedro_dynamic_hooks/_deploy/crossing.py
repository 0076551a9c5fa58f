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
from .._expansion.nodes import base_name
from .airflow_tasks import AirflowTask

LOCAL_PROTOCOLS = ("file://", "local://")
MEMORY_TYPES = ("MemoryDataset", "SharedMemoryDataset")
MEMORY, LOCAL = "memory", "local"


@dataclass(frozen=True)
class Crossing:
    """A dataset written by one task and read by others.

    Attributes:
        dataset: Its name as written (``x@pandas`` for a transcoded one).
        writer: The task that writes it.
        readers: The tasks that read it.
        names: Every name it goes by here (``x@pandas``, ``x@spark``).
    """

    dataset: str
    writer: str
    readers: tuple[str, ...]
    names: tuple[str, ...] = ()


def crossings(pipeline: Pipeline, tasks: Sequence[AirflowTask]) -> list[Crossing]:
    """Every dataset of ``pipeline`` that one task writes and another task reads,
    in the pipeline's order (a transcoded dataset is one, whatever its suffix)."""
    task_of = {node: task.name for task in tasks for node in task.nodes}
    written: dict[str, tuple[str, str]] = {}  # base name -> (name as written, task)
    for node in pipeline.nodes:
        if node.name in task_of:
            for out in node.outputs:
                written[base_name(out)] = (out, task_of[node.name])
    readers: dict[str, dict[str, None]] = {}
    names: dict[str, dict[str, None]] = {}
    for node in pipeline.nodes:
        for dataset in node.inputs:
            base = base_name(dataset)
            if base in written and written[base][1] != task_of.get(node.name):
                readers.setdefault(base, {})[task_of.get(node.name, node.name)] = None
                names.setdefault(base, {written[base][0]: None})[dataset] = None
    return [
        Crossing(written[base][0], written[base][1], tuple(found), tuple(names[base]))
        for base, found in readers.items()
    ]


def _in_memory(config: Any) -> bool:
    """Whether a dataset config keeps the data in the process (no config: Kedro's
    default ``MemoryDataset``)."""
    if config is None:
        return True
    kind = str(config.get("type", "")) if isinstance(config, Mapping) else ""
    return kind.split(".")[-1] in MEMORY_TYPES


def unreachable(
    found: Iterable[Crossing],
    catalog: Mapping[str, Any],
    *,
    shared_disk: bool,
    project_path: str,
    origin: Callable[[str], str] = str,
    task_id: Callable[[str], str] = str,
) -> list[str]:
    """One line per config (a catalog entry, a dataset factory, or a catalog
    template named by ``origin``) whose
    crossing datasets a reading task could not load: kept in memory, or
    (without a shared disk) on the writer's local disk."""
    found = list(found)
    configs = resolved_configs(catalog, [n for c in found for n in (c.names or (c.dataset,))])
    grouped: dict[tuple[str, str], list[tuple[Crossing, str]]] = {}
    for crossing in found:
        for name in crossing.names or (crossing.dataset,):
            config, pattern = configs[name]
            paths = [path for path, _ in config_paths(config)]
            local = [p for p in paths if "://" not in p or p.startswith(LOCAL_PROTOCOLS)]
            if _in_memory(config):
                problem, where = MEMORY, ""
            elif local and not shared_disk:
                problem, where = LOCAL, shown_path(local[0], project_path)
            else:
                continue
            break
        else:
            continue
        source = pattern or origin(name)  # the config to change
        grouped.setdefault((source, problem), []).append((crossing, where))
    lines = []
    for (source, problem), members in grouped.items():
        crossing, where = members[0]
        between = (
            f"written by task '{task_id(crossing.writer)}', read by "
            f"'{task_id(crossing.readers[0])}'"
        )
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
