"""The one way to get a project's expansion: from a config loader, checked, once.

The hook, ``kedro dynamic`` and :func:`~kedro_dynamic_hooks.find_dynamic_pipelines`
all call :func:`load_expansion`. The hook remembers what it registered beside the
context's config loader (:func:`registered`), so a ``kedro dynamic`` command
reuses it instead of expanding again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kedro.pipeline import Pipeline

from .._checks.collisions import check_collisions
from .._declaration.schema import Declaration, parse_declaration
from .._errors import ConfigError, DynamicPipelinesError
from .._expansion.expand import expand
from .._expansion.neighbours import Neighbours
from .._expansion.parameters import check_runtime_root, check_runtime_variant_names
from .._expansion.result import Expansion
from .._expansion.selection import Selection, mapped
from .._kedro_compat import parameters_without_runtime
from .config import memo, original, original_parameters
from .registry import is_expanded, mark_expanded, registered_templates
from .reporting import first_line
from .sources import declaration_source
from .tables import from_table, with_table_variants
from .verdicts import passed_before, verdict_key


@dataclass(frozen=True)
class Loaded:
    """An expansion and the full catalog config that goes with it.

    Attributes:
        expansion: The expansion.
        catalog: Its rendered catalog entries, overlaid by catalog.yml's own.
        verdict: The digest of a collision check that passed here and is not
            kept yet; kept once a run starts (``verdicts.py``), so a refused
            run leaves the project as it was.
    """

    expansion: Expansion
    catalog: dict[str, Any]
    verdict: str | None = None


def read_declaration(
    loader: Any, key: str, project_path: Any = None
) -> tuple[Declaration, dict[str, Any]] | None:
    """The declaration and the parameters as the files (and ``--params``) gave them;
    a ``variants_from`` table's relative filepath starts at ``project_path``.

    Returns:
        ``None`` when the parameters have no ``key``.

    Raises:
        ConfigError: When Kedro cannot read the parameters (duplicate keys, say).
        DeclarationError: When the declaration breaks the schema.
    """
    try:
        parameters = original_parameters(loader)
    except Exception as exc:  # Kedro's own config errors, e.g. duplicate keys
        project = getattr(loader, "conf_source", "") or ""
        root = str(project).rsplit("/", 1)[0] + "/" if "/" in str(project) else ""
        message = first_line(exc).replace(root, "")
        if "Duplicate keys" in message:
            message = message.rstrip(".") + (
                ". A top-level key lives in one parameters file only: add to it where it"
                " is (the declaration itself may go in any parameters*.yml file)."
            )
        raise ConfigError(message, path="parameters") from exc
    if key not in parameters:
        return None
    try:
        declared, _ = with_table_variants(parameters[key], loader, key, parameters, project_path)
        # The rows go into the declaration, not back into the parameters: Kedro
        # makes a 'params:' dataset of every nested key, 10,000 rows included.
        return parse_declaration(declared, key=key), parameters
    except DynamicPipelinesError as exc:
        raise blame(exc, loader, key) from exc


def load_expansion(
    loader: Any,
    declaration: Declaration,
    parameters: dict[str, Any],
    *,
    key: str,
    project_path: str,
    templates: Mapping[str, Pipeline] | None = None,
    selection: Selection | None = None,
    check: bool = True,
) -> Loaded:
    """Expand, then check filepaths; the expansion and its full catalog config.

    Args:
        loader: The config loader the parameters and catalog come from.
        declaration: As :func:`read_declaration` gave it.
        parameters: As :func:`read_declaration` gave them.
        key: The declaration's top-level parameters key.
        project_path: Where relative filepaths start.
        templates: The registered pipelines; read from Kedro's registry when
            not given.
        selection: What the run selects: build just the variants it can touch
            (a selective run); everything is still checked.
        check: Check that no two datasets write one place.

    Raises:
        DynamicPipelinesError: Naming the YAML path and where its value came
            from (the parameters file or ``--params``).
    """
    try:
        runtime = getattr(loader, "runtime_params", None) or {}
        root = {k: v for k, v in runtime.items() if k != key and k not in declaration.namespaces}
        files = None
        root_added: list[str] = []
        if root:  # checked against the files alone: the loaded parameters include them
            files = parameters_without_runtime(loader)
            root_added = check_runtime_root(root, files)
            check_runtime_variant_names(
                root, files, {n: s.variant_overrides for n, s in declaration.namespaces.items()}
            )
        registry = registered_templates(declaration) if templates is None else templates
        neighbours = only = None
        if selection is not None:
            neighbours = neighbours_of(declaration, registry)
            only = mapped(selection, declaration, neighbours)
        expansion = expand(
            declaration,
            registry,
            parameters,
            runtime_params=runtime,
            key=key,
            only=only,
            file_parameters=files,
            neighbours=neighbours,
        )
        if root_added:  # root --params reach every variant
            expansion = dataclasses.replace(
                expansion, runtime_added=(*root_added, *expansion.runtime_added)
            )
        mark_expanded(expansion.nodes)
        user_catalog = original(loader, "catalog") if check or templates is None else {}
        catalog = {**expansion.catalog, **user_catalog}
        verdict = None
        if check:
            verdict = verdict_key(
                [parameters.get(key), table_rows(declaration)],
                user_catalog,
                registry,
                [t for spec in declaration.namespaces.values() for t in spec.templates],
                only,
                project_path,
            )
        if verdict is not None and not passed_before(project_path, verdict):
            templated = expansion.declared_catalog or expansion.catalog
            check_collisions(
                {**templated, **user_catalog},
                expansion.datasets
                if expansion.declared_datasets is None
                else expansion.declared_datasets,
                project_path=project_path,
                datasets=expansion.dataset_names,
                written=expansion.written,
                templated=templated.keys() - user_catalog.keys(),
                key=key,
            )
        else:
            verdict = None  # kept already, or not checked: nothing to keep
    except DynamicPipelinesError as exc:
        raise blame(exc, loader, key) from exc
    return Loaded(expansion, catalog, verdict)


def table_rows(declaration: Declaration) -> dict[str, list[Any]]:
    """Each ``variants_from`` namespace's rows, as the collision verdict's digest needs
    them (they change the rendered filepaths), in a JSON-friendly form."""
    return {
        name: [[v, row.overrides] for v, row in spec.variants_from.rows.items()]
        for name, spec in declaration.namespaces.items()
        if spec.variants_from is not None
    }


def neighbours_of(declaration: Declaration, registry: Mapping[str, Pipeline]) -> Neighbours:
    """The registry around the declaration's templates, for a selective build."""
    templates = {name: spec.templates for name, spec in declaration.namespaces.items()}
    return Neighbours.of(templates, registry, is_expanded)


def remember(loader: Any, loaded: Loaded) -> None:
    """Keep what the hook registered for this loader, for :func:`registered`."""
    memo(loader)["expansion"] = loaded


def registered(loader: Any) -> Loaded | None:
    """What the hook registered for this loader, or ``None``."""
    found: Loaded | None = memo(loader).get("expansion")
    return found


def blame(error: DynamicPipelinesError, loader: Any, key: str) -> DynamicPipelinesError:
    """Name where the offending value came from: a table's row, ``--params`` or the
    parameters file."""
    error = from_table(error, loader, key)
    if error.source:
        return error
    runtime = getattr(loader, "runtime_params", None) or {}
    if error.path and _given(runtime, error.path.split(".")):
        return error.with_source("--params")
    return error.with_source(declaration_source(loader, key))


def _given(runtime: Any, parts: list[str]) -> bool:
    """Whether ``--params`` set the value at this dotted path (or one above it)."""
    for part in parts:
        if not isinstance(runtime, Mapping) or part not in runtime:
            return False
        runtime = runtime[part]
    return True
