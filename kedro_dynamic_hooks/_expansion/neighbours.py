"""What the registry holds around the templates, which a selective build must account for.

Kedro filters the run's pipeline after the hook built it, by names alone. Three
things outside the declaration change what a filter selects, or what a
selected node reads:

- a template node's own tag is on every variant's copy, so ``--tags <tag>``
  selects every variant of each namespace using that template, even when the
  tag is also a variant's name;
- a node of the user's own in ``__default__`` (a hand-written namespace, a
  reporting step) is selected by its own tags and namespace, and may read any
  variant's dataset or parameters: those variants must be built for it;
- a node that reads ``parameters`` (the whole dict) sees every variant's
  parameters, so only a full build gives it the same value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from kedro.pipeline import Pipeline
from kedro.pipeline.node import Node

from .._constants import ALL_PARAMETERS, DEFAULT_PIPELINE, PARAMS


@dataclass(frozen=True)
class OwnNode:
    """A node of ``__default__`` that neither a template nor an expansion made.

    Attributes:
        name: The node's name.
        namespace: Its namespace (``None``: none).
        tags: Its tags.
        reads: Its inputs (datasets, ``params:`` names, ``parameters``).
    """

    name: str
    namespace: str | None
    tags: frozenset[str]
    reads: tuple[str, ...]

    @classmethod
    def of(cls, node: Node) -> OwnNode:
        """The facts about ``node`` that a selection needs."""
        return cls(node.name, node.namespace, frozenset(node.tags), tuple(node.inputs))


@dataclass(frozen=True)
class Neighbours:
    """The registry around a declaration's templates.

    Attributes:
        template_tags: Namespace -> the own tags of the nodes of its templates.
        whole_parameters: A template node that reads ``parameters``, if any.
        own: The nodes of ``__default__`` of the user's own.
    """

    template_tags: Mapping[str, frozenset[str]] = field(default_factory=dict)
    whole_parameters: str | None = None
    own: tuple[OwnNode, ...] = ()

    @classmethod
    def of(
        cls,
        templates_by_namespace: Mapping[str, Iterable[str]],
        registry: Mapping[str, Pipeline],
        earlier: Callable[[Node], bool],
    ) -> Neighbours:
        """Read the neighbours from a loaded registry.

        Args:
            templates_by_namespace: Namespace -> the pipelines it instantiates.
            registry: The registered pipelines (templates and ``__default__``).
            earlier: Whether a node was built by an expansion (not the user's own).
        """
        template_tags: dict[str, frozenset[str]] = {}
        template_nodes: set[Node] = set()
        whole = None
        for namespace, names in templates_by_namespace.items():
            tags: set[str] = set()
            for name in names:
                for node in registry[name].nodes if name in registry else ():
                    tags |= node.tags
                    template_nodes.add(node)
                    if whole is None and ALL_PARAMETERS in node.inputs:
                        whole = f"{name}: {node.name}"
            template_tags[namespace] = frozenset(tags)
        default = registry.get(DEFAULT_PIPELINE)
        own = tuple(
            OwnNode.of(node)
            for node in (default.nodes if default is not None else ())
            if node not in template_nodes and not earlier(node)
        )
        return cls(template_tags, whole, own)

    def selected_own(
        self, namespaces: tuple[str, ...], tags: tuple[str, ...], nodes: tuple[str, ...]
    ) -> list[OwnNode]:
        """The own nodes that Kedro's filters select from ``__default__``.

        Kedro keeps a node that passes every given filter: a namespace equal to
        one given or below it (``a`` keeps ``a`` and ``a.b``), any one of the
        tags, one of the node names.
        """

        def kept(node: OwnNode) -> bool:
            if namespaces and not any(
                node.namespace is not None
                and (node.namespace == ns or node.namespace.startswith(ns + "."))
                for ns in namespaces
            ):
                return False
            if tags and not node.tags & set(tags):
                return False
            return not nodes or node.name in nodes

        return [node for node in self.own if kept(node)]

    def tagged(self, tag: str) -> bool:
        """Whether an own node carries ``tag``."""
        return any(tag in node.tags for node in self.own)


def read_target(name: str) -> str | None:
    """The dotted name a node input refers to (``params:a.b`` -> ``a.b``);
    ``None`` for ``parameters``, which refers to every parameter."""
    if name == ALL_PARAMETERS:
        return None
    return name[len(PARAMS) :] if name.startswith(PARAMS) else name
