"""The checks on one override: which keys exist, and where a mapping may be replaced.

Pure and structural: an override passes or fails by its shape (its keys, and
which values are mappings), so :func:`shape` lets a caller check each shape once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .._declaration.names import allowed, did_you_mean
from .._errors import DeclarationError


def shape(value: Any) -> Any:
    """What :func:`check_overrides` and :func:`added_keys` look at: the keys, and
    which values are mappings; ``None`` for a mapping that is not a plain dict."""
    if type(value) is not dict:
        return None if isinstance(value, Mapping) else False
    shapes = []
    for key, sub in value.items():
        inner = shape(sub)
        if inner is None:
            return None
        shapes.append((key, inner))
    return tuple(shapes)


def check_overrides(
    overrides: Mapping[str, Any],
    base: Mapping[str, Any],
    used: set[str],
    *,
    path: str,
    templates: Iterable[str],
    source: str | None,
) -> None:
    """Refuse overrides that no node would ever see.

    A top-level key must be read by a node of ``templates``. A nested key must
    exist in the base value unless that base mapping is empty (a free-form
    mapping such as ``model_params: {}``), so a typo cannot be silently ignored.

    Raises:
        DeclarationError: Naming the override's YAML path and the allowed keys.
    """
    names = ", ".join(sorted(templates))
    for key, value in overrides.items():
        if key not in used:
            raise DeclarationError(
                f"override of parameter '{key}', which no node of pipeline(s) [{names}] "
                f"reads. Parameters those nodes read: {allowed(used)}.{did_you_mean(key, used)}",
                path=f"{path}.{key}",
                source=source,
            )
        _check_nested(value, base.get(key), f"{path}.{key}", source)


def added_keys(value: Any, base: Any, path: str) -> list[str]:
    """YAML paths of override keys added under an empty base mapping.

    They are allowed (``model_params: {}`` is free-form), but a typo there cannot
    be caught, so ``kedro dynamic validate`` lists them for a human to check.
    """
    if not isinstance(value, Mapping):
        return []
    if isinstance(base, Mapping) and not base:
        return [f"{path}.{key}" for key in value]
    if not isinstance(base, Mapping):
        return []
    return [
        p for key, sub in value.items() for p in added_keys(sub, base.get(key), f"{path}.{key}")
    ]


def _check_nested(value: Any, base: Any, path: str, source: str | None) -> None:
    name = path.rsplit(".", 1)[-1]
    if isinstance(base, Mapping) and not isinstance(value, Mapping):
        raise DeclarationError(
            f"override replaces the mapping '{name}' with {value!r}, which would drop every "
            f"key inside it. Override keys inside it instead ('{name}: {{key: value}}').",
            path=path,
            source=source,
        )
    if base is not None and not isinstance(base, Mapping) and isinstance(value, Mapping):
        raise DeclarationError(
            f"override gives a mapping for '{name}', which is a single value ({base!r}) in the "
            f"base parameters. Give a single value: '{name}: ...'.",
            path=path,
            source=source,
        )
    if not isinstance(value, Mapping) or not isinstance(base, Mapping) or not base:
        return
    for key, sub in value.items():
        if key not in base:
            keys = [str(k) for k in base]
            raise DeclarationError(
                f"override of '{key}', which the base parameters do not define. "
                f"Keys defined there: {allowed(keys)}.{did_you_mean(str(key), keys)} "
                "To add a new key, define it in the base parameters first.",
                path=f"{path}.{key}",
                source=source,
            )
        _check_nested(sub, base[key], f"{path}.{key}", source)
