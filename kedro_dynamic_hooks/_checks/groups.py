"""Task groups: the expansion cut into the units an orchestrator runs.

One group per namespace's shared step, one per variant, one per collect step,
and one per node that no declaration owns. Edges come from the data: a group
waits for every group that writes a dataset it reads, so a chain's months run
in order, a namespace's variants run in parallel after its shared step, and a
collect step runs after its variants. ``kedro dynamic airflow``, ``kedro
dynamic dagster`` and ``kedro dynamic plan --groups`` all use :func:`task_groups`.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kedro.pipeline import Pipeline
from kedro.pipeline.node import Node

from .._errors import ProjectError
from .._expansion.nodes import base_name
from .._expansion.result import Expansion

SHARED, VARIANT, COLLECT, NODE = "shared", "variant", "collect", "node"
GROUP_KINDS = (SHARED, VARIANT, COLLECT, NODE)


@dataclass(frozen=True)
class TaskGroup:
    """Nodes that one orchestrator task runs together.

    Attributes:
        name: ``<ns>`` for a shared step, ``<ns>.<variant>``, ``<ns>.collect``
            for a collect step, or the node's name for a node of no namespace
            of the declaration. Unique among the groups.
        kind: ``shared``, ``variant``, ``collect`` or ``node``.
        namespace: The declared namespace, if any.
        variant: The variant, for a ``variant`` group.
        nodes: The node names, in Kedro's run order.
        dependencies: Names of the groups that must finish first.
    """

    name: str
    kind: str
    namespace: str | None
    variant: str | None
    nodes: tuple[str, ...]
    dependencies: tuple[str, ...]

    @property
    def selection(self) -> dict[str, list[str]]:
        """The ``KedroSession.run`` (and ``selecting``) arguments that run exactly
        this group: a variant by its namespace, anything else by node names."""
        if self.kind == VARIANT:
            return {"namespaces": [self.name]}
        return {"node_names": list(self.nodes)}

    @property
    def type(self) -> str:
        """kedro-airflow's group type: ``namespace`` runs by namespace, else by nodes."""
        return "namespace" if self.kind == VARIANT else "nodes"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly form."""
        return {
            "name": self.name,
            "kind": self.kind,
            "namespace": self.namespace,
            "variant": self.variant,
            "nodes": list(self.nodes),
            "dependencies": list(self.dependencies),
        }


def task_groups(pipeline: Pipeline, expansion: Expansion) -> list[TaskGroup]:
    """Cut ``pipeline`` into task groups, in an order that respects their edges.

    Between groups that could go either way, the declaration's order: its
    namespaces as declared, each one's shared step, its variants as declared
    (a matrix in its own order, so ``alpha_10p0`` before ``alpha_100p0``), its
    collect step; nodes of no namespace of the declaration in Kedro's order, last.

    Args:
        pipeline: What the orchestrator runs, e.g. ``__default__`` or ``<ns>``.
        expansion: The full expansion behind it.

    Raises:
        ProjectError: When the groups' dependencies form a cycle, naming it.
    """
    owner = _owners(expansion)
    members: dict[tuple[str, str | None, str | None], list[Node]] = {}
    for node in pipeline.nodes:  # Kedro's run order
        kind, namespace, variant = owner.get(node.name, (NODE, None, None))
        key = (kind, namespace, variant if kind == VARIANT else node.name if kind == NODE else None)
        members.setdefault(key, []).append(node)
    rank = _ranks(expansion)
    last = (len(expansion), 0, 0)  # nodes of no namespace, in Kedro's order (sorted is stable)
    members = dict(sorted(members.items(), key=lambda item: rank.get(item[0], last)))
    names = _names(members)
    group_of = {n.name: names[key] for key, nodes in members.items() for n in nodes}
    # 'x@pandas' and 'x@spark' are one dataset to Kedro: match on the name before '@'.
    producers = {base_name(out): group_of[n.name] for n in pipeline.nodes for out in n.outputs}
    depends: dict[str, dict[str, None]] = {name: {} for name in names.values()}
    for node in pipeline.nodes:
        mine = group_of[node.name]
        for dataset in node.inputs:
            producer = producers.get(base_name(dataset))
            if producer is not None and producer != mine:
                depends[mine][producer] = None
    order = topological(depends)
    position = {name: index for index, name in enumerate(order)}
    by_name = {names[key]: key for key in members}
    groups = []
    for name in order:
        kind, namespace, variant = by_name[name]
        groups.append(
            TaskGroup(
                name=name,
                kind=kind,
                namespace=namespace,
                variant=variant if kind == VARIANT else None,
                nodes=tuple(n.name for n in members[by_name[name]]),
                dependencies=tuple(sorted(depends[name], key=position.__getitem__)),
            )
        )
    return groups


def _ranks(expansion: Expansion) -> dict[tuple[str, str | None, str | None], tuple[int, int, int]]:
    """Each group of the declaration's place in its order: namespace, kind, variant."""
    ranks: dict[tuple[str, str | None, str | None], tuple[int, int, int]] = {}
    for position, (ns, built) in enumerate(expansion.items()):
        ranks[(SHARED, ns, None)] = (position, 0, 0)
        ranks[(COLLECT, ns, None)] = (position, 2, 0)
        for place, variant in enumerate(built.variants):
            ranks[(VARIANT, ns, variant)] = (position, 1, place)
    return ranks


