"""The link step: after expansion, everything a pipeline reads must resolve.

A free input of a pipeline (one no node of it produces) must be a parameter or
a catalog entry (explicit, from a dataset factory, or rendered from a
``catalog`` template). Otherwise Kedro stops the run with a long traceback, or,
worse, a later run reads a file an earlier run left behind. This module finds
those inputs and explains each one: the YAML path to change and the fix.

The same functions serve ``kedro dynamic validate`` (every registered
pipeline that holds expanded nodes, against the catalog configuration) and
the hook (the pipeline a run is about to execute, against the run's catalog).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kedro.io import DatasetError
from kedro.io.catalog_config_resolver import DEFAULT_RUNTIME_PATTERN, CatalogConfigResolver
from kedro.io.core import parse_dataset_definition
from kedro.pipeline import Pipeline

from .._constants import ALL_PARAMETERS, DEFAULT_PIPELINE, PARAMS, is_parameter
from .._declaration.names import split_name
from .._errors import DynamicPipelinesError, ProjectError
from .._expansion.nodes import base_name
from .._expansion.result import Expansion

Known = Callable[[str], bool]


class CatalogIndex:
    """Answers "would Kedro find this dataset?" from a catalog configuration.

    A name is known when it has an explicit entry or matches a dataset factory
    pattern written by the user (Kedro's own runtime pattern, which makes a
    ``MemoryDataset`` of anything, does not count: nothing would be persisted).
    """

    def __init__(self, catalog: Mapping[str, Any]) -> None:
        self.explicit = {k for k in catalog if not CatalogConfigResolver.is_pattern(k)}
        patterns = {
            k: _without_credentials(v)
            for k, v in catalog.items()
            if CatalogConfigResolver.is_pattern(k)
        }
        try:
            self._resolver = CatalogConfigResolver(
                config=patterns, default_runtime_patterns=DEFAULT_RUNTIME_PATTERN
            )
        except DatasetError as exc:
            raise ProjectError(
                f"a dataset factory pattern is invalid: {exc}", path="catalog", source="the catalog"
            ) from exc
        self._has_patterns = bool(patterns)

    def resolve(self, name: str) -> dict[str, Any] | None:
        """The config the best-matching pattern gives ``name`` (Kedro's default if none)."""
        if not self._has_patterns:
            return None
        config: dict[str, Any] = self._resolver.resolve_pattern(name)
        return config

    def pattern(self, name: str) -> str | None:
        """The user's dataset factory pattern that matches ``name``, if any."""
        if not self._has_patterns:
            return None
        match: str | None = self._resolver.match_dataset_pattern(name)
        return match or self._resolver.match_user_catch_all_pattern(name)

    def __call__(self, name: str) -> bool:
        if name in self.explicit:
            return True
        if not self._has_patterns:
            return False
        resolver = self._resolver
        return (
            resolver.match_dataset_pattern(name) is not None
            or resolver.match_user_catch_all_pattern(name) is not None
        )


def parameter_known(name: str, parameters: Mapping[str, Any]) -> bool:
    """Whether ``params:a.b`` names a parameter (``parameters`` always exists)."""
    if name == ALL_PARAMETERS:
        return True
    value: Any = parameters
    for part in name[len(PARAMS) :].split("."):
        if not isinstance(value, Mapping) or part not in value:
            return False
        value = value[part]
    return True


def unresolved_inputs(pipeline: Pipeline, known: Known) -> dict[str, list[str]]:
    """Free inputs of ``pipeline`` that ``known`` does not find -> the nodes reading them."""
    missing = sorted(name for name in pipeline.inputs() if not known(name))
    if not missing:
        return {}
    wanted = set(missing)
    readers: dict[str, list[str]] = {name: [] for name in missing}
    for node in pipeline.nodes:
        for name in node.inputs:
            if name in wanted and node.name not in readers[name]:
                readers[name].append(node.name)
    return readers


def explain(
    name: str,
    readers: list[str],
    pipeline_name: str,
    expansion: Expansion | None,
    known: Known,
    *,
    key: str,
    source: str | None,
) -> ProjectError:
    """One unresolved input as a readable error with the fix."""
    reader = readers[0] if readers else "?"
    ns, _, rest = name.partition(".")
    if expansion is not None and ns in expansion and rest:
        producers = _producers(expansion, name)
        template = base_name(rest.rsplit(".", 1)[-1])
        if producers:
            return ProjectError(
                f"'{name}' is read by node '{reader}' but produced by node '{producers[0]}', "
                f"which '{pipeline_name}' does not run, and it is not persisted, so there is "
                "nothing to read. Persist it with a catalog template "
                f"'{key}.{ns}.catalog.{template}' (or a dataset factory in catalog.yml), or run "
                f"the whole namespace: 'kedro run --namespaces {ns}'.",
                path=f"{key}.{ns}.catalog",
                source=source,
            )
        if known(rest.rsplit(".", 1)[-1]):
            return ProjectError(
                f"'{name}' (read by node '{reader}') is not found: '{template}' exists globally "
                f"in the catalog, but namespace '{ns}' reads its own copy. List '{template}' "
                f"under '{key}.{ns}.inputs' to read the global one.",
                path=f"{key}.{ns}.inputs",
                source=source,
            )
    origins = expansion.datasets if expansion is not None else {}
    copies = sorted(d for d, o in origins.items() if o.template == name)
    if copies and "." not in name:
        return ProjectError(
            f"'{name}' (read by node '{reader}' in '{pipeline_name}') is an output of the "
            f"declaration's templates, which run only as namespaced copies "
            f"({', '.join(repr(c) for c in copies[:3])}{', ...' if len(copies) > 3 else ''}): "
            "nothing writes it. Read a namespaced copy, or declare this pipeline in a "
            "namespace (under 'shared' or 'collect').",
            path=reader,
            source="the pipeline registry",
        )
    chains = [ns for ns in (expansion or {}).values() if ns.chain_initial == name]
    if chains:
        return ProjectError(
            f"'{name}', the dataset the chain's first variant reads ('chain.initial'), has no "
            "catalog entry and no node produces it. Name a dataset of catalog.yml there, or "
            "add an entry for it.",
            path=f"{key}.{chains[0].name}.chain.initial",
            source=source,
        )
    if is_parameter(name):
        return ProjectError(
            f"parameter '{name[len(PARAMS) :]}' (read by node '{reader}' in "
            f"'{pipeline_name}') is not defined. Define it in parameters.yml.",
            path=name,
            source="the parameters",
        )
    return ProjectError(
        f"dataset '{name}' (read by node '{reader}' in '{pipeline_name}') is produced by no "
        "node that runs and has no catalog entry. Add an entry (or a dataset factory) for it "
        "in catalog.yml, or run what produces it too.",
        path=name,
        source="the catalog",
    )


def _producers(expansion: Expansion, name: str) -> list[str]:
    return [n.name for n in expansion.nodes if name in n.outputs]


def check_pipeline(
    pipeline: Pipeline,
    pipeline_name: str,
    known: Known,
    expansion: Expansion | None,
    *,
    key: str,
    source: str | None,
) -> list[ProjectError]:
    """Every unresolved input of one pipeline, explained."""
    return [
        explain(name, readers, pipeline_name, expansion, known, key=key, source=source)
        for name, readers in unresolved_inputs(pipeline, known).items()
    ]


def check_registry(
    registry: Mapping[str, Pipeline],
    expansion: Expansion,
    catalog: Mapping[str, Any],
    parameters: Mapping[str, Any],
    *,
    key: str,
    source: str | None,
) -> tuple[list[DynamicPipelinesError], list[DynamicPipelinesError]]:
    """What ``validate`` checks, as (errors, warnings).

    Errors: an input that ``kedro run`` (``__default__``) or a run of a
    namespace could not find. Warnings: one that only a run of a single
    variant (e.g. a shared output kept in memory) or of another registered
    pipeline (e.g. one reading a bare template's output) could not find;
    ``--strict`` makes them errors.
    """
    index = CatalogIndex(catalog)

    def known(name: str) -> bool:
        if is_parameter(name):
            return parameter_known(name, parameters)
        return index(name)

    variants = {f"{ns}.{v}" for ns, names in expansion.variants.items() for v in names}
    own = [
        n
        for n in registry
        if n not in expansion.templates and n not in expansion.pipelines and n != DEFAULT_PIPELINE
    ]
    whole = [n for n in (DEFAULT_PIPELINE, *expansion.pipelines) if n in registry]
    whole = [n for n in whole if n not in variants]
    partial = [*sorted(variants & registry.keys()), *own]
    found: dict[str, DynamicPipelinesError] = {}
    warned: dict[str, DynamicPipelinesError] = {}
    for group, names in ((found, whole), (warned, partial)):
        for pipeline_name in names:
            run = f"kedro run --pipelines {pipeline_name}"
            for name, readers in unresolved_inputs(registry[pipeline_name], known).items():
                if name not in found and name not in group:  # one finding per dataset
                    group[name] = explain(
                        name, readers, run, expansion, known, key=key, source=source
                    )
    return list(found.values()), list(warned.values())


def unused_catalog_entries(
    catalog: Mapping[str, Any], registry: Mapping[str, Pipeline], expansion: Expansion
) -> list[str]:
    """catalog.yml entries no registered pipeline uses once templates are namespaced."""
    used = {
        d for name, p in registry.items() if name not in expansion.templates for d in p.datasets()
    }
    owned = {origin.template for origin in expansion.datasets.values()}
    return sorted(
        name
        for name in catalog
        if not CatalogConfigResolver.is_pattern(name)
        and name not in used
        and base_name(name) in owned
        and name not in expansion.catalog
    )


def _without_credentials(config: Any) -> Any:
    if isinstance(config, Mapping):
        return {k: _without_credentials(v) for k, v in config.items() if k != "credentials"}
    return config


def dataset_origin_path(name: str, expansion: Expansion | None, key: str) -> str:
    """The YAML path of a dataset's config: its catalog template, or its catalog entry."""
    if expansion is None or name not in expansion.catalog:
        return name
    origin = expansion.datasets[name]
    return f"{key}.{origin.namespace}.catalog.{origin.template}"


def check_types(
    catalog: Mapping[str, Any], expansion: Expansion, *, key: str, source: str | None
) -> list[DynamicPipelinesError]:
    """Every catalog entry's ``type`` must import (checked once per distinct config type)."""
    errors: dict[str, DynamicPipelinesError] = {}
    tried: dict[str, str | None] = {}
    for name, config in catalog.items():
        if not isinstance(config, Mapping) or not isinstance(config.get("type"), str):
            continue
        kind = config["type"]
        if kind not in tried:
            try:
                parse_dataset_definition(dict(_without_credentials(config)))
                tried[kind] = None
            except DatasetError as exc:
                tried[kind] = " ".join(line.strip() for line in str(exc).splitlines() if line)
        problem = tried[kind]
        where = dataset_origin_path(name, expansion, key)
        if problem is not None and where not in errors:
            from_template = where != name
            errors[where] = ProjectError(
                f"the dataset type '{kind}' of '{name}' cannot be loaded: {problem}",
                path=where,
                source=source if from_template else "the catalog",
            )
    return list(errors.values())


def check_produced(
    pipeline: Pipeline,
    run: str,
    exists: Known,
    expansion: Expansion,
    *,
    key: str,
    source: str | None,
) -> ProjectError | None:
    """Refuse a run that reads an expanded dataset no earlier run has written yet.

    Only inputs that some expanded node produces are checked (a shared step's
    table, a previous month's state): a run that skips their producer can only
    read what an earlier run left, and there is nothing yet.
    """
    producers = {o: n.name for n in expansion.nodes for o in n.outputs}
    for name, readers in unresolved_inputs(pipeline, lambda d: d not in producers).items():
        if exists(name):
            continue
        namespace = split_name(name)[0]
        return ProjectError(
            f"'{name}' is read by node '{readers[0]}' but produced by node "
            f"'{producers[name]}', which '{run}' does not run, and no earlier run has written "
            f"it yet. Run its producer first, e.g. 'kedro run --namespaces {namespace}'.",
            path=f"{key}.{namespace}",
            source=source,
        )
    return None
