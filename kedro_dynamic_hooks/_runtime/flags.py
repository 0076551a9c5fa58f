"""What ``kedro run``'s flags name must exist: a typo gets our message, not Kedro's traceback.

``KedroSession.run`` looks the ``--pipelines`` up and applies ``--namespaces``,
``--tags`` and ``--nodes`` after ``after_context_created`` and before any
other hook (checked against Kedro 1.3 and 1.7). A name it cannot find is a
``ValueError`` that the CLI prints as a 60-line traceback. The hook knows the
flags (``selecting.py``) and the registry it just wrote, so it makes the same
lookups first, with Kedro's matching rules:

- ``--pipelines``: a registered name;
- ``--namespaces``: a node's namespace, or a dotted prefix of one;
- ``--nodes``: a node's name;
- ``--tags``: Kedro keeps the nodes carrying *any* of them, so a tag on no node
  is refused only when every tag is; otherwise it is a warning;
- and the filters together must leave a node (without ``--from-*``/``--to-*``,
  which follow the graph and which Kedro checks itself).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .._constants import DEFAULT_PIPELINE
from .._declaration.names import did_you_mean
from .._errors import SelectionError
from .._kedro_compat import set_requested

if TYPE_CHECKING:
    from kedro.pipeline import Pipeline

    from .._declaration.schema import Declaration
    from .._expansion.selection import Selection


@dataclass
class _Seen:
    """Every tag, namespace (with its prefixes) and node name of the selected pipelines."""

    tags: set[str] = field(default_factory=set)
    namespaces: set[str] = field(default_factory=set)
    nodes: set[str] = field(default_factory=set)


def check_flags(
    selection: Selection,
    registry: Mapping[str, Pipeline],
    declared: Callable[[], Iterable[str]],
    every_pipeline: Callable[[], Iterable[str]],
    templates: Mapping[str, Sequence[str]] | None = None,
) -> list[str]:
    """Refuse flags that name nothing, as Kedro would, but in one line.

    Args:
        selection: The run's flags.
        registry: Kedro's registry, the expansion registered.
        declared: Every declared namespace and ``namespace.variant`` (a partial
            build registers only some), called only to suggest one.
        every_pipeline: Every registered pipeline name, called only to suggest
            one for an unknown ``--pipelines``.
        templates: Template pipeline -> the namespaces that use it; a
            ``--pipelines`` naming one is a warning (it runs bare).

    Returns:
        Warnings: a template run bare; tags on no node, when another tag
        selects something.

    Raises:
        SelectionError: Naming the flag, the value, a did-you-mean and what exists.
    """
    templates = templates or {}
    names = list(selection.pipelines) or [DEFAULT_PIPELINE]
    missing = [name for name in names if name not in registry]
    if missing:
        # The registry's names first: loading every pipeline drops the expansion's.
        registered = list(registry.keys())
        known = sorted({*registered, *declared(), *every_pipeline()})
        raise SelectionError(
            f"'{missing[0]}' is not a registered pipeline.{did_you_mean(missing[0], known)} "
            f"Pipelines: {_listed(known)}.",
            path="--pipelines",
        )
    warnings: list[str] = [
        f"--pipelines {name} runs template '{name}' bare, with the root parameters, not as "
        f"a variant; '--pipelines {templates[name][0]}' runs the variants of "
        f"{', '.join(templates[name])}."
        for name in names
        if name in templates
    ]
    if not (selection.namespaces or selection.tags or selection.nodes):
        return warnings
    pipelines = [registry[name] for name in names]
    seen = _seen(pipelines)
    where = "" if names == [DEFAULT_PIPELINE] else f" of {', '.join(names)}"
    unknown = [ns for ns in selection.namespaces if ns not in seen.namespaces]
    if unknown:
        # As declared (a matrix in its own order), then any other namespace.
        candidates = list(dict.fromkeys([*declared(), *sorted(seen.namespaces)]))
        raise SelectionError(
            f"no node{where} is in namespace '{unknown[0]}'."
            f"{did_you_mean(unknown[0], candidates)} Namespaces: {_listed(candidates)}.",
            path="--namespaces",
        )
    unknown = [name for name in selection.nodes if name not in seen.nodes]
    if unknown:
        raise SelectionError(
            f"no node{where} is named '{unknown[0]}'.{did_you_mean(unknown[0], seen.nodes)} "
            "'kedro dynamic plan' lists the nodes a run selects.",
            path="--nodes",
        )
    unknown = [tag for tag in selection.tags if tag not in seen.tags]
    if unknown:
        candidates = sorted(seen.tags)
        hint = did_you_mean(unknown[0], candidates)
        if len(unknown) == len(selection.tags):
            raise SelectionError(
                f"no node{where} carries the tag '{unknown[0]}'.{hint} Tags are namespace and "
                f"variant names, and your nodes' own tags: {_listed(candidates)}.",
                path="--tags",
            )
        warnings.extend(
            f"--tags {tag}: no node{where} carries it.{did_you_mean(tag, candidates)} "
            "Running what the other tags select."
            for tag in unknown
        )
    if not selection.follows_graph and not _any_left(pipelines, selection):
        raise SelectionError(
            f"the filters together leave no node{where}: each selects some, but no node "
            "has them all. 'kedro dynamic plan' with the same flags shows what each selects.",
            path=_given(selection),
        )
    return warnings


def check_registered(selection: Selection, declaration: Declaration) -> list[str]:
    """:func:`check_flags` against Kedro's registry, as the hook just wrote it."""
    from kedro.framework.project import pipelines

    def declared() -> list[str]:
        namespaces = declaration.namespaces
        return [
            *namespaces,
            *(f"{ns}.{v}" for ns, s in namespaces.items() for v in s.variant_overrides),
        ]

    def every_pipeline() -> list[str]:
        try:
            set_requested(None)  # as Kedro does for its own did-you-mean: load them all
            return list(pipelines.keys())
        except Exception:  # a registry that cannot load: suggest from what was loaded
            return []

    templates: dict[str, list[str]] = {}
    for ns, spec in declaration.namespaces.items():
        for template in spec.templates:
            templates.setdefault(template, []).append(ns)
    return check_flags(selection, pipelines, declared, every_pipeline, templates)


def _seen(pipelines: Sequence[Pipeline]) -> _Seen:
    seen = _Seen()
    for pipeline in pipelines:
        for node in pipeline.nodes:
            seen.nodes.add(node.name)
            seen.tags.update(node.tags)
            namespace = node.namespace
            while namespace:
                seen.namespaces.add(namespace)
                namespace = namespace.rpartition(".")[0]
    return seen


def _any_left(pipelines: Sequence[Pipeline], selection: Selection) -> bool:
    """Whether a node passes every filter, as ``Pipeline.filter`` applies them."""
    tags, names = set(selection.tags), set(selection.nodes)
    prefixes = tuple(f"{ns}." for ns in selection.namespaces)
    for pipeline in pipelines:
        for node in pipeline.nodes:
            namespace = node.namespace or ""
            if (
                (not tags or tags & node.tags)
                and (not names or node.name in names)
                and (
                    not prefixes
                    or namespace in selection.namespaces
                    or namespace.startswith(prefixes)
                )
            ):
                return True
    return False


def _given(selection: Selection) -> str:
    flags = [
        ("--namespaces", selection.namespaces),
        ("--tags", selection.tags),
        ("--nodes", selection.nodes),
    ]
    return " ".join(flag for flag, value in flags if value)


def _listed(names: Sequence[str], most: int = 12) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "") or "(none)"
