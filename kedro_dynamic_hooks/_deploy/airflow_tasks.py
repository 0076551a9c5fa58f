"""The Airflow tasks of a DAG: task groups, with each namespace's variants mapped.

In the ``mapped`` form (the default) a namespace's variants become **one**
mapped task, ``.expand(...)``-ed over batches of variant names, so the DAG's
task count no longer grows with the variants and Airflow's own limits
(``max_active_tis_per_dagrun``, pools, ``max_map_length``) bound the map. In
the ``per-variant`` form every variant is a task of its own, as before.

A namespace stays per-variant where mapping cannot express its edges: a
``chain`` (each month waits for the one before), or variants that read each
other's outputs, or a collapse that would make two mapped tasks wait for each
other. Everything here is pure: it needs the task groups, not Airflow.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .._checks.groups import VARIANT, TaskGroup, topological
from .._errors import ProjectError

MAPPED, PER_VARIANT = "mapped", "per-variant"
FORMS = (MAPPED, PER_VARIANT)
MAPPED_SUFFIX = "[variants]"  # a mapped task's name: '<ns>[variants]' ('[' is in no declared name)
LISTING, LISTING_SUFFIX = "listing", "[rows]"  # reads a table's rows when the DAG runs


@dataclass(frozen=True)
class AirflowTask:
    """One task of the DAG.

    Attributes:
        name: The group's name, or ``<ns>[variants]`` for a mapped task.
        kind: The group's kind (``shared``, ``variant``, ``collect``, ``node``),
            or ``mapped``.
        groups: The task groups it runs (a mapped task: every variant's).
        batches: For a mapped task, the variant namespaces each mapped
            instance runs (``[["ns.a", "ns.b"], ["ns.c"]]``); else empty.
        dependencies: Names of the tasks that must finish first.
        namespace: The declared namespace, if any.
        listed_by: For a mapped task over a table a task of the DAG writes, the
            listing task whose result (the batches) it is expanded over.
        batch_size: For a listing task, variants per mapped instance.
    """

    name: str
    kind: str
    groups: tuple[TaskGroup, ...]
    batches: tuple[tuple[str, ...], ...] = ()
    dependencies: tuple[str, ...] = ()
    namespace: str | None = None
    listed_by: str | None = None
    batch_size: int = 1

    @property
    def mapped(self) -> bool:
        return self.kind == MAPPED

    @property
    def variants(self) -> int:
        """How many variants the task runs."""
        return sum(1 for group in self.groups if group.kind == VARIANT)

    @property
    def nodes(self) -> tuple[str, ...]:
        """Every node the task runs (a mapped task: every instance's)."""
        return tuple(node for group in self.groups for node in group.nodes)

    @property
    def type(self) -> str:
        """How the task selects: ``mapped``, ``namespace`` (one variant), ``nodes``,
        or ``listing`` (it selects nothing: it reads a table)."""
        if self.kind == LISTING:
            return LISTING
        return MAPPED if self.mapped else self.groups[0].type


@dataclass
class TaskPlan:
    """The DAG's tasks in an order that respects their edges, and what stayed per-variant."""

    tasks: list[AirflowTask]
    unmapped: dict[str, str] = field(default_factory=dict)  # namespace -> why


def airflow_tasks(
    groups: Sequence[TaskGroup], *, form: str = MAPPED, batch_size: int = 1
) -> TaskPlan:
    """The DAG's tasks for ``groups`` (in dependency order).

    Args:
        groups: The pipeline's task groups, as :func:`task_groups` orders them.
        form: ``mapped`` (one mapped task per namespace's variants) or
            ``per-variant`` (one task per variant).
        batch_size: Variants per mapped instance (the per-task startup is paid
            once per batch).
    """
    if form not in FORMS:
        raise ValueError(f"Unknown task form '{form}'; choose one of {', '.join(FORMS)}.")
    by_namespace: dict[str, list[TaskGroup]] = {}
    for group in groups:
        if group.kind == VARIANT and group.namespace is not None:
            by_namespace.setdefault(group.namespace, []).append(group)
    mapped: dict[str, str] = {}  # variant group name -> its mapped task's name
    unmapped: dict[str, str] = {}
    if form == MAPPED:
        for namespace, variants in by_namespace.items():
            why = _why_not_mapped(variants)
            if why is None:
                trial = {**mapped, **{g.name: namespace + MAPPED_SUFFIX for g in variants}}
                if _orderable(groups, trial):
                    mapped = trial
                    continue
                why = "mapping it would make two tasks wait for each other"
            unmapped[namespace] = why
    return TaskPlan(_collapse(groups, mapped, batch_size), unmapped)


def with_listings(
    plan: TaskPlan, writers: Mapping[str, str | None], *, batch_size: int = 1
) -> TaskPlan:
    """``plan`` with each namespace of ``writers`` mapped over the rows its table has
    when the DAG runs: a listing task, after the task that writes the table, reads
    them, and the namespace's mapped task is expanded over what it returns.

    Args:
        plan: The DAG's tasks.
        writers: Namespace -> the node that writes its ``variants_from`` table
            (``None``: written outside this DAG).
        batch_size: Variants per mapped instance.

    Raises:
        ValueError: When such a namespace has a task per variant: its variants
            are not known when the DAG is written.
    """
    tasks = list(plan.tasks)
    task_of = {node: task.name for task in tasks for node in task.nodes}
    for namespace, writer in writers.items():
        own = [t for t in tasks if t.namespace == namespace and (t.mapped or t.kind == VARIANT)]
        if not own:
            continue  # not in this DAG's pipeline
        if not own[0].mapped:
            why = plan.unmapped.get(namespace)
            fix = (
                "Give the namespace named variants."
                if why
                else "Drop '--tasks per-variant', or give the namespace named variants."
            )
            raise ValueError(
                f"namespace '{namespace}' takes its variants from a table that "
                f"{f'node {writer!r}' if writer else 'something'} writes: they are known only "
                "when the DAG runs, so they must be one mapped task, but "
                f"{why or '--tasks per-variant writes a task per variant'}. {fix}"
            )
        listing = namespace + LISTING_SUFFIX
        deps = (task_of[writer],) if writer in task_of else ()
        tasks = [
            dataclasses.replace(
                t, batches=(), dependencies=(*t.dependencies, listing), listed_by=listing
            )
            if t is own[0]
            else t
            for t in tasks
        ]
        tasks.append(AirflowTask(listing, LISTING, (), (), deps, namespace, batch_size=batch_size))
    if len(tasks) == len(plan.tasks):
        return plan
    order = topological({t.name: t.dependencies for t in tasks})
    by_name = {t.name: t for t in tasks}
    return TaskPlan([by_name[name] for name in order], plan.unmapped)


def _why_not_mapped(variants: Sequence[TaskGroup]) -> str | None:
    names = {group.name for group in variants}
    for group in variants:
        if names.intersection(group.dependencies):
            return "its variants read each other's outputs (a chain runs in order)"
    return None


def _orderable(groups: Sequence[TaskGroup], mapped: Mapping[str, str]) -> bool:
    depends: dict[str, dict[str, None]] = {}
    for group in groups:
        mine = mapped.get(group.name, group.name)
        deps = depends.setdefault(mine, {})
        for dependency in group.dependencies:
            theirs = mapped.get(dependency, dependency)
            if theirs == mine:
                return False
            deps[theirs] = None
    try:
        topological(depends)
    except ProjectError:  # it names the cycle; here only "no" matters
        return False
    return True


def _collapse(
    groups: Sequence[TaskGroup], mapped: Mapping[str, str], batch_size: int
) -> list[AirflowTask]:
    members: dict[str, list[TaskGroup]] = {}
    for group in groups:
        members.setdefault(mapped.get(group.name, group.name), []).append(group)
    depends: dict[str, dict[str, None]] = {}
    for name, grouped in members.items():
        depends[name] = {
            mapped.get(dep, dep): None for group in grouped for dep in group.dependencies
        }
    order = topological(depends)  # acyclic: checked while choosing what to map
    position = {name: index for index, name in enumerate(order)}
    tasks = []
    for name in order:
        grouped = members[name]
        first = grouped[0]
        deps = tuple(sorted(depends[name], key=position.__getitem__))
        if name in mapped.values():
            variants = [group.name for group in grouped]
            batches = tuple(
                tuple(variants[i : i + batch_size]) for i in range(0, len(variants), batch_size)
            )
            tasks.append(AirflowTask(name, MAPPED, tuple(grouped), batches, deps, first.namespace))
        else:
            tasks.append(AirflowTask(name, first.kind, (first,), (), deps, first.namespace))
    return tasks


def widest(tasks: Sequence[AirflowTask], per_map: Mapping[str, int] | None = None) -> int:
    """The most task instances that can run at once: a mapped task counts its
    batches (at most ``per_map[name]`` of them at once, when given)."""
    depth: dict[str, int] = {}
    width: dict[int, int] = {}
    for task in tasks:  # in dependency order
        level = 1 + max((depth[d] for d in task.dependencies), default=-1)
        depth[task.name] = level
        instances = len(task.batches) if task.mapped else 1
        if per_map and task.name in per_map:
            instances = min(instances, per_map[task.name])
        width[level] = width.get(level, 0) + instances
    return max(width.values(), default=0)
