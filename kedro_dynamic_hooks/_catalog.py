"""Catalog entries for namespaced datasets, and the filepath collision guard."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from kedro.io import DatasetError
from kedro.io.catalog_config_resolver import DEFAULT_RUNTIME_PATTERN, CatalogConfigResolver

from ._errors import CollisionError, DeclarationError
from ._names import allowed, did_you_mean
from ._nodes import base_name

if TYPE_CHECKING:
    from ._expansion import DatasetOrigin
    from ._nodes import DatasetRenamer

NAMESPACE = "{namespace}"
VARIANT = "{variant}"
PATH_KEYS = ("filepath", "path")


def check_catalog_templates(
    templates: Mapping[str, Mapping[str, Any]],
    renamer: DatasetRenamer,
    *,
    path: str,
    source: str | None,
) -> None:
    """Refuse catalog templates that would not name exactly one kind of dataset.

    Each key must name a namespaced dataset of the namespace's templates, and a
    dataset shared by the whole namespace cannot use ``{variant}``.

    Raises:
        DeclarationError: Naming the template's YAML path and the namespaced datasets.
    """
    shared = renamer.owned_shared()
    per_variant = renamer.owned_per_variant()
    for name, config in templates.items():
        if name in per_variant:
            continue
        if name in shared:
            if _mentions(config, VARIANT):
                raise DeclarationError(
                    f"dataset '{name}' is shared by the whole namespace, so its config cannot "
                    "use '{variant}'. Use '{namespace}' only.",
                    path=f"{path}.{name}",
                    source=source,
                )
            continue
        known = sorted({*shared, *per_variant})
        reason = (
            "is a global input; declare it in catalog.yml"
            if name in renamer.global_inputs
            else "is not a namespaced dataset of this namespace's pipelines"
        )
        raise DeclarationError(
            f"'{name}' {reason}. Namespaced datasets: {allowed(known)}."
            f"{did_you_mean(name, known)}",
            path=f"{path}.{name}",
            source=source,
        )


def render_catalog(
    templates: Mapping[str, Mapping[str, Any]], renamer: DatasetRenamer, variants: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """Render a namespace's checked catalog templates into concrete entries.

    Each key names a dataset of the namespace's template pipelines. Its config
    is copied once per instance of that dataset, with ``{namespace}`` and
    ``{variant}`` replaced in every string (other braces are left alone).
    """
    shared = renamer.owned_shared()
    per_variant = set(renamer.owned_per_variant())
    entries: dict[str, dict[str, Any]] = {}
    for name, config in templates.items():
        if name in per_variant:
            for variant in variants:
                entries[f"{renamer.namespace}.{variant}.{name}"] = _render(
                    config, renamer.namespace, variant
                )
        else:
            entries[shared[name]] = _render(config, renamer.namespace, "")
    return entries


def _mentions(value: Any, token: str) -> bool:
    if isinstance(value, str):
        return token in value
    if isinstance(value, Mapping):
        return any(_mentions(v, token) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, token) for v in value)
    return False


def _render(value: Any, namespace: str, variant: str) -> Any:
    if isinstance(value, str):
        return value.replace(NAMESPACE, namespace).replace(VARIANT, variant)
    if isinstance(value, Mapping):
        return {k: _render(v, namespace, variant) for k, v in value.items()}
    if isinstance(value, list):
        return [_render(v, namespace, variant) for v in value]
    return value


def check_collisions(
    catalog: Mapping[str, Any],
    origins: Mapping[str, DatasetOrigin],
    *,
    project_path: str,
) -> None:
    """Refuse two datasets that resolve to one filepath.

    Every namespaced dataset is resolved like Kedro would: its explicit entry,
    else the best-matching dataset factory pattern. Transcoded names of one
    dataset (``x@pandas``, ``x@spark``) may share a path; anything else that
    involves a namespaced dataset may not, even when versioned, because both
    would be saved under the same run's version folder.

    Args:
        catalog: The catalog config (explicit entries and patterns).
        origins: Every namespaced dataset name -> where it comes from.
        project_path: Relative filepaths are taken relative to this folder.

    Raises:
        CollisionError: Naming both datasets, their origins and the filepath.
    """
    explicit = [k for k in catalog if not CatalogConfigResolver.is_pattern(k)]
    names = [*explicit, *(name for name in origins if name not in catalog)]
    owners: dict[str, str] = {}
    for name, filepath in resolve_filepaths(catalog, names, project_path=project_path).items():
        if filepath is None:
            continue
        other = owners.setdefault(filepath, name)
        # Transcoded names of one dataset (x@pandas, x@spark) share a file by design.
        if base_name(other) != base_name(name) and (name in origins or other in origins):
            raise CollisionError(
                f"datasets '{other}' ({_origin(other, origins)}) and '{name}' "
                f"({_origin(name, origins)}) both resolve to filepath '{filepath}'; one would "
                "overwrite the other. Give each its own filepath, e.g. with '{variant}' for "
                "per-variant datasets, in the catalog template or dataset factory pattern.",
                path=f"{name}.filepath",
                source="the catalog",
            )


def resolve_filepaths(
    catalog: Mapping[str, Any], names: Iterable[str], *, project_path: str
) -> dict[str, str | None]:
    """Resolve each dataset name to its normalised filepath, as Kedro would.

    A name takes its explicit entry, else the best-matching dataset factory
    pattern; in-memory datasets (and anything without a path) give ``None``.
    """
    patterns = {
        k: _without_credentials(v)
        for k, v in catalog.items()
        if CatalogConfigResolver.is_pattern(k)
    }
    try:
        resolver = CatalogConfigResolver(
            config=patterns, default_runtime_patterns=DEFAULT_RUNTIME_PATTERN
        )
    except DatasetError as exc:
        raise DeclarationError(
            f"a dataset factory pattern is invalid: {exc}", path="catalog", source="the catalog"
        ) from exc
    paths: dict[str, str | None] = {}
    for name in names:
        config = catalog.get(name)
        if config is None:
            config = resolver.resolve_pattern(name) if patterns else {}
        paths[name] = _filepath(config, project_path)
    return paths


def _origin(name: str, origins: Mapping[str, DatasetOrigin]) -> str:
    origin = origins.get(name)
    return origin.describe() if origin else "a catalog entry"


def _without_credentials(config: Any) -> Any:
    if isinstance(config, Mapping):
        return {k: _without_credentials(v) for k, v in config.items() if k != "credentials"}
    return config


def _filepath(config: Mapping[str, Any], project_path: str) -> str | None:
    if not isinstance(config, Mapping):
        return None
    for key in PATH_KEYS:
        value = config.get(key)
        if isinstance(value, str) and value:
            if "://" in value:
                return value.rstrip("/")
            path = PurePosixPath(value.replace("\\", "/"))
            if not path.is_absolute():
                path = PurePosixPath(project_path) / path
            return posixpath.normpath(str(path))
    return None
