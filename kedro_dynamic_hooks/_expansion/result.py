"""What an expansion is: one :class:`NamespaceExpansion` per namespace, plus views."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from kedro.pipeline import Pipeline
from kedro.pipeline.node import Node

from .._constants import DEFAULT_PIPELINE, is_parameter
from .._declaration.schema import Declaration
from .._errors import ProjectError
from .neighbours import Neighbours


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
        chain_initial: The global dataset a chain's first variant reads, if a chain.
        collect: The names of the collect step's nodes (empty when not built).
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
    chain_initial: str | None = None
    collect: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)  # equality of a Mapping: same items
class Expansion(Mapping[str, NamespaceExpansion]):
    """The result of expanding a declaration: namespace name -> its expansion.

    Attributes:
        namespaces: Namespace name -> its expansion, in declaration order.
        parameters: The full parameters to hand to Kedro (base, every namespace,
            then ``--params``).
        declaration: The declaration this expansion was built from.
        declared_catalog: With a partial build, the catalog entries of every
            declared variant (``None`` when everything was built).
        declared_datasets: With a partial build, every declared dataset's origin.
        declared_variants: With a partial build, every namespace's declared variants.
        neighbours: With a partial build, the registry around the templates that
            the build was decided with.
        runtime_added: ``--params`` keys added under an empty base mapping.
    """

    namespaces: dict[str, NamespaceExpansion]
    parameters: dict[str, Any] = field(repr=False)
    declaration: Declaration | None = field(default=None, repr=False)
    # When only some variants were built: every variant's catalog entries and
    # dataset origins, so that the collision check still covers all of them.
    declared_catalog: dict[str, dict[str, Any]] | None = field(default=None, repr=False)
    declared_datasets: Mapping[str, DatasetOrigin] | None = field(default=None, repr=False)
    declared_variants: dict[str, tuple[str, ...]] | None = field(default=None, repr=False)
    neighbours: Neighbours | None = field(default=None, repr=False)
    runtime_added: tuple[str, ...] = field(default=(), repr=False)

    @property
    def partial(self) -> bool:
        """Whether only the variants a run's selection can touch were built."""
        return self.declared_catalog is not None

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
    def dataset_names(self) -> list[str]:
        """Every dataset an expanded node reads or writes, globals included (no params)."""
        names = {d for n in self.nodes for d in (*n.inputs, *n.outputs)}
        return sorted(d for d in names if not is_parameter(d))

    @cached_property
    def written(self) -> frozenset[str]:
        """Every dataset an expanded node writes."""
        return frozenset(d for n in self.nodes for d in n.outputs)

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
        """Names of the declaration's template pipelines, built or not (a partial
        build leaves a namespace out, but its templates stay templates)."""
        built = frozenset(t for ns in self.values() for t in ns.templates)
        if self.declaration is None:
            return built
        declared = (t for spec in self.declaration.namespaces.values() for t in spec.templates)
        return built | frozenset(declared)

    @cached_property
    def added_keys(self) -> list[str]:
        """YAML paths of override keys added under an empty base mapping, once each,
        then those ``--params`` added (``--params <dotted path>``)."""
        declared = (k for ns in self.values() for k in ns.added_keys)
        return list(dict.fromkeys([*declared, *self.runtime_added]))

    @cached_property
    def _node_ids(self) -> frozenset[int]:
        return frozenset(id(node) for node in self.nodes)

    def owns(self, node: Node) -> bool:
        """Whether ``node`` itself (not an equal one) is one this expansion built."""
        return id(node) in self._node_ids

    def registry_updates(
        self, registry: Mapping[str, Pipeline], earlier: Callable[[Node], bool] | None = None
    ) -> dict[str, Pipeline]:
        """Return the pipelines to write into the project's registry.

        ``__default__`` (when the registry has one) keeps its own nodes, minus the
        bare template nodes and the nodes of any earlier expansion (``earlier``
        tells them apart from a user's own namespaced nodes; by default, this
        expansion's own), plus every
        expanded node. Calling this on an already updated registry gives the
        same result. A node of its own is never dropped: if it clashes with the
        expansion, or reads what only a bare template node wrote, this refuses.

        Raises:
            ProjectError: Naming the node of ``__default__`` and the fix.
        """
        updates = dict(self.pipelines)
        default = registry.get(DEFAULT_PIPELINE)
        if default is not None:
            template_nodes = {
                n for name in self.templates if name in registry for n in registry[name].nodes
            }
            earlier = earlier or self.owns
            own = [n for n in default.nodes if n not in template_nodes and not earlier(n)]
            self._check_template_consumers(registry, default, own)
            try:
                updates[DEFAULT_PIPELINE] = Pipeline([*own, *self.nodes])
            except Exception as exc:  # Kedro's OutputNotUniqueError and friends
                raise ProjectError(
                    f"the expansion cannot join '__default__': {str(exc).rstrip('.')}. A node "
                    "registered in __default__ writes a dataset (or has a name) that an "
                    "expansion has too; "
                    "rename it, or take it out of __default__.",
                    path=DEFAULT_PIPELINE,
                    source="the pipeline registry",
                ) from exc
        return updates

    def _check_template_consumers(
        self, registry: Mapping[str, Pipeline], default: Pipeline, own: list[Node]
    ) -> None:
        """Refuse a node of ``__default__`` that reads what only a bare template wrote."""
        written_by_template: dict[str, str] = {}
        for name in sorted(self.templates):
            for node in registry[name].nodes if name in registry else ():
                for output in node.outputs:
                    written_by_template.setdefault(output, name)
        still_written = {o for n in [*own, *self.nodes] for o in n.outputs}
        for node in own:
            for dataset in node.inputs:
                template = written_by_template.get(dataset)
                if template is None or dataset in still_written:
                    continue
                every = self.datasets if self.declared_datasets is None else self.declared_datasets
                copies = sorted(name for name, o in every.items() if o.template == dataset)[:3]
                raise ProjectError(
                    f"node '{node.name}' of __default__ reads '{dataset}', an output of template "
                    f"pipeline '{template}'. Templates run only as namespaced copies "
                    f"({', '.join(repr(c) for c in copies) or 'none'}), so nothing would write "
                    f"'{dataset}': the run would fail, or read a file left by an earlier run. "
                    "Declare the node's pipeline in a namespace (under 'shared' or 'collect') "
                    "so that it reads a namespaced copy, or take it out of __default__.",
                    path=DEFAULT_PIPELINE,
                    source="the pipeline registry",
                )
