"""A folder dataset is read only after every node that writes files inside it.

A ``PartitionedDataset`` (or ``IncrementalDataset``) lists its folder when it
loads. When the variants write their outputs into that folder as datasets of
their own, nothing links them to the node that reads the folder, and Kedro may
run that node first: the first run finds no partitions, and later runs
silently read the files an earlier run left. The reader must run after every
writer, which only a dataset between them guarantees.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kedro.pipeline import Pipeline
from kedro.pipeline.node import Node

from .._constants import FOLDER_TYPES, is_parameter
from .._errors import ProjectError
from .._expansion.nodes import base_name
from .catalog_index import locations


def _has_folder_type(catalog: Mapping[str, Any]) -> bool:
    def folder(config: Any) -> bool:
        if not isinstance(config, Mapping):
            return False
        if str(config.get("type", "")).endswith(FOLDER_TYPES):
            return True
        return any(folder(value) for value in config.values())

    return any(folder(config) for config in catalog.values())


def _ancestors(pipeline: Pipeline) -> dict[Node, frozenset[Node]]:
    parents = pipeline.node_dependencies
    found: dict[Node, frozenset[Node]] = {}
    for node in pipeline.nodes:  # Kedro's order: parents first
        above: set[Node] = set()
        for parent in parents.get(node, ()):
            above.add(parent)
            above |= found[parent]
        found[node] = frozenset(above)
    return found


def folder_reads_before_writes(
    pipeline: Pipeline, catalog: Mapping[str, Any], *, project_path: str, run: str
) -> list[ProjectError]:
    """A finding for every node that reads a folder dataset without running after
    each node that writes a file inside that folder.

    Args:
        pipeline: What runs.
        catalog: The catalog config (explicit entries, patterns, templates).
        project_path: Where relative filepaths start.
        run: The command, for the message (``kedro run``).
    """
    if not _has_folder_type(catalog):
        return []  # the common case costs one look at the config
    names = sorted(name for name in pipeline.datasets() if not is_parameter(name))
    found = locations(catalog, names, project_path=project_path)
    readers: dict[str, list[Node]] = {}
    writer: dict[str, Node] = {}
    for node in pipeline.nodes:
        for name in node.inputs:
            readers.setdefault(name, []).append(node)
        for name in node.outputs:
            writer[name] = node
    folders = [place for name in names for place in found[name] if place.folder and name in readers]
    if not folders:
        return []
    ancestors = _ancestors(pipeline)
    problems: list[ProjectError] = []
    for folder in folders:
        inside = folder.key.rstrip("/") + "/"
        for name in names:
            if base_name(name) == base_name(folder.dataset) or name not in writer:
                continue
            if not any(p.key.startswith(inside) for p in found[name]):
                continue
            wrote = writer[name]
            for reader in readers[folder.dataset]:
                if wrote in ancestors[reader] or wrote is reader:
                    continue
                problems.append(
                    ProjectError(
                        f"node '{reader.name}' reads folder dataset '{folder.dataset}' "
                        f"('{folder.path}'), which holds '{name}', written by node "
                        f"'{wrote.name}'; no dataset makes '{reader.name}' run after it, so "
                        f"'{run}' may read the folder first: no partitions on the first run, "
                        "the previous run's files after that. Make the reader take the "
                        f"written datasets as inputs (a 'collect' step does), or give "
                        f"'{folder.dataset}' a folder of its own.",
                        path=folder.dataset,
                        source="the catalog",
                    )
                )
                break  # one finding per (folder, dataset written inside it)
    return problems
