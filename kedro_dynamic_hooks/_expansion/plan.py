"""Plan one namespace: check it against the project, decide every name and parameter.

The schema has already checked what the declaration alone can tell. A plan
adds what needs the project: the registered template pipelines and the root
parameters. Once a :class:`NamespacePlan` exists, building it (``build.py``)
only copies nodes; it cannot fail on a declaration mistake.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kedro.pipeline import Pipeline
from kedro.pipeline.node import Node

from .._constants import DEFAULT_PIPELINE, PARAMS
from .._declaration.names import allowed, did_you_mean
from .._declaration.schema import NamespaceSpec
from .._errors import DeclarationError
from .catalog import check_catalog_templates
from .nodes import DatasetRenamer, base_name
from .parameters import VariantParameters, namespace_parameters, used_parameters


@dataclass(frozen=True)
class NamespacePlan:
    """Everything decided about one namespace before a node is copied.

    Attributes:
        name: The namespace.
        spec: Its declaration.
        path: Its YAML path, e.g. ``dynamic_pipelines.price_predictor``.
        source: The parameters file(s), for messages.
        variants: Variant names in run order.
        shared: Nodes of the shared templates.
        per_variant: Nodes of the per-variant templates.
        collect: Nodes of the collect template.
        fan_in: The collect nodes that receive ``{variant: value}``.
        renamer: The dataset names of each instance.
        parameters: The value of the ``<ns>`` parameter.
        added_keys: YAML paths of override keys added under an empty base mapping.
    """

    name: str
    spec: NamespaceSpec
    path: str
    source: str | None
    variants: tuple[str, ...]
    shared: list[Node]
    per_variant: list[Node]
    collect: list[Node]
    fan_in: frozenset[Node]
    renamer: DatasetRenamer
    parameters: VariantParameters
    added_keys: tuple[str, ...]

    def error(self, message: str, at: str = "") -> DeclarationError:
        """A DeclarationError at ``at`` below this namespace's YAML path."""
        return _error_at(self.path, self.source)(message, at)


ErrorAt = Callable[[str, str], DeclarationError]


def _error_at(path: str, source: str | None) -> ErrorAt:
    """Build errors at a path below ``path`` (``""`` for ``path`` itself)."""

    def error(message: str, at: str) -> DeclarationError:
        return DeclarationError(message, path=f"{path}.{at}" if at else path, source=source)

    return error


def plan_namespace(
    name: str,
    spec: NamespaceSpec,
    templates: Mapping[str, Pipeline],
    base: Mapping[str, Any],
    *,
    key: str,
    source: str | None,
    checked_against: Mapping[str, Any] | None = None,
) -> NamespacePlan:
    """Check one namespace against the project and plan its expansion.

    Args:
        name: The namespace.
        spec: Its validated declaration.
        templates: The registered pipelines, by name.
        base: The root parameters every namespace starts from.
        key: The declaration's top-level parameters key.
        source: The parameters file(s), for messages.
        checked_against: The root parameters the files alone give, when root-level
            ``--params`` changed ``base`` (see ``namespace_parameters``).

    Raises:
        DeclarationError: Naming the YAML path, what is known there and a fix.
    """
    path = f"{key}.{name}"
    error = _error_at(path, source)
    if name in templates:
        raise error(
            f"namespace '{name}' has the same name as a registered pipeline; "
            "'--pipelines' could not tell them apart. Rename the namespace.",
            "",
        )
    shared = _template_nodes(spec.shared, templates, error, "shared")
    per_variant = _template_nodes(spec.pipelines, templates, error, "pipelines")
    collect = (
        _template_nodes([spec.collect.pipeline], templates, error, "collect.pipeline")
        if spec.collect
        else []
    )
    renamer = DatasetRenamer(
        namespace=name,
        shared=shared,
        per_variant=per_variant,
        collect=collect,
        global_inputs=set(spec.inputs),
        global_params=set(spec.parameters),
        chain_input=spec.chain.input if spec.chain else None,
        fan_in=spec.collect.input if spec.collect else None,
    )
    _check_datasets(spec, [*shared, *per_variant, *collect], error)
    _check_global_parameters(spec, base, error)
    _check_variant_names(name, spec, templates, base, renamer, error)
    _check_chain(spec, renamer, error)
    fan_in = _fan_in(spec, collect, renamer, error)
    check_catalog_templates(spec.catalog, renamer, path=f"{path}.catalog", source=source)
    parameters, added = namespace_parameters(
        spec,
        base,
        used_parameters([*shared, *collect], renamer.global_params),
        used_parameters(per_variant, renamer.global_params),
        path=path,
        source=source,
        checked_against=checked_against,
    )
    return NamespacePlan(
        name=name,
        spec=spec,
        path=path,
        source=source,
        variants=tuple(spec.variant_overrides),
        shared=shared,
        per_variant=per_variant,
        collect=collect,
        fan_in=fan_in,
        renamer=renamer,
        parameters=parameters,
        added_keys=tuple(added),
    )


