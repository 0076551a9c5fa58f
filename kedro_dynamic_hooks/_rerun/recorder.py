"""Record each task group's run in the state file as it finishes.

The hook keeps one :class:`RunRecorder` per run. A group is recorded once every
one of its nodes has succeeded and saved its outputs in this run (and only if
the run holds the whole group: ``--nodes`` of one node of a variant records
nothing), or as failed when one of its nodes fails. Kedro fires
``after_node_run`` before it saves the node's outputs, so a node counts as done
at its last ``after_dataset_saved``: the record holds the identity of the
files as written. With ``ParallelRunner`` the node hooks run in worker
processes, so the groups are recorded when the whole run succeeds.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from kedro.pipeline import Pipeline

from .._checks.catalog_index import Normaliser, config_paths, resolved_configs, shown_path
from .._checks.groups import NODE, SHARED, VARIANT, TaskGroup, members, task_groups
from .._constants import LOGGER, PATH_KEYS
from .._expansion.result import Expansion
from .fingerprint import GroupPrint, group_print
from .identity import Identities
from .journal import append_records, compact, read_state

logger = logging.getLogger(LOGGER)

# Dataset types that keep data in the process: a later run cannot read them.
MEMORY_TYPES = frozenset({"MemoryDataset", "SharedMemoryDataset"})


class Paths:
    """Dataset name -> its local filepath (absolute) and resolved catalog config,
    resolved once per name."""

    def __init__(self, catalog: Mapping[str, Any], project_path: str) -> None:
        self._catalog = catalog
        self._normalise = Normaliser(project_path)
        self._known: dict[str, str | None] = {}
        self._configs: dict[str, Any] = {}

    def resolve(self, names: Iterable[str]) -> None:
        """Resolve ``names`` together (one pass over the dataset factories)."""
        wanted = [n for n in names if n not in self._known]
        if wanted:
            for name, (config, _) in resolved_configs(self._catalog, wanted).items():
                self._configs[name] = config
                path = next(config_paths(config), (None, False))[0]
                self._known[name] = None if path is None else self._normalise(path)

    def config(self, name: str) -> Any:
        """The dataset's resolved catalog config, or ``None`` (no entry, no pattern),
        with its paths relative to the project: Kedro makes the run's catalog
        paths absolute in place, and a moved checkout holds the same data."""
        self.resolve([name])
        return self._portable(self._configs[name])

    def in_memory(self, name: str) -> bool:
        """Whether the dataset lives in memory only: no catalog entry or pattern
        (Kedro makes a ``MemoryDataset``), or a memory type."""
        config = self.config(name)
        if not isinstance(config, Mapping):
            return True
        return str(config.get("type", "")).rsplit(".", 1)[-1] in MEMORY_TYPES

    def _portable(self, config: Any) -> Any:
        if not isinstance(config, Mapping):
            return config
        return {
            key: (
                shown_path(self._normalise(value), self._normalise.project_path)
                if key in PATH_KEYS and isinstance(value, str) and value
                else self._portable(value)
            )
            for key, value in config.items()
        }

    def __call__(self, name: str) -> str | None:
        self.resolve([name])
        return self._known[name]

    def missing(self, names: Sequence[str]) -> list[str]:
        """The names that have a local filepath where nothing exists."""
        self.resolve(names)
        return [
            n
            for n in names
            if (path := self._known[n]) is not None
            and "://" not in path
            and not os.path.exists(path)
        ]


class Prints:
    """Fingerprints of task groups of one pipeline, with what they share computed once.

    Args:
        pipeline: The pipeline the groups are part of.
        parameters: The expanded parameters.
        paths: Resolves datasets' filepaths and configs.
        hints: Dataset name -> an identity recorded earlier, reused while the
            file's size and mtime are unchanged (its content is not read again).
    """

    def __init__(
        self,
        pipeline: Pipeline,
        parameters: Mapping[str, Any],
        paths: Paths,
        hints: Mapping[str, str] | None = None,
    ) -> None:
        self._nodes = {node.name: node for node in pipeline.nodes}
        self._produced = {out for node in pipeline.nodes for out in node.outputs}
        self._parameters = parameters
        self._paths = paths
        self._identities = Identities(hints)

    def of(self, group: TaskGroup) -> GroupPrint:
        """The group's fingerprint, now."""
        nodes = [self._nodes[name] for name in group.nodes]
        self._paths.resolve(d for node in nodes for d in (*node.inputs, *node.outputs))
        return group_print(
            nodes,
            self._parameters,
            self._produced,
            self._paths,
            prefix=f"{group.name}." if group.kind in (SHARED, VARIANT) else "",
            identities=self._identities,
            config=self._paths.config,
        )


