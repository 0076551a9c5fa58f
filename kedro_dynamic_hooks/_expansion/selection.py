"""Which variants a run's selection can touch, so that only those are built.

A run selects nodes with Kedro's filters: ``--pipelines``, ``--namespaces``,
``--tags``, ``--nodes`` (all applied together), and the ``--from-*``/``--to-*``
family. The first four can be mapped to variants from names alone: every
selected node belongs to a variant (or namespace) that the mapping keeps, so
building only those gives the run exactly the nodes, parameters and datasets
the full expansion would. Anything that cannot be mapped safely returns
``None``: build everything.

- ``--from-nodes``, ``--to-nodes``, ``--from-inputs``, ``--to-outputs``: they
  follow the graph; everything.
- A pipeline or node that is not the declaration's (a hand-written pipeline):
  everything, since it may read any variant's data.
- A template node that reads ``parameters`` (every variant's): everything.
- A tag on a template's own nodes (even one that is also a variant's name):
  every variant of each namespace that uses the template.
- A node of the user's own in ``__default__`` that the filters select (by its
  namespace or tags): also the variants whose datasets or parameters it reads.
- A tag that no node carries: everything.
- A chain: every month of it, since a month reads its predecessor's output.
- A node of a namespace's own (shared or collect): the whole namespace, since a
  collect step reads every variant.

The registry around the templates is described by :class:`Neighbours`; without
it (``None``) a template is assumed to carry no tag and ``__default__`` no
node of the user's own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._constants import DEFAULT_PIPELINE
from .._declaration.names import split_name
from .neighbours import Neighbours, OwnNode, read_target

if TYPE_CHECKING:
    from .._declaration.schema import Declaration

# Namespace -> the variants to build (None: all of them). A namespace that is
# not a key is not built at all.
Needed = dict[str, frozenset[str] | None]


@dataclass(frozen=True)
class Selection:
    """What a run asked for, as ``kedro run`` flags.

    Attributes:
        pipelines: ``--pipelines`` (empty: ``__default__``).
        namespaces: ``--namespaces``.
        tags: ``--tags``.
        nodes: ``--nodes``.
        follows_graph: Whether ``--from-nodes``, ``--to-nodes``,
            ``--from-inputs`` or ``--to-outputs`` was given.
    """

    pipelines: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    nodes: tuple[str, ...] = ()
    follows_graph: bool = False

    @classmethod
    def from_flags(cls, flags: Mapping[str, Any]) -> Selection:
        """The one way to read a selection, from any spelling of Kedro's flags.

        Takes ``kedro run``'s click parameters (``pipelines``, ``node_names``),
        Kedro's ``run_params`` (``pipeline_names``, ``namespace`` before 1.0) or
        ``kedro dynamic plan``'s; a value may be a string, a list or empty.
        ``__default__`` alone selects no pipeline of ours.
        """

        def given(*names: str) -> tuple[str, ...]:
            found: list[str] = []
            for name in names:
                value = flags.get(name)
                if isinstance(value, str):
                    found.extend([value] if value else [])
                elif isinstance(value, (list, tuple)):
                    found.extend(str(v) for v in value if v)
            return tuple(found)

        pipelines = given("pipelines", "pipeline", "pipeline_names")
        return cls(
            pipelines=() if pipelines == (DEFAULT_PIPELINE,) else pipelines,
            namespaces=given("namespaces") or given("namespace"),
            tags=given("tags"),
            nodes=given("node_names"),
            follows_graph=bool(given("from_nodes", "to_nodes", "from_inputs", "to_outputs")),
        )


class _Everything(Exception):
    """A filter value that cannot be mapped to variants; the message says why."""


FOLLOWS_GRAPH = "--from-nodes, --to-nodes, --from-inputs and --to-outputs follow the graph"
NO_FILTER = "the run selects no pipeline, namespace, tag or node of the declaration"


def needed(
    selection: Selection,
    variants: Mapping[str, Iterable[str]],
    chains: Iterable[str],
    neighbours: Neighbours | None = None,
) -> Needed | None:
    """The namespaces and variants a selection can touch, or ``None`` for all.

    Args:
        selection: The run's filters.
        variants: Namespace -> its variant names.
        chains: Namespaces declared as a chain.
        neighbours: The registry around the templates.
    """
    return decide(selection, variants, chains, neighbours)[0]


def decide(
    selection: Selection,
    variants: Mapping[str, Iterable[str]],
    chains: Iterable[str],
    neighbours: Neighbours | None = None,
) -> tuple[Needed | None, str]:
    """:func:`needed`, and why everything is built when it is (``""`` otherwise)."""
    if selection.follows_graph:
        return None, FOLLOWS_GRAPH
    around = neighbours or Neighbours()
    if around.whole_parameters is not None:
        return None, (
            f"template node {around.whole_parameters} reads 'parameters', which holds "
            "every variant's"
        )
    known = {ns: frozenset(names) for ns, names in variants.items()}
    try:
        restrictions = [
            _by_pipelines(selection.pipelines, known),
            _by_namespaces(selection.namespaces, known),
            _by_tags(selection.tags, known, around),
            _by_nodes(selection.nodes, known),
        ]
        if restrictions[0] is not None:
            own: list[OwnNode] = []  # only __default__ holds nodes of the user's own
        else:
            own = around.selected_own(selection.namespaces, selection.tags, selection.nodes)
        reads = _read_by(own, known)
    except _Everything as reason:
        return None, str(reason)
    result: Needed | None = None
    for restriction in restrictions:
        if restriction is not None:
            result = restriction if result is None else _intersect(result, restriction)
    if result is None:
        return None, NO_FILTER
    _widen(result, selection, known, reads)
    whole = set(chains)
    return {ns: (None if ns in whole else names) for ns, names in result.items()}, ""


def _widen(
    result: Needed, selection: Selection, known: Mapping[str, frozenset[str]], reads: Needed
) -> None:
    """Add to ``result`` what the run names and what its own nodes read.

    Every pipeline and node the run names must exist, even where the filters
    leave nothing of it: Kedro refuses a name it cannot find.
    """
    for name in selection.pipelines:
        if name == DEFAULT_PIPELINE:
            continue
        ns, variant, _ = split_name(name)
        current = result.get(ns, frozenset())
        if current is not None:
            result[ns] = current | ({variant} if variant else set())
    for ns, names in (_by_nodes(selection.nodes, known) or {}).items():
        current = result.get(ns, frozenset())
        result[ns] = None if names is None or current is None else current | names
    for value in selection.namespaces:
        ns, variant, _ = split_name(value)
        if ns not in known:
            continue
        current = result.get(ns, frozenset())
        if variant in known[ns]:
            result[ns] = None if current is None else current | {variant}
        elif ns not in result:
            result[ns] = None  # a namespace of its own may hold no shared node
    for ns, names in reads.items():
        current = result.get(ns, frozenset())
        result[ns] = None if names is None or current is None else current | names


def _by_pipelines(names: tuple[str, ...], known: Mapping[str, frozenset[str]]) -> Needed | None:
    if not names:
        return None  # no restriction: __default__ holds every expansion
    found: Needed = {}
    for name in names:
        if name == DEFAULT_PIPELINE:
            continue
        ns, variant, rest = split_name(name)
        if ns not in known or rest or (variant and variant not in known[ns]):
            raise _Everything(
                f"pipeline '{name}' is not one of the declaration's; a template or a "
                "pipeline of your own may read any variant's data"
            )
        _add(found, ns, variant or None)
    return None if DEFAULT_PIPELINE in names else found


def _by_namespaces(values: tuple[str, ...], known: Mapping[str, frozenset[str]]) -> Needed | None:
    if not values:
        return None
    found: Needed = {}
    for value in values:
        ns, variant, _ = split_name(value)
        if ns not in known:
            continue  # selects no node of ours
        _add(found, ns, variant if variant in known[ns] else None)
    return found


def _by_tags(
    tags: tuple[str, ...], known: Mapping[str, frozenset[str]], around: Neighbours
) -> Needed | None:
    if not tags:
        return None
    found: Needed = {}
    for tag in tags:
        owners = [ns for ns, names in known.items() if tag in names]
        # A template node's own tag is on every variant's copy.
        using = [ns for ns, own in around.template_tags.items() if tag in own and ns in known]
        for ns in using:
            _add(found, ns, None)
        if tag in known:
            _add(found, tag, None)
        for ns in owners:
            _add(found, ns, tag)
        if not (using or owners or tag in known or around.tagged(tag)):
            raise _Everything(f"tag '{tag}' is on no node of the declaration's or yours")
    return found


def _read_by(own: list[OwnNode], known: Mapping[str, frozenset[str]]) -> Needed:
    """The variants whose datasets or parameters the selected own nodes read."""
    found: Needed = {}
    for node in own:
        for name in node.reads:
            target = read_target(name)
            if target is None:
                raise _Everything(f"node '{node.name}' reads 'parameters', every variant's")
            ns, variant, _ = split_name(target)
            if ns in known:
                _add(found, ns, variant if variant in known[ns] else None)
    return found


def _by_nodes(names: tuple[str, ...], known: Mapping[str, frozenset[str]]) -> Needed | None:
    if not names:
        return None
    found: Needed = {}
    for name in names:
        ns, variant, rest = split_name(name)
        if ns not in known or not variant:
            raise _Everything(f"node '{name}' is not in a declared namespace")
        # A shared or collect node: the whole namespace (collect reads every variant).
        _add(found, ns, variant if variant in known[ns] and rest else None)
    return found


def _add(found: Needed, ns: str, variant: str | None) -> None:
    if ns in found and found[ns] is None:
        return
    if variant is None:
        found[ns] = None
    else:
        found[ns] = (found.get(ns) or frozenset()) | {variant}


def _intersect(one: Needed, other: Needed) -> Needed:
    result: Needed = {}
    for ns in one.keys() & other.keys():
        a, b = one[ns], other[ns]
        result[ns] = b if a is None else a if b is None else a & b
    return result


def mapped(
    selection: Selection, declaration: Declaration, neighbours: Neighbours | None = None
) -> Needed | None:
    """A selection mapped to the declaration's variants (``None``: all)."""
    return _decide(selection, declaration, neighbours)[0]


