"""What an expansion is: the pipelines, parameters and catalog entries it produced."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
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
class Expansion:
    """The result of expanding a declaration.

    Attributes:
        pipelines: ``<ns>`` and ``<ns>.<variant>`` -> pipeline.
        parameters: The full parameters to hand to Kedro.
        catalog: Concrete catalog entries rendered from the declaration's templates.
        datasets: Every namespaced dataset name -> its origin.
        variants: Namespace -> variant names in run order.
        kinds: Namespace -> how its variants are declared: ``variants``,
            ``matrix``, ``variants+matrix`` or ``chain``.
        templates: Names of the template pipelines that were expanded.
        added_keys: YAML paths of override keys added under an empty base
            mapping (allowed, but unchecked for typos).
    """

    pipelines: dict[str, Pipeline]
    parameters: dict[str, Any]
    catalog: dict[str, dict[str, Any]]
    datasets: dict[str, DatasetOrigin]
    variants: dict[str, tuple[str, ...]]
    kinds: dict[str, str]
    templates: frozenset[str]
    nodes: list[Node] = field(repr=False)
    added_keys: list[str] = field(default_factory=list)

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
                ) from None
        return updates

    def _is_expanded(self, namespace: str | None) -> bool:
        return namespace is not None and namespace.split(".", 1)[0] in self.variants