def members(expansion: Expansion) -> dict[tuple[str, str | None, str | None], frozenset[str]]:
    """(kind, namespace, variant) -> the node names a complete group of the
    expansion has (nodes outside the declaration are groups of their own)."""
    found: dict[tuple[str, str | None, str | None], set[str]] = {}
    for name, key in _owners(expansion).items():
        found.setdefault(key, set()).add(name)
    return {key: frozenset(names) for key, names in found.items()}


def _owners(expansion: Expansion) -> dict[str, tuple[str, str | None, str | None]]:
    """Node name -> (kind, namespace, variant) for every expanded node."""
    owner: dict[str, tuple[str, str | None, str | None]] = {}
    for ns, built in expansion.items():
        collect = set(built.collect)
        for variant in built.variants:
            for node in built.pipelines[f"{ns}.{variant}"].nodes:
                owner[node.name] = (VARIANT, ns, variant)
        for node in built.nodes:
            if node.name not in owner:
                owner[node.name] = (COLLECT if node.name in collect else SHARED, ns, None)
    return owner


def _names(members: Mapping[tuple[str, str | None, str | None], Any]) -> dict[Any, str]:
    """A unique name per group; a variant called ``collect`` pushes the collect
    step's name to ``<ns>.collect_step``."""
    wanted = {}
    for key in members:
        kind, namespace, detail = key
        if kind == SHARED:
            wanted[key] = str(namespace)
        elif kind == VARIANT:
            wanted[key] = f"{namespace}.{detail}"
        elif kind == COLLECT:
            wanted[key] = f"{namespace}.collect"
        else:
            wanted[key] = str(detail)
    taken = {name for key, name in wanted.items() if key[0] in (SHARED, VARIANT)}
    names = {}
    for key, name in wanted.items():
        unique = name
        if key[0] in (COLLECT, NODE):
            while unique in taken:
                unique = f"{unique}_step" if key[0] == COLLECT else f"{unique}_node"
            taken.add(unique)
        names[key] = unique
    return names


def topological(depends: Mapping[str, Iterable[str]]) -> list[str]:
    """Groups in an order where each comes after its dependencies.

    Kahn's algorithm, so that a chain of thousands of months needs no recursion;
    of the groups ready at once, the one first in ``depends`` goes first (a heap
    keyed by that position), so the declaration's order holds across namespaces.
    """
    place = {name: index for index, name in enumerate(depends)}
    waiting = {name: set(deps) for name, deps in depends.items()}
    users: dict[str, list[str]] = {name: [] for name in depends}
    for name, deps in depends.items():
        for dependency in deps:
            users[dependency].append(name)
    ready = [place[name] for name, deps in waiting.items() if not deps]
    heapq.heapify(ready)
    names = list(depends)
    order: list[str] = []
    while ready:
        name = names[heapq.heappop(ready)]
        order.append(name)
        for user in users[name]:
            waiting[user].discard(name)
            if not waiting[user]:
                heapq.heappush(ready, place[user])
    if len(order) < len(depends):
        raise _cycle({name: deps for name, deps in waiting.items() if deps})
    return order


def _cycle(left: Mapping[str, set[str]]) -> ProjectError:
    """The error naming one cycle among groups that could not be ordered."""
    path = [next(iter(left))]
    while True:
        following = next(d for d in sorted(left[path[-1]]) if d in left)
        if following in path:
            cycle = [*path[path.index(following) :], following]
            break
        path.append(following)
    cycle.reverse()  # producer first: each writes what the next one reads
    return ProjectError(
        f"task groups {' -> '.join(cycle)} form a cycle: each writes a dataset the next "
        "one reads, so no order of tasks can run them. A shared or collect step that reads "
        "a variant's output (or the other way round) causes this; move the node into the "
        "template whose data it reads.",
        path=cycle[0],
        source="the pipeline",
    )
