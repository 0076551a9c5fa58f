"""Which task groups are stale, which a filter selects, and what a re-run must take along."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kedro.pipeline import Pipeline

from .._checks.groups import task_groups
from .._declaration.names import did_you_mean
from .._expansion.result import Expansion
from .journal import read_state
from .recorder import Paths, prints_of, recorded_identities
from .status import GroupStatus, statuses


class FilterError(ValueError):
    """Raised when ``--namespaces`` or ``--tags`` selects nothing; says what exists."""


def group_statuses(
    pipeline: Pipeline,
    expansion: Expansion,
    parameters: Mapping[str, Any],
    catalog: Mapping[str, Any],
    *,
    project_path: str,
    journal: Path,
) -> list[GroupStatus]:
    """Every task group of ``pipeline`` and whether its last run still holds, in
    dependency order.

    Args:
        pipeline: Usually ``__default__``.
        expansion: Every declared variant.
        parameters: The expanded parameters (``--params`` included).
        catalog: The catalog config the hook registered.
        project_path: Where relative filepaths start.
        journal: The environment's journal file.
    """
    groups = task_groups(pipeline, expansion)
    paths = Paths(catalog, project_path)  # the hook's: templates, then catalog.yml
    state = read_state(journal)
    prints = prints_of(groups, pipeline, parameters, paths, recorded_identities(state))
    return statuses(groups, prints, state, paths.missing, paths.in_memory)


def selected(
    found: Sequence[GroupStatus],
    pipeline: Pipeline,
    expansion: Expansion,
    namespaces: Sequence[str],
    tags: Sequence[str],
) -> list[GroupStatus]:
    """The groups that ``namespaces`` and ``tags`` select (all without them).

    Raises:
        FilterError: For a namespace or tag that selects no group.
    """
    check_filters(expansion, pipeline, [s.group.name for s in found], namespaces, tags)
    tagged = {n.name for n in pipeline.nodes if n.tags & set(tags)}
    return [
        s
        for s in found
        if (not tags or tagged.intersection(s.group.nodes))
        and (not namespaces or any(within(s.group.name, ns) for ns in namespaces))
    ]


def check_filters(
    expansion: Expansion,
    pipeline: Pipeline,
    names: Sequence[str],
    namespaces: Sequence[str],
    tags: Sequence[str],
) -> None:
    """Refuse a namespace that selects none of ``names``, or a tag no node has.

    Raises:
        FilterError: Naming what exists, with a did-you-mean.
    """
    variants = expansion.variants
    unknown = [ns for ns in namespaces if not any(within(name, ns) for name in names)]
    if unknown:
        known = [*variants, *(v for vs in variants.values() for v in vs)]
        raise FilterError(
            f"--namespaces {', '.join(unknown)} matches no task group. Namespaces: "
            f"{', '.join(variants)}.{did_you_mean(unknown[0].split('.')[-1], known)}"
        )
    all_tags = sorted({t for n in pipeline.nodes for t in n.tags})
    missing = [t for t in tags if t not in all_tags]
    if missing:
        raise FilterError(
            f"--tags {', '.join(missing)} matches no node. Tags are namespace and variant "
            f"names (and your nodes' own tags).{did_you_mean(missing[0], all_tags)}"
        )


def within(name: str, namespace: str) -> bool:
    """Whether ``name`` is ``namespace`` or inside it (``ns`` holds ``ns.v``)."""
    return name == namespace or name.startswith(f"{namespace}.")


def with_upstream(found: Sequence[GroupStatus], chosen: Sequence[GroupStatus]) -> list[GroupStatus]:
    """The stale groups of ``chosen``, plus what a run of them needs, transitively:
    the stale groups they read from (running a variant on a stale shared output
    would not clear it) and the groups whose in-memory outputs they read (a run
    of part of a graph has no other way to get them)."""
    by_name = {s.group.name: s for s in found}
    wanted = {s.group.name for s in chosen if s.stale}
    todo = list(wanted)
    while todo:
        status = by_name[todo.pop()]
        stale = [d for d in status.group.dependencies if by_name[d].stale]
        for dependency in (*stale, *status.needs):
            if dependency not in wanted:
                wanted.add(dependency)
                todo.append(dependency)
    return [s for s in found if s.group.name in wanted]
