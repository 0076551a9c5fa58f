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

from pydantic import ValidationError

from .._constants import LOGGER
from .._declaration.merge import deep_merge
from .._declaration.names import did_you_mean
from .._declaration.sections import VariantsFromSpec
from .._declaration.table import RowOrigin, pending_variants, rows_of, table_variants
from .._errors import DeclarationError, DynamicPipelinesError
from .._kedro_compat import absolute_paths
from .config import memo, original
from .reporting import first_line

logger = logging.getLogger(LOGGER)

Origins = dict[str, dict[str, RowOrigin]]  # namespace -> variant -> its row


def pending_tables(loader: Any) -> dict[str, str]:
    """Namespace -> its ``variants_from`` dataset, for the tables that did not exist
    when the project was read (a node of the project is expected to write them)."""
    found: dict[str, str] = memo(loader).get("pending_tables") or {}
    return found


def with_table_variants(
    raw: Any,
    loader: Any,
    key: str,
    parameters: Mapping[str, Any] | None = None,
    project_path: Any = None,
) -> tuple[Any, Origins]:
    """``raw`` (the declaration as written) with every ``variants_from`` table's rows,
    whose override paths are checked against ``parameters`` (root and the
    namespace's ``overrides``) when given. Relative filepaths start at
    ``project_path`` when given (as in a run), else at the working folder.

    Raises:
        DeclarationError: Naming the dataset, the row and the column, at
            ``<key>.<namespace>.variants_from``.
    """
    if not isinstance(raw, Mapping):
        return raw, {}
    declared = dict(raw)
    origins: Origins = {}
    pending: dict[str, str] = {}
    for namespace, spec in raw.items():
        given = spec.get("variants_from") if isinstance(spec, Mapping) else None
        if not isinstance(given, Mapping):
            continue
        try:
            table = VariantsFromSpec.model_validate({k: v for k, v in given.items() if k != "rows"})
        except ValidationError:
            continue  # parse_declaration reports it, with its YAML path
        base = None
        if parameters is not None:
            root = {k: v for k, v in parameters.items() if k != key and k not in raw}
            overrides = spec.get("overrides")
            base = deep_merge(root, overrides) if isinstance(overrides, Mapping) else root
        try:
            data = _load(table.dataset, loader, project_path)
            if data is _MISSING:  # to be written by a node: see producers.py
                variants, found = pending_variants(table, base), dict[str, RowOrigin]()
                pending[str(namespace)] = table.dataset
            else:
                variants, found = table_variants(rows_of(data, table.dataset), table, base)
        except DeclarationError as exc:
            raise DeclarationError(exc.detail, path=f"{key}.{namespace}.{exc.path}") from exc
        declared[namespace] = {**spec, "variants_from": {**given, "rows": variants}}
        origins[str(namespace)] = found
    memo(loader)["table_rows"] = origins
    memo(loader)["pending_tables"] = pending
    return declared, origins


_MISSING = object()


def _load(dataset: str, loader: Any, project_path: Any = None) -> Any:
    """The table's data, or ``_MISSING`` when the dataset does not exist (yet)."""
    from kedro.config import MissingConfigException
    from kedro.io import DataCatalog

    catalog = original(loader, "catalog")
    if project_path is not None:
        catalog = absolute_paths(project_path, dict(catalog))
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
        try:
            exists = data_catalog.exists(dataset)
        except Exception:
            exists = True  # let the load say what is wrong
        return data_catalog.load(dataset) if exists else _MISSING
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
