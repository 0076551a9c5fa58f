"""Fingerprints of task groups: what a group's result depends on, as digests.

A group's fingerprint covers:

- the effective value of every ``params:`` input of its nodes (after the deep
  merge and ``--params``), one digest per parameter;
- the code of its nodes' functions: the source text (or, without source, the
  bytecode and constants). Helpers the function calls, imported modules and
  installed libraries are not covered;
- its structure: node names, inputs and outputs;
- the identity of every dataset it reads and does not write itself
  (``identity.py``): size and mtime of its file, or of every file below its
  folder (partitions, versions), with a digest of the content to fall back on,
  so that ``touch`` or identical bytes change nothing, while a rewritten
  partition, an upstream output written again or a deleted version shows;
- the resolved catalog config of every dataset it reads or writes (type,
  filepath, load and save arguments, versioning, credentials name);
- the identity of every persisted output when it was written, so an output
  rewritten since (by hand, or by a run with another ``--env`` or
  ``--params``) shows.

What cannot be looked at (a ``MemoryDataset`` between groups of one run, a
remote path) is covered by the upstream group instead: a group is stale when
a group it reads from is.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kedro.pipeline.node import Node

from .._constants import PARAMS
from .identity import MISSING, Identities, same_data


@dataclass(frozen=True)
class GroupPrint:
    """What a task group's result depends on.

    Attributes:
        parameters: Every leaf of every ``params:`` input, as a dotted path
            without the group's own prefix -> digest of its value.
        code: Node name -> digest of its function.
        structure: Digest of the nodes' names, inputs and outputs.
        inputs: Every dataset it reads and does not write -> ``"<size>:<mtime_ns>"``,
            ``"missing"`` or ``"untracked"`` (no local file to look at).
        reads: The inputs that other nodes of the project write.
        writes: Datasets the group writes.
        outputs: Every persisted output -> its identity (``None``: a record
            of an older version, which kept none).
        datasets: Every dataset read or written that has a catalog config ->
            digest of that config (``None``: an older record).
    """

    parameters: dict[str, str]
    code: dict[str, str]
    structure: str
    inputs: dict[str, str]
    reads: tuple[str, ...] = field(default=())
    writes: tuple[str, ...] = field(default=())
    outputs: dict[str, str] | None = None
    datasets: dict[str, str] | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly form, for the state file."""
        return {
            "parameters": self.parameters,
            "code": self.code,
            "structure": self.structure,
            "inputs": self.inputs,
            "reads": list(self.reads),
            "writes": list(self.writes),
            "outputs": self.outputs,
            "datasets": self.datasets,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GroupPrint:
        """The inverse of :meth:`as_dict`."""
        return cls(
            parameters=dict(data.get("parameters", {})),
            code=dict(data.get("code", {})),
            structure=str(data.get("structure", "")),
            inputs=dict(data.get("inputs", {})),
            reads=tuple(data.get("reads", ())),
            writes=tuple(data.get("writes", ())),
            outputs=_optional(data.get("outputs")),
            datasets=_optional(data.get("datasets")),
        )


def _optional(value: Any) -> dict[str, str] | None:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, Mapping) else None


def digest(value: Any) -> str:
    """A short, stable digest of a JSON-like value."""
    text = json.dumps(value, sort_keys=True, default=repr, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=4096)
def _code_digest(function: Callable[..., Any]) -> str:
    try:
        text = inspect.getsource(function)
    except (OSError, TypeError):
        code = getattr(function, "__code__", None)
        text = repr((code.co_code, code.co_consts)) if code is not None else repr(function)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def code_digest(function: Any) -> str:
    """Digest of a node function's code.

    A wrapper is followed to what it wraps (``__wrapped__``, as ``functools.wraps``
    and the collect step's fan-in leave it); a ``partial``'s arguments count too;
    a callable object counts by its class's source.
    """
    with contextlib.suppress(ValueError):  # a cycle of __wrapped__
        function = inspect.unwrap(function)
    if isinstance(function, functools.partial):
        inner = code_digest(function.func)
        return digest([inner, repr(function.args), repr(sorted(function.keywords.items()))])
    if not (inspect.isroutine(function) or inspect.isclass(function)):
        function = type(function)
    try:
        return _code_digest(function)
    except TypeError:  # unhashable callable
        return digest(repr(function))


def _lookup(parameters: Mapping[str, Any], dotted: str) -> Any:
    value: Any = parameters
    for part in dotted.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return "<missing>"
        value = value[part]
    return value


