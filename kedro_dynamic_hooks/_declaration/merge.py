"""Deep merge with structural sharing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def deep_merge(base: Mapping[str, Any], *overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``overrides`` over ``base``, left to right.

    Mappings merge recursively; lists and scalars replace. Only the mappings on
    the path of an override are copied: untouched sub-trees are shared with
    ``base``, which keeps thousands of variants cheap. Callers must treat the
    result as read-only.

    Args:
        base: The mapping to start from. It is not modified.
        *overrides: Mappings applied in order; later ones win.

    Returns:
        A new top-level dict.
    """
    result = dict(base)
    for override in overrides:
        for key, value in override.items():
            current = result.get(key)
            if isinstance(value, Mapping) and isinstance(current, Mapping):
                result[key] = deep_merge(current, value)
            else:
                result[key] = value
    return result


def nest(dotted: str, value: Any) -> dict[str, Any]:
    """Build ``{"a": {"b": value}}`` from ``"a.b"``."""
    result: Any = value
    for part in reversed(dotted.split(".")):
        result = {part: result}
    return dict(result)
