"""What an expansion is: one :class:`NamespaceExpansion` per namespace, plus views."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from kedro.pipeline import Pipeline
from kedro.pipeline.node import Node

from ._errors import DeclarationError

DEFAULT_PIPELINE = "__default__"


@dataclass(frozen=True)
class DatasetOrigin:
    """Where an expanded dataset comes from, for error messages and reports."""

    namespace: str
    variant: str | None
    template: str

    def describe(self) -> str:
        """Return e.g. ``'regressor' of price_predictor.candidate1``."""
        owner = f"{self.namespace}.{self.variant}" if self.variant else self.namespace
        return f"'{self.template}' of {owner}"


@dataclass(frozen=True)
class NamespaceExpansion:
    """The expansion of one namespace.

    Attributes:
        name: The namespace.
        kind: ``variants``, ``matrix``, ``variants+matrix`` or ``chain``.
        variants: Variant names in run order.
        pipelines: ``<ns>`` (every node) and each ``<ns>.<variant>`` -> pipeline.
        nodes: Every node of the namespace: shared, then each variant's, then collect.
        parameters: The value of the ``<ns>`` parameter: the shared pipelines'
            parameters plus one mapping per variant.
        catalog: Concrete entries rendered from the namespace's catalog templates.
        datasets: Every namespaced dataset -> its origin.
        templates: The registered pipelines this namespace instantiates.
        added_keys: YAML paths of override keys added under an empty base mapping.
    """

    name: str
    kind: str
    variants: tuple[str, ...]
    pipelines: dict[str, Pipeline]
    nodes: list[Node] = field(repr=False)
    parameters: dict[str, Any] = field(repr=False)
    catalog: dict[str, dict[str, Any]] = field(repr=False)
    datasets: dict[str, DatasetOrigin] = field(repr=False)
    templates: tuple[str, ...]
    added_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Expansion(Mapping[str, NamespaceExpansion]):
    """The result of expanding a declaration: namespace name -> its expansion.

    Attributes:
        namespaces: Namespace name -> its expansion, in declaration order.
        parameters: The full parameters to hand to Kedro (base, every namespace,
            then ``--params``).
    """

    namespaces: dict[str, NamespaceExpansion]
    parameters: dict[str, Any] = field(repr=False)

    def __getitem__(self, name: str) -> NamespaceExpansion:
        return self.namespaces[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.namespaces)

    def __len__(self) -> int:
        return len(self.namespaces)

    # Views over every namespace, computed once on first use.

    @cached_property
    def pipelines(self) -> dict[str, Pipeline]:
        """``<ns>`` and ``<ns>.<variant>`` -> pipeline."""
        return {k: v for ns in self.values() for k, v in ns.pipelines.items()}

    @cached_property
    def nodes(self) -> list[Node]:
        """Every expanded node."""
        return [node for ns in self.values() for node in ns.nodes]

    @cached_property
    def catalog(self) -> dict[str, dict[str, Any]]:
        """Every catalog entry rendered from the declaration's templates."""
        return {k: v for ns in self.values() for k, v in ns.catalog.items()}

    @cached_property
    def datasets(self) -> dict[str, DatasetOrigin]:
        """Every namespaced dataset name -> its origin."""
        return {k: v for ns in self.values() for k, v in ns.datasets.items()}

    @cached_property
    def variants(self) -> dict[str, tuple[str, ...]]:
        """Namespace -> variant names in run order."""
        return {name: ns.variants for name, ns in self.items()}

    @cached_property
    def kinds(self) -> dict[str, str]:
        """Namespace -> how its variants are declared."""
        return {name: ns.kind for name, ns in self.items()}

    @cached_property
    def templates(self) -> frozenset[str]:
        """Names of the template pipelines that were expanded."""
        return frozenset(t for ns in self.values() for t in ns.templates)

    @cached_property
    def added_keys(self) -> list[str]:
        """YAML paths of override keys added under an empty base mapping, once each."""
        return list(dict.fromkeys(k for ns in self.values() for k in ns.added_keys))

    def registry_updates(self, registry: Mapping[str, Pipeline]) -> dict[str, Pipeline]:
        """Return the pipelines to write into the project's registry.

        ``__default__`` (when the registry has one) keeps its own nodes, minus the
        bare template nodes and any earlier expansion, plus every expanded node.
        Calling this on an already updated registry gives the same result.
        """
        updates = dict(self.pipelines)
        default = registry.get(DEFAULT_PIPELINE)
        if default is not None:
            template_nodes = {
                n for name in self.templates if name in registry for n in registry[name].nodes
            }
            own = [
                n
                for n in default.nodes
                if n not in template_nodes and not self._is_expanded(n.namespace)
            ]
            try:
                updates[DEFAULT_PIPELINE] = Pipeline([*own, *self.nodes])
            except Exception as exc:  # Kedro's OutputNotUniqueError and friends
                raise DeclarationError(
                    f"the expansion cannot join '__default__': {exc}. A node registered in "
                    "__default__ writes a dataset that an expansion writes too.",
                    path=DEFAULT_PIPELINE,
                    source="the pipeline registry",
                ) from exc
        return updates

    def _is_expanded(self, namespace: str | None) -> bool:
        return namespace is not None and namespace.split(".", 1)[0] in self.namespaces