def _template_nodes(
    names: Iterable[str], templates: Mapping[str, Pipeline], error: ErrorAt, at: str
) -> list[Node]:
    nodes: dict[str, tuple[Node, str]] = {}
    for name in names:
        if name not in templates or name == DEFAULT_PIPELINE:
            known = [p for p in templates if p != DEFAULT_PIPELINE]
            raise error(
                f"unknown pipeline '{name}'. Registered pipelines: {allowed(known)}."
                f"{did_you_mean(name, known)}",
                at,
            )
        for node in templates[name].nodes:
            seen, owner = nodes.setdefault(node.name, (node, name))
            if seen != node:
                raise error(
                    f"pipelines '{owner}' and '{name}' both have a node named "
                    f"'{node.name}' that differs; their copies would clash. Rename one node.",
                    at,
                )
    return [node for node, _ in nodes.values()]


def _check_datasets(spec: NamespaceSpec, nodes: list[Node], error: ErrorAt) -> None:
    datasets = {
        base_name(d)
        for n in nodes
        for d in [*n.inputs, *n.outputs, *n.confirms]
        if not d.startswith(PARAMS)
    }
    for name in spec.inputs:
        if name not in datasets:
            raise error(
                f"'{name}' is not a dataset of the namespace's pipelines. "
                f"Datasets: {allowed(datasets)}.{did_you_mean(name, datasets)}",
                "inputs",
            )


def _check_global_parameters(spec: NamespaceSpec, base: Mapping[str, Any], error: ErrorAt) -> None:
    known = [str(k) for k in base]
    for name in spec.parameters:
        if name not in base:
            raise error(
                f"'{name}' is not a top-level parameter, so there is nothing to keep global. "
                f"Top-level parameters: {allowed(known)}.{did_you_mean(name, known)}",
                "parameters",
            )


def _check_variant_names(
    namespace: str,
    spec: NamespaceSpec,
    templates: Mapping[str, Pipeline],
    base: Mapping[str, Any],
    renamer: DatasetRenamer,
    error: ErrorAt,
) -> None:
    clashes = {
        "a top-level parameter": set(base),
        "a registered pipeline": set(templates),
        "a dataset of the shared pipelines": renamer.shared_outputs,
    }
    for name in spec.variant_overrides:
        for what, taken in clashes.items():
            if name in taken:
                raise error(
                    f"variant '{name}' has the same name as {what}; their namespaced "
                    f"names would clash ('{namespace}.{name}'). Rename the variant.",
                    f"variants.{name}",
                )


def _check_chain(spec: NamespaceSpec, renamer: DatasetRenamer, error: ErrorAt) -> None:
    if spec.chain is None:
        return
    ends = (
        ("input", spec.chain.input, renamer.variant_free_inputs),
        ("output", spec.chain.output, renamer.variant_outputs),
    )
    for end, name, known in ends:
        if name not in known:
            raise error(
                f"'{name}' is not an {end} of pipeline(s) {allowed(spec.pipelines)}. "
                f"{end.title()}s: {allowed(known)}.{did_you_mean(name, known)}",
                f"chain.{end}",
            )
    if spec.chain.input in renamer.global_inputs | renamer.shared_outputs:
        raise error(
            f"'{spec.chain.input}' is a global input or a shared output, so it cannot be "
            "wired from one variant to the next. A chain input must be a per-variant "
            "dataset.",
            "chain.input",
        )


def _fan_in(
    spec: NamespaceSpec, collect: list[Node], renamer: DatasetRenamer, error: ErrorAt
) -> frozenset[Node]:
    if spec.collect is None:
        return frozenset()
    wanted = spec.collect.input
    if wanted not in renamer.variant_outputs:
        raise error(
            f"'{wanted}' is not an output of pipeline(s) {allowed(spec.pipelines)}; each "
            f"variant must produce it. Outputs: {allowed(renamer.variant_outputs)}."
            f"{did_you_mean(wanted, renamer.variant_outputs)}",
            "collect.input",
        )
    readers = frozenset(n for n in collect if wanted in {base_name(i) for i in n.inputs})
    if not readers:
        raise error(
            f"no node of pipeline '{spec.collect.pipeline}' reads '{wanted}'.", "collect.input"
        )
    return readers