def file_identity(path: str | None) -> str:
    """The identity of a local file or folder (``identity.py``), hashed afresh."""
    return Identities().of("", path)


def _leaves(path: str, value: Any) -> dict[str, str]:
    """Digest of every leaf of a parameter value, by dotted path (lists are leaves)."""
    if isinstance(value, Mapping) and value:
        found: dict[str, str] = {}
        for key, sub in value.items():
            found.update(_leaves(f"{path}.{key}", sub))
        return found
    return {path: digest(value)}


def group_print(
    nodes: Iterable[Node],
    parameters: Mapping[str, Any],
    produced: set[str],
    filepath: Callable[[str], str | None],
    prefix: str = "",
    *,
    identities: Identities | None = None,
    config: Callable[[str], Any] | None = None,
) -> GroupPrint:
    """Fingerprint one task group.

    Args:
        nodes: The group's nodes.
        parameters: The run's parameters (``context.params``).
        produced: Every dataset some node of the project writes.
        filepath: Dataset name -> its local filepath, or ``None``.
        prefix: Left out of parameter paths in reports, e.g. ``ns.variant.``.
        identities: Identifies files (with what was recorded as hints).
        config: Dataset name -> its resolved catalog config, or ``None``.
    """
    identities = identities or Identities()
    nodes = list(nodes)
    params: dict[str, str] = {}
    code: dict[str, str] = {}
    shape = []
    writes = {out for node in nodes for out in node.outputs}
    reads: set[str] = set()
    inputs: dict[str, str] = {}
    for node in nodes:
        code[node.name] = code_digest(node.func)
        shape.append([node.name, list(node.inputs), list(node.outputs)])
        for name in node.inputs:
            if name.startswith(PARAMS):
                dotted = name[len(PARAMS) :]
                shown = dotted.removeprefix(prefix) if prefix else dotted
                params.update(_leaves(shown, _lookup(parameters, dotted)))
            elif name == "parameters":
                params["parameters"] = digest(parameters)
            elif name not in writes:
                inputs[name] = identities.of(name, filepath(name))
                if name in produced:
                    reads.add(name)
    outputs = {}
    for name in sorted(writes):
        path = filepath(name)
        if path is not None and "://" not in path:
            outputs[name] = identities.of(name, path)
    datasets = {}
    if config is not None:
        for name in sorted({*inputs, *writes}):
            found = config(name)
            if found is not None:
                datasets[name] = digest(found)
    return GroupPrint(
        parameters=params,
        code=code,
        structure=digest(sorted(shape)),
        inputs=inputs,
        reads=tuple(sorted(reads)),
        writes=tuple(sorted(writes)),
        outputs=outputs,
        datasets=datasets if config is not None else None,
    )


def differences(old: GroupPrint, new: GroupPrint) -> list[str]:
    """What changed from ``old`` to ``new``, in words; empty when nothing did."""
    changes = []
    params = sorted(
        k
        for k in old.parameters.keys() | new.parameters.keys()
        if old.parameters.get(k) != new.parameters.get(k)
    )
    if params:
        changes.append(f"parameters changed ({', '.join(params)})")
    code = sorted(k for k in new.code if k in old.code and old.code[k] != new.code[k])
    if code:
        changes.append(f"code changed ({', '.join(code)})")
    if old.structure != new.structure:
        changes.append("nodes or datasets changed")
    if old.datasets is not None and new.datasets is not None:
        configs = sorted(
            k
            for k in old.datasets.keys() | new.datasets.keys()
            if old.datasets.get(k) != new.datasets.get(k)
        )
        if configs:
            changes.append(f"dataset config changed ({', '.join(configs)})")
    inputs = sorted(
        k
        for k in old.inputs.keys() | new.inputs.keys()
        if not same_data(old.inputs.get(k, MISSING), new.inputs.get(k, MISSING))
    )
    gone = [k for k in inputs if new.inputs.get(k) == MISSING]
    changed = [k for k in inputs if k not in gone]
    if changed:
        changes.append(f"input changed ({', '.join(changed)})")
    if gone:
        changes.append(f"input missing ({', '.join(gone)})")
    if old.outputs is not None and new.outputs is not None:
        rewritten = sorted(
            k
            for k, recorded in old.outputs.items()
            if new.outputs.get(k, MISSING) != MISSING and not same_data(recorded, new.outputs[k])
        )
        if rewritten:
            changes.append(f"outputs changed since written ({', '.join(rewritten)})")
    return changes