def prints_of(
    groups: Iterable[TaskGroup],
    pipeline: Pipeline,
    parameters: Mapping[str, Any],
    paths: Paths,
    hints: Mapping[str, str] | None = None,
) -> dict[str, GroupPrint]:
    """The fingerprint of each group of ``pipeline``, now."""
    paths.resolve(d for node in pipeline.nodes for d in (*node.inputs, *node.outputs))
    prints = Prints(pipeline, parameters, paths, hints)
    return {group.name: prints.of(group) for group in groups}


def recorded_identities(state: Mapping[str, Any]) -> dict[str, str]:
    """Every file identity the journal's records hold, by dataset name."""
    found: dict[str, str] = {}
    for record in state.values():
        printed = record.get("print") if isinstance(record, Mapping) else None
        if isinstance(printed, Mapping):
            for kind in ("inputs", "outputs"):
                identities = printed.get(kind)
                if isinstance(identities, Mapping):
                    found.update({str(k): str(v) for k, v in identities.items()})
    return found


class RunRecorder:
    """Follows one run's nodes and writes each finished group's record."""

    def __init__(
        self,
        pipeline: Pipeline,
        expansion: Expansion,
        parameters: Mapping[str, Any],
        paths: Paths,
        state: Path,
        run_id: str,
    ) -> None:
        expected = members(expansion)
        self._groups = [
            group
            for group in task_groups(pipeline, expansion)
            if group.kind == NODE
            or frozenset(group.nodes) == expected.get((group.kind, group.namespace, group.variant))
        ]
        self._group_of = {node: g for g in self._groups for node in g.nodes}
        self._left = {g.name: set(g.nodes) for g in self._groups}
        paths.resolve(d for node in pipeline.nodes for d in (*node.inputs, *node.outputs))
        # Files whose size and mtime are as recorded keep their recorded digest.
        hints = recorded_identities(read_state(state, warn=False))
        self._prints = Prints(pipeline, parameters, paths, hints)
        self._state = state
        self._run_id = run_id
        self._recorded: set[str] = set()
        self._unsaved: dict[str, set[str]] = {}  # node -> outputs not saved yet
        self._lock = threading.Lock()  # ThreadRunner calls the node hooks from threads
        self._unwritable = False
        self._write(lambda: compact(state))

    def node_ran(self, name: str, outputs: Iterable[str]) -> None:
        """Note that a node returned ``outputs``; it is done once they are saved."""
        unsaved = set(outputs)
        if not unsaved:
            self.node_done(name)
            return
        with self._lock:
            self._unsaved[name] = unsaved

    def dataset_saved(self, node: str, dataset: str) -> bool:
        """Note a saved output; ``False`` when this run was not waiting for it."""
        with self._lock:
            unsaved = self._unsaved.get(node)
            if unsaved is None or dataset not in unsaved:
                return False
            unsaved.discard(dataset)
            done = not unsaved
            if done:
                del self._unsaved[node]
        if done:
            self.node_done(node)
        return True

    def node_done(self, name: str) -> None:
        """Count a node as succeeded; record its group when that was its last node."""
        group = self._group_of.get(name)
        with self._lock:
            if group is None or group.name in self._recorded:
                return
            self._left[group.name].discard(name)
            finished = not self._left[group.name]
            if finished:
                self._recorded.add(group.name)
        if finished:
            self._record([group])

    def node_failed(self, name: str) -> None:
        """Record the node's group as failed."""
        group = self._group_of.get(name)
        if group is not None:
            with self._lock:
                self._recorded.add(group.name)
            self._write(lambda: append_records(self._state, {group.name: self._entry(None)}))

    def run_succeeded(self) -> None:
        """Record every whole group not recorded yet (all nodes of the run succeeded)."""
        with self._lock:
            left = [g for g in self._groups if g.name not in self._recorded]
            self._recorded.update(g.name for g in left)
        self._record(left)

    def _record(self, groups: list[TaskGroup]) -> None:
        if not groups:
            return
        records = {g.name: self._entry(self._prints.of(g)) for g in groups}
        self._write(lambda: append_records(self._state, records))

    def _write(self, write: Callable[[], None]) -> None:
        """Write to the journal; if it cannot be written, warn once and go on.

        A read-only ``data/`` (a read-only container, outputs elsewhere) must
        not stop a run that plain Kedro would complete; the run goes unrecorded.
        """
        if self._unwritable:
            return
        try:
            write()
        except OSError as exc:
            with self._lock:
                first, self._unwritable = not self._unwritable, True
            if first:
                logger.warning(
                    "Cannot write the re-run journal %s (%s): this run goes on unrecorded, "
                    "and 'kedro dynamic status' will not know of it.",
                    self._state,
                    exc.strerror or exc,
                )

    def _entry(self, printed: GroupPrint | None) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "ok": printed is not None,
            "run": self._run_id,
            "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        }
        if printed is not None:
            entry["print"] = printed.as_dict()
        return entry
