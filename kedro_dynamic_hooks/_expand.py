"""Declaration -> namespaced pipelines, parameters and catalog entries.

This is the pure core: no session, no config loader, no registry. It takes the
validated declaration, the template pipelines and the raw parameters, and
returns an :class:`Expansion`. The hook, the CLI and the ``register_pipelines``
helper all call :func:`expand`.

Nodes are copied once each with ``Node._copy`` and the renamed dataset names,
exactly as ``kedro.pipeline.pipeline(template, namespace=...)`` would name
them, and every pipeline is built with one ``Pipeline(nodes)`` call: no
``sum()`` of pipelines, which is quadratic in Kedro.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kedro.pipeline import Pipeline
from kedro.pipeline.node import Node
from kedro.pipeline.pipeline import (
    CircularDependencyError,
    ConfirmNotUniqueError,
    OutputNotUniqueError,
    PipelineError,
)

from ._catalog import render_catalog
from ._errors import DeclarationError
from ._expansion import DEFAULT_PIPELINE, DatasetOrigin, Expansion
from ._merge import deep_merge
from ._names import allowed, did_you_mean
from ._nodes import DatasetRenamer, base_name, collect_node, copy_node
from ._parameters import (
    added_keys,
    check_overrides,
    check_runtime_targets,
    pick,
    used_parameters,
    variant_parameters,
)
from ._schema import DEFAULT_KEY, Declaration, NamespaceSpec
from ._variants import resolve_variants


def expand(
    declaration: Declaration,
    templates: Mapping[str, Pipeline],
    parameters: Mapping[str, Any],
    *,
    runtime_params: Mapping[str, Any] | None = None,
    key: str = DEFAULT_KEY,
    source: str | None = None,
) -> Expansion:
    """Expand a declaration.

    Args:
        declaration: The validated ``dynamic_pipelines`` section.
        templates: The registered pipelines, by name.
        parameters: The project's parameters as loaded (runtime params included).
        runtime_params: The ``--params`` given for this run; re-applied last so
            they win over the declaration.
        key: The declaration's top-level key in ``parameters``.
        source: The parameters file(s), for error messages.

    Returns:
        The expansion.

    Raises:
        DeclarationError: When the declaration cannot be expanded safely.
    """
    runtime = dict(runtime_params or {})
    namespaces = declaration.namespaces
    for name in namespaces:
        if name in parameters and name not in runtime:
            raise DeclarationError(
                f"namespace '{name}' has the same name as a top-level parameter; the "
                "namespace's parameters would replace it. Rename one of them.",
                path=f"{key}.{name}",
                source=source,
            )
    for name, spec in namespaces.items():
        for variant in set(spec.variants) & set(namespaces):
            raise DeclarationError(
                f"variant '{variant}' has the same name as a namespace; '--tags {variant}' "
                "would select both. Rename the variant.",
                path=f"{key}.{name}.variants.{variant}",
                source=source,
            )
    base = {k: v for k, v in parameters.items() if k != key and k not in namespaces}
    builder = _Builder(templates, base, key=key, source=source)
    for name, spec in namespaces.items():
        builder.add_namespace(name, spec)
    builder.check_shared_writes()
    check_runtime_targets(runtime, builder.namespace_params, builder.variants, base)
    expanded = deep_merge(base, builder.namespace_params, runtime)
    return Expansion(
        pipelines=builder.pipelines,
        parameters=expanded,
        catalog=builder.catalog,
        datasets=builder.datasets,
        variants=builder.variants,
        kinds=builder.kinds,
        templates=frozenset(builder.template_names),
        nodes=builder.nodes,
        added_keys=list(dict.fromkeys(builder.added_keys)),
    )


# What Pipeline() raises when nodes cannot be combined.
PIPELINE_ERRORS = (
    ValueError,
    PipelineError,
    OutputNotUniqueError,
    ConfirmNotUniqueError,
    CircularDependencyError,
)


class _Builder:
    """Accumulates the expansion of each namespace in turn."""

    def __init__(
        self,
        templates: Mapping[str, Pipeline],
        base: dict[str, Any],
        *,
        key: str,
        source: str | None,
    ) -> None:
        self.templates = templates
        self.base = base
        self.key = key
        self.source = source
        self.pipelines: dict[str, Pipeline] = {}
        self.namespace_params: dict[str, dict[str, Any]] = {}
        self.catalog: dict[str, dict[str, Any]] = {}
        self.datasets: dict[str, DatasetOrigin] = {}
        self.variants: dict[str, tuple[str, ...]] = {}
        self.kinds: dict[str, str] = {}
        self.template_names: set[str] = set()
        self.nodes: list[Node] = []
        self.added_keys: list[str] = []

    def _error(self, message: str, path: str) -> DeclarationError:
        return DeclarationError(message, path=f"{self.key}.{path}", source=self.source)

    def _template_nodes(self, names: Iterable[str], path: str) -> list[Node]:
        nodes: dict[str, tuple[Node, str]] = {}
        for name in names:
            if name not in self.templates or name == DEFAULT_PIPELINE:
                known = [p for p in self.templates if p != DEFAULT_PIPELINE]
                raise self._error(
                    f"unknown pipeline '{name}'. Registered pipelines: {allowed(known)}."
                    f"{did_you_mean(name, known)}",
                    path,
                )
            self.template_names.add(name)
            for node in self.templates[name].nodes:
                seen, owner = nodes.setdefault(node.name, (node, name))
                if seen != node:
                    raise self._error(
                        f"pipelines '{owner}' and '{name}' both have a node named "
                        f"'{node.name}' that differs; their copies would clash. Rename one node.",
                        path,
                    )
        return [node for node, _ in nodes.values()]

    def check_shared_writes(self) -> None:
        """Refuse a dataset written (or confirmed) by nodes of two namespaces.

        Within a namespace ``Pipeline()`` refuses it; across namespaces only a
        global dataset can be shared, e.g. a shared pipeline's output listed under
        ``inputs`` by two namespaces.
        """
        for attribute in ("outputs", "confirms"):
            writers: dict[str, str] = {}
            for node in self.nodes:
                names = node.outputs if attribute == "outputs" else node.confirms
                owner = (node.namespace or "").split(".", 1)[0]
                for name in names:
                    other = writers.setdefault(base_name(name), owner)
                    if other != owner:
                        verb = "written" if attribute == "outputs" else "confirmed"
                        raise self._error(
                            f"dataset '{name}' is {verb} by nodes of namespaces '{other}' and "
                            f"'{owner}'; one would overwrite the other. Remove it from 'inputs' "
                            "in one of them so each gets its own copy.",
                            f"{owner}.inputs",
                        )

    def _pipeline(self, nodes: list[Node], path: str) -> Pipeline:
        """Build a pipeline, turning Kedro's refusal into our error with the YAML path."""
        try:
            return Pipeline(nodes)
        except PIPELINE_ERRORS as exc:
            raise self._error(
                f"the namespace's templates cannot be combined: {exc}. Shared, per-variant "
                "and collect pipelines must not write the same dataset.",
                path,
            ) from None

    def add_namespace(self, ns: str, spec: NamespaceSpec) -> None:
        path = ns
        if ns in self.templates:
            raise self._error(
                f"namespace '{ns}' has the same name as a registered pipeline; "
                "'--pipelines' could not tell them apart. Rename the namespace.",
                path,
            )
        both = sorted(set(spec.shared) & set(spec.pipelines))
        if both:
            raise self._error(
                f"{allowed(both)} listed under both 'shared' and 'pipelines'; a template is "
                "instantiated either once per namespace or once per variant.",
                f"{path}.shared",
            )
        variants = resolve_variants(spec, path=f"{self.key}.{path}", source=self.source)
        shared = self._template_nodes(spec.shared, f"{path}.shared")
        per_variant = self._template_nodes(spec.pipelines, f"{path}.pipelines")
        collect = (
            self._template_nodes([spec.collect.pipeline], f"{path}.collect.pipeline")
            if spec.collect
            else []
        )
        global_params = set(spec.parameters)
        renamer = DatasetRenamer(
            namespace=ns,
            shared=shared,
            per_variant=per_variant,
            collect=collect,
            global_inputs=set(spec.inputs),
            global_params=global_params,
            chain_input=spec.chain.input if spec.chain else None,
            fan_in=spec.collect.input if spec.collect else None,
        )
        self._check_names(ns, spec, variants, shared, per_variant, collect, renamer)

        used_shared = used_parameters([*shared, *collect], global_params)
        used_variant = used_parameters(per_variant, global_params)
        templates = [
            *spec.shared,
            *spec.pipelines,
            *([spec.collect.pipeline] if spec.collect else []),
        ]
        overridden_globals = sorted(
            global_params & (set(spec.overrides) | _override_keys(variants))
        )
        if overridden_globals:
            raise self._error(
                f"parameter(s) {allowed(overridden_globals)} listed under 'parameters' (global) "
                "and also overridden.",
                f"{path}.parameters",
            )
        check_overrides(
            spec.overrides,
            self.base,
            used_shared | used_variant,
            path=f"{self.key}.{path}.overrides",
            templates=templates,
            source=self.source,
        )
        self.added_keys += added_keys(spec.overrides, self.base, f"{self.key}.{path}.overrides")
        ns_values = deep_merge(self.base, spec.overrides)
        params: dict[str, Any] = pick(ns_values, used_shared)
        for name, overrides in variants.items():
            vpath = f"{path}.variants.{name}.overrides"
            if spec.variants.get(name) is None:
                vpath = f"{path}.matrix.parameters"
            check_overrides(
                overrides,
                ns_values,
                used_variant,
                path=f"{self.key}.{vpath}",
                templates=spec.pipelines,
                source=self.source,
            )
            self.added_keys += added_keys(overrides, ns_values, f"{self.key}.{vpath}")
            params[name] = variant_parameters(ns_values, used_variant, overrides)
        self.namespace_params[ns] = params

        # Nodes: shared once, then each variant (chained when declared), then collect.
        names = list(variants)
        tags = {ns, *names}
        ns_nodes = [copy_node(n, renamer.shared(), ns, tags) for n in shared]
        chain = spec.chain
        for index, name in enumerate(names):
            previous = None
            if chain is not None:
                # `initial` is used as written; a later variant reads its predecessor's
                # output under the transcoding suffix (if any) of the template input.
                previous = (
                    chain.initial
                    if index == 0
                    else f"{ns}.{names[index - 1]}.{chain.output}{renamer.chain_suffix}"
                )
            mapping = renamer.variant(name, previous)
            nodes = [copy_node(n, mapping, f"{ns}.{name}", {ns, name}) for n in per_variant]
            self.pipelines[f"{ns}.{name}"] = self._pipeline(nodes, path)
            ns_nodes.extend(nodes)
        if spec.collect is not None:
            ns_nodes.extend(self._collect(ns, spec, names, collect, renamer))
        self.pipelines[ns] = self._pipeline(ns_nodes, path)
        self.nodes.extend(ns_nodes)
        self.variants[ns] = tuple(names)
        kinds = [
            k for k, present in (("variants", spec.variants), ("matrix", spec.matrix)) if present
        ]
        self.kinds[ns] = "chain" if spec.chain else "+".join(kinds)
        self._record_datasets(ns, names, renamer)
        self.catalog.update(
            render_catalog(
                spec.catalog,
                renamer,
                names,
                path=f"{self.key}.{path}.catalog",
                source=self.source,
            )
        )

    def _collect(
        self,
        ns: str,
        spec: NamespaceSpec,
        names: list[str],
        collect: list[Node],
        renamer: DatasetRenamer,
    ) -> list[Node]:
        assert spec.collect is not None
        wanted = spec.collect.input
        if wanted not in renamer.variant_outputs:
            raise self._error(
                f"'{wanted}' is not an output of pipeline(s) {allowed(spec.pipelines)}; each "
                f"variant must produce it. Outputs: {allowed(renamer.variant_outputs)}."
                f"{did_you_mean(wanted, renamer.variant_outputs)}",
                f"{ns}.collect.input",
            )
        readers = [n for n in collect if wanted in {base_name(i) for i in n.inputs}]
        if not readers:
            raise self._error(
                f"no node of pipeline '{spec.collect.pipeline}' reads '{wanted}'.",
                f"{ns}.collect.input",
            )
        mapping = renamer.collect()
        return [
            collect_node(node, wanted, tuple(names), mapping, ns)
            if node in readers
            else copy_node(node, mapping, ns, {ns})
            for node in collect
        ]

    def _check_names(
        self,
        ns: str,
        spec: NamespaceSpec,
        variants: Mapping[str, Any],
        shared: list[Node],
        per_variant: list[Node],
        collect: list[Node],
        renamer: DatasetRenamer,
    ) -> None:
        datasets = {
            base_name(d)
            for n in [*shared, *per_variant, *collect]
            for d in [*n.inputs, *n.outputs, *n.confirms]
            if not d.startswith("params:")
        }
        for name in spec.inputs:
            if name not in datasets:
                raise self._error(
                    f"'{name}' is not a dataset of the namespace's pipelines. "
                    f"Datasets: {allowed(datasets)}.{did_you_mean(name, datasets)}",
                    f"{ns}.inputs",
                )
        clashes = {
            "a top-level parameter": set(self.base),
            "a registered pipeline": set(self.templates),
            "a dataset of the shared pipelines": renamer.shared_outputs,
        }
        for name in variants:
            for what, taken in clashes.items():
                if name in taken:
                    raise self._error(
                        f"variant '{name}' has the same name as {what}; their namespaced "
                        f"names would clash ('{ns}.{name}'). Rename the variant.",
                        f"{ns}.variants.{name}",
                    )
        if spec.chain is not None:
            ends = (
                ("input", spec.chain.input, renamer.variant_free_inputs),
                ("output", spec.chain.output, renamer.variant_outputs),
            )
            for end, name, known in ends:
                if name not in known:
                    raise self._error(
                        f"'{name}' is not an {end} of pipeline(s) {allowed(spec.pipelines)}. "
                        f"{end.title()}s: {allowed(known)}.{did_you_mean(name, known)}",
                        f"{ns}.chain.{end}",
                    )
            chain_input = spec.chain.input
            if chain_input in spec.inputs or chain_input in renamer.shared_outputs:
                raise self._error(
                    f"'{chain_input}' is a global input or a shared output, so it cannot be "
                    "wired from one variant to the next. A chain input must be a per-variant "
                    "dataset.",
                    f"{ns}.chain.input",
                )

    def _record_datasets(self, ns: str, names: list[str], renamer: DatasetRenamer) -> None:
        for template, new in renamer.owned_shared().items():
            self.datasets[new] = DatasetOrigin(ns, None, template)
        owned = renamer.owned_per_variant()
        for name in names:
            for template in owned:
                self.datasets[f"{ns}.{name}.{template}"] = DatasetOrigin(ns, name, template)


def _override_keys(variants: Mapping[str, Mapping[str, Any]]) -> set[str]:
    return {key for overrides in variants.values() for key in overrides}


__all__ = ["expand"]
