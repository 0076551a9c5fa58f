"""Read ``variants_from`` tables when the project is read, before the declaration is parsed.

Each namespace's table is loaded once per reading, through Kedro's own catalog
(its entry or a dataset factory, with the credentials), and its rows are put
into the declaration as ``variants_from.rows``, where the schema reads them
like named variants. What each row's origin was is kept beside the config
loader, so that a later error about a table variant names the dataset, row and
column instead of a YAML path nobody wrote.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from kedro.pipeline import Pipeline
from pydantic import ValidationError

from .._constants import LOGGER
from .._declaration.merge import deep_merge
from .._declaration.names import did_you_mean
from .._declaration.schema import Declaration
from .._declaration.sections import VariantsFromSpec
from .._declaration.table import RowOrigin, rows_of, table_variants
from .._errors import DeclarationError, DynamicPipelinesError
from .._expansion.nodes import base_name
from .config import memo, original
from .reporting import first_line

logger = logging.getLogger(LOGGER)

Origins = dict[str, dict[str, RowOrigin]]  # namespace -> variant -> its row


def with_table_variants(
    raw: Any, loader: Any, key: str, parameters: Mapping[str, Any] | None = None
) -> tuple[Any, Origins]:
    """``raw`` (the declaration as written) with every ``variants_from`` table's rows,
    whose override paths are checked against ``parameters`` (root and the
    namespace's ``overrides``) when given.

    Raises:
        DeclarationError: Naming the dataset, the row and the column, at
            ``<key>.<namespace>.variants_from``.
    """
    if not isinstance(raw, Mapping):
        return raw, {}
    declared = dict(raw)
    origins: Origins = {}
    for namespace, spec in raw.items():
        given = spec.get("variants_from") if isinstance(spec, Mapping) else None
        if not isinstance(given, Mapping):
            continue
        try:
            table = VariantsFromSpec.model_validate({k: v for k, v in given.items() if k != "rows"})
        except ValidationError:
            continue  # parse_declaration reports it, with its YAML path
        try:
            rows = rows_of(_load(table.dataset, loader), table.dataset)
            base = None
            if parameters is not None:
                root = {k: v for k, v in parameters.items() if k != key and k not in raw}
                overrides = spec.get("overrides")
                base = deep_merge(root, overrides) if isinstance(overrides, Mapping) else root
            variants, found = table_variants(rows, table, base)
        except DeclarationError as exc:
            raise DeclarationError(exc.detail, path=f"{key}.{namespace}.{exc.path}") from exc
        declared[namespace] = {**spec, "variants_from": {**given, "rows": variants}}
        origins[str(namespace)] = found
    memo(loader)["table_rows"] = origins
    return declared, origins


def _load(dataset: str, loader: Any) -> Any:
    from kedro.config import MissingConfigException
    from kedro.io import DataCatalog

    catalog = original(loader, "catalog")
    try:
        credentials = dict(loader["credentials"])
    except (MissingConfigException, KeyError):
        credentials = {}
    except Exception:
        credentials = {}
    try:
        data_catalog = DataCatalog.from_config(catalog, credentials)
        if dataset not in data_catalog:
            explicit = [name for name in catalog if "{" not in name]
            raise DeclarationError(
                f"'{dataset}' is not in the catalog: add an entry for the table, or fix the "
                f"name.{did_you_mean(dataset, explicit)}",
                path="variants_from.dataset",
            )
        return data_catalog.load(dataset)
    except DynamicPipelinesError:
        raise
    except Exception as exc:
        raise DeclarationError(
            f"dataset '{dataset}' could not be loaded: {first_line(exc)}",
            path="variants_from.dataset",
        ) from exc


def from_table(error: DynamicPipelinesError, loader: Any, key: str) -> DynamicPipelinesError:
    """``error`` with each problem about a table variant named by its row and column."""
    origins: Origins = memo(loader).get("table_rows") or {}
    if not origins:
        return error
    problems = [_located(e, origins, key) for e in error.errors]
    if all(new is old for new, old in zip(problems, error.errors, strict=True)):
        return error
    first, *others = problems
    return type(error)(first.detail, path=first.path, source=first.source, others=others)


def _located(error: DynamicPipelinesError, origins: Origins, key: str) -> DynamicPipelinesError:
    parts = (error.path or "").split(".")
    if len(parts) < 4 or parts[0] != key or parts[2] != "variants":
        return error
    origin = origins.get(parts[1], {}).get(parts[3])
    if origin is None:
        return error
    path = ".".join(parts[5:]) if len(parts) > 5 and parts[4] == "overrides" else None
    return type(error)(
        error.detail,
        path=f"{key}.{parts[1]}.variants_from",
        source=origin.describe(path),
    )


def warn_written_tables(declaration: Declaration, registry: Mapping[str, Pipeline]) -> None:
    """Warn when a node of the registered pipelines writes a ``variants_from`` table:
    the variants are the rows the table had when the run started, not what that
    node writes during it (running the producer first is not supported yet)."""
    tables = {
        spec.variants_from.dataset: name
        for name, spec in declaration.namespaces.items()
        if spec.variants_from is not None
    }
    if not tables:
        return
    for pipeline in registry.values():
        for node in pipeline.nodes:
            for output in node.outputs:
                namespace = tables.pop(base_name(output), None)
                if namespace is not None:
                    logger.warning(
                        "Namespace '%s' takes its variants from '%s', which node '%s' writes: "
                        "this run's variants are the rows it had when the run started. Run "
                        "'%s' first ('kedro run --nodes %s'), then the variants.",
                        namespace,
                        output,
                        node.name,
                        node.name,
                        node.name,
                    )