def _decide(
    selection: Selection, declaration: Declaration, neighbours: Neighbours | None
) -> tuple[Needed | None, str]:
    namespaces = declaration.namespaces
    return decide(
        selection,
        {name: spec.variant_overrides for name, spec in namespaces.items()},
        chains={name for name, spec in namespaces.items() if spec.chain is not None},
        neighbours=neighbours,
    )


def startup(
    selection: Selection, declaration: Declaration, neighbours: Neighbours | None = None
) -> dict[str, Any]:
    """What a ``kedro run`` with this selection builds at startup, and why.

    Returns:
        ``selective``; ``built`` (namespace -> the variants built, or ``"all"``);
        ``variants_built`` and ``variants_declared``; ``reason`` (why everything
        is built, or ``""``); ``notes`` (namespaces built whole, and why).
    """
    need, reason = _decide(selection, declaration, neighbours)
    # What the flags alone select, before a chain is widened to every month.
    namespaces = declaration.namespaces
    variants = {n: s.variant_overrides for n, s in namespaces.items()}
    asked = decide(selection, variants, (), neighbours)[0]
    declared = {ns: tuple(spec.variant_overrides) for ns, spec in declaration.namespaces.items()}
    total = sum(len(names) for names in declared.values())
    if need is None:
        return {
            "selective": False,
            "built": dict.fromkeys(declared, "all"),
            "variants_built": total,
            "variants_declared": total,
            "reason": reason,
            "notes": [],
        }
    built: dict[str, Any] = {}
    notes = []
    for ns, names in need.items():
        if names is None:
            built[ns] = "all"
            if namespaces[ns].chain is not None and (asked or {}).get(ns) is not None:
                notes.append(f"{ns} is a chain: every month is built, each reads the one before")
        else:
            built[ns] = [name for name in declared[ns] if name in names]
    return {
        "selective": True,
        "built": built,
        "variants_built": sum(
            len(declared[ns]) if names == "all" else len(names) for ns, names in built.items()
        ),
        "variants_declared": total,
        "reason": "",
        "notes": notes,
    }
