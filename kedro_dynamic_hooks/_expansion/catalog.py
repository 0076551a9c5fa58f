"""Catalog entries for namespaced datasets: checking and rendering the templates."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .._declaration.names import allowed, did_you_mean
from .._errors import DeclarationError

if TYPE_CHECKING:
    from .nodes import DatasetRenamer

NAMESPACE = "{namespace}"
VARIANT = "{variant}"


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
        for placeholder in sorted(_placeholders(config) - {NAMESPACE, VARIANT}):
            raise DeclarationError(
                f"unknown placeholder '{placeholder}' in the config of '{name}'; only "
                f"'{NAMESPACE}' and '{VARIANT}' are replaced, so it would stay as written (a "
                f"folder named '{placeholder}')."
                f"{did_you_mean(placeholder, [NAMESPACE, VARIANT])}",
                path=f"{path}.{name}",
                source=source,
            )
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
            f"'{name}' {reason}. Namespaced datasets: {allowed(known)}.{did_you_mean(name, known)}",
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


_PLACEHOLDER = re.compile(r"(?<![$\\{])\{[A-Za-z_][A-Za-z0-9_]*\}")


def _placeholders(value: Any) -> set[str]:
    """Every ``{word}`` in the strings of a config (not ``${...}`` interpolations)."""
    if isinstance(value, str):
        return set(_PLACEHOLDER.findall(value))
    if isinstance(value, Mapping):
        return {p for v in value.values() for p in _placeholders(v)}
    if isinstance(value, list):
        return {p for v in value for p in _placeholders(v)}
    return set()


def _mentions(value: Any, token: str) -> bool:
    if isinstance(value, str):
        return token in value
    if isinstance(value, Mapping):
        return any(_mentions(v, token) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, token) for v in value)
    return False


def render_value(value: Any, namespace: str, variant: str) -> Any:
    """``value`` (a template's config, or one of its strings) for one variant."""
    return _render(value, namespace, variant)


def _render(value: Any, namespace: str, variant: str) -> Any:
    if isinstance(value, str):
        return value.replace(NAMESPACE, namespace).replace(VARIANT, variant)
    if isinstance(value, Mapping):
        return {k: _render(v, namespace, variant) for k, v in value.items()}
    if isinstance(value, list):
        return [_render(v, namespace, variant) for v in value]
    return value
