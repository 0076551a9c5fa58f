"""Build a planned namespace: copy its nodes and make its pipelines.

Nodes are copied once each, with the names Kedro's ``pipeline(template,
namespace=...)`` would give them, and every pipeline is built with one
``Pipeline(nodes)`` call: no ``sum()`` of pipelines, which is quadratic in Kedro.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from kedro.pipeline import Pipeline
from kedro.pipeline.node import Node
from kedro.pipeline.pipeline import (
    CircularDependencyError,
    ConfirmNotUniqueError,
    OutputNotUniqueError,
    PipelineError,
)

from .._declaration.names import split_name
from .catalog import render_catalog
from .nodes import collect_node, copy_node
from .plan import NamespacePlan
from .result import DatasetOrigin, NamespaceExpansion

# What Pipeline() raises when nodes cannot be combined.
PIPELINE_ERRORS = (
    ValueError,
    PipelineError,
    OutputNotUniqueError,
    ConfirmNotUniqueError,
    CircularDependencyError,
)


def build_namespace(plan: NamespacePlan, only: frozenset[str] | None = None) -> NamespaceExpansion:
    """Copy the plan's nodes: shared once, then each variant (chained when
    declared), then collect; one pipeline for the namespace and one per variant.

    Args:
        plan: The namespace's plan.
        only: Build just these variants (a run that selects no more of them):
            no collect step, and only their parameters and catalog entries.
            Every node built is the one the full expansion builds.

    Raises:
        DeclarationError: When Kedro refuses to combine the copies, e.g. two
            templates of the namespace write one dataset.
    """
    ns, renamer, chain = plan.name, plan.renamer, plan.spec.chain
    tags = {ns, *plan.variants}  # every variant's tag, as in the full expansion
    nodes = [copy_node(n, renamer.shared(), ns, tags) for n in plan.shared]
    pipelines: dict[str, Pipeline] = {}
    built = plan.variants if only is None else tuple(v for v in plan.variants if v in only)
    for index, variant in enumerate(plan.variants):
        if only is not None and variant not in only:  # a frozenset: O(1)
            continue
        previous = None
        if chain is not None:
            # `initial` is used as written; a later variant reads its predecessor's
            # output under the transcoding suffix (if any) of the template input.
            previous = (
                chain.initial
                if index == 0
                else f"{ns}.{plan.variants[index - 1]}.{chain.output}{renamer.chain_suffix}"
            )
        mapping = renamer.variant(variant, previous)
        copies = [copy_node(n, mapping, f"{ns}.{variant}", {ns, variant}) for n in plan.per_variant]
        pipelines[f"{ns}.{variant}"] = _pipeline(copies, plan)
        nodes.extend(copies)
    collect: list[Node] = []
    if plan.spec.collect is not None and only is None:
        wanted, mapping = plan.spec.collect.input, renamer.collect()
        collect = [
            collect_node(n, wanted, plan.variants, mapping, ns)
            if n in plan.fan_in
            else copy_node(n, mapping, ns, {ns})
            for n in plan.collect
        ]
        nodes.extend(collect)
    return NamespaceExpansion(
        name=ns,
        kind=plan.spec.kind,
        variants=built,
        pipelines={**pipelines, ns: _pipeline(nodes, plan)},
        nodes=nodes,
        parameters=_parameters(plan, built),
        catalog=_catalog(plan, built, only is None),
        datasets=_origins(plan, built),
        templates=tuple(plan.spec.templates),
        added_keys=plan.added_keys,
        chain_initial=chain.initial if chain is not None else None,
        collect=tuple(n.name for n in collect),
    )


def _pipeline(nodes: list[Node], plan: NamespacePlan) -> Pipeline:
    """Build a pipeline, turning Kedro's refusal into our error with the YAML path."""
    try:
        return Pipeline(nodes)
    except PIPELINE_ERRORS as exc:
        raise plan.error(
            f"the namespace's templates cannot be combined: {str(exc).rstrip('.')}. Shared, "
            "per-variant and collect pipelines must not write the same dataset."
        ) from exc


def _parameters(plan: NamespacePlan, built: tuple[str, ...]) -> dict[str, Any]:
    """The ``<ns>`` parameter: shared keys, and the built variants' mappings."""
    if len(built) == len(plan.variants):
        return dict(plan.parameters)
    skipped = set(plan.variants).difference(built)
    # Keys only: reading a skipped variant's value would merge it for nothing.
    return {k: plan.parameters[k] for k in plan.parameters if k not in skipped}


def _catalog(plan: NamespacePlan, built: tuple[str, ...], collect: bool) -> dict[str, Any]:
    entries = render_catalog(plan.spec.catalog, plan.renamer, built)
    if collect:
        return entries
    # Without the collect step, its own datasets are not built either.
    collect_only = set(plan.renamer.collect().values()) - set(plan.renamer.shared().values())
    return {k: v for k, v in entries.items() if k not in collect_only}


def _origins(plan: NamespacePlan, built: tuple[str, ...]) -> dict[str, DatasetOrigin]:
    ns = plan.name
    origins = {
        new: DatasetOrigin(ns, None, template)
        for template, new in plan.renamer.owned_shared().items()
    }
    owned = plan.renamer.owned_per_variant()
    for variant in built:
        for template in owned:
            origins[f"{ns}.{variant}.{template}"] = DatasetOrigin(ns, variant, template)
    return origins


def declared_scope(plan: NamespacePlan) -> dict[str, Any]:
    """Every variant's catalog entries, without copying a node."""
    return _catalog(plan, plan.variants, True)


class DeclaredDatasets(Mapping[str, DatasetOrigin]):
    """Every namespaced dataset of the planned namespaces -> its origin, all variants.

    The union of what full builds' ``datasets`` hold, made on demand: the
    checks of a run that builds one variant of 10,000 look up a few of them.
    """

    def __init__(self, plans: Iterable[NamespacePlan]) -> None:
        self._plans = {plan.name: plan for plan in plans}
        self._shared = {
            new: (plan.name, template)
            for plan in self._plans.values()
            for template, new in plan.renamer.owned_shared().items()
        }
        self._per_variant = {
            name: tuple(plan.renamer.owned_per_variant()) for name, plan in self._plans.items()
        }
        self._variant_sets = {name: frozenset(plan.variants) for name, plan in self._plans.items()}

    def __getitem__(self, name: str) -> DatasetOrigin:
        if name in self._shared:
            namespace, template = self._shared[name]
            return DatasetOrigin(namespace, None, template)
        namespace, variant, template = split_name(name)
        if variant in self._variant_sets.get(namespace, ()) and template in self._per_variant.get(
            namespace, ()
        ):
            return DatasetOrigin(namespace, variant, template)
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        yield from self._shared
        for namespace, plan in self._plans.items():
            templates = self._per_variant[namespace]
            for variant in plan.variants:
                for template in templates:
                    yield f"{namespace}.{variant}.{template}"

    def __len__(self) -> int:
        return len(self._shared) + sum(
            len(plan.variants) * len(self._per_variant[name]) for name, plan in self._plans.items()
        )
