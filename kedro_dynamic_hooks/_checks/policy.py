"""What ``kedro dynamic validate`` decides: errors, warnings, and lints.

Errors are what ``kedro run`` (``__default__``) or a run of a namespace could
not find. Warnings are what only a run of a single variant (a shared output
kept in memory, say) or of another registered pipeline could not find;
``--strict`` makes them errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kedro.io.catalog_config_resolver import CatalogConfigResolver
from kedro.pipeline import Pipeline

from .._constants import DEFAULT_PIPELINE, is_parameter
from .._errors import DynamicPipelinesError
from .._expansion.nodes import base_name
from .._expansion.result import Expansion
from .catalog_index import CatalogIndex
from .folders import folder_reads_before_writes
from .inputs import (
    explain,
    outside_the_run,
    parameter_known,
    unresolved_inputs,
    written_elsewhere,
)
from .types import check_types


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
    if DEFAULT_PIPELINE in registry:
        skip = {*expansion.templates, *expansion.pipelines, DEFAULT_PIPELINE}
        elsewhere = written_elsewhere(registry[DEFAULT_PIPELINE], registry, skip)
        for name, (reader, *writer) in elsewhere.items():
            if name not in found and name not in warned:
                warned[name] = outside_the_run(
                    name, reader, (writer[0], writer[1]), "kedro run", missing=False
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


@dataclass(frozen=True)
class Verdict:
    """What ``validate`` found.

    Attributes:
        problems: Errors (with ``strict``, the warnings too).
        warnings: What only a run of one variant or another pipeline would miss.
        unused: catalog.yml entries no pipeline uses once namespaced.
    """

    problems: list[DynamicPipelinesError]
    warnings: list[DynamicPipelinesError] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)


def verdict(
    registry: Mapping[str, Pipeline],
    expansion: Expansion,
    catalog: Mapping[str, Any],
    user_catalog: Mapping[str, Any],
    parameters: Mapping[str, Any],
    *,
    key: str,
    source: str | None,
    strict: bool,
    project_path: str = ".",
) -> Verdict:
    """Every check ``validate`` makes, with its error and warning policy.

    Args:
        registry: Every registered pipeline, the expansion included.
        expansion: Every declared variant.
        catalog: The full catalog config (templates, then catalog.yml).
        user_catalog: catalog.yml's entries alone.
        parameters: The expanded parameters.
        key: The declaration's top-level parameters key.
        source: The parameters file(s) holding the declaration.
        strict: Count the warnings as problems.
        project_path: Where relative filepaths start.
    """
    problems, warnings = check_registry(
        registry, expansion, catalog, parameters, key=key, source=source
    )
    problems += check_types(catalog, expansion, key=key, source=source)
    if DEFAULT_PIPELINE in registry:
        problems += folder_reads_before_writes(
            registry[DEFAULT_PIPELINE], catalog, project_path=project_path, run="kedro run"
        )
    if strict:
        problems, warnings = [*problems, *warnings], []
    unused = unused_catalog_entries(user_catalog, registry, expansion)
    return Verdict(problems, warnings, unused)
