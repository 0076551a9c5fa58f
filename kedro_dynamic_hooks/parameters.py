"""Per-namespace and per-variant parameters: base -> namespace -> variant."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kedro.pipeline.node import Node

from .errors import DeclarationError
from .merge import deep_merge
from .names import allowed, did_you_mean
from .nodes import PARAMS


def used_parameters(nodes: Iterable[Node], global_params: set[str]) -> set[str]:
    """Return the top-level parameter keys that ``nodes`` read via ``params:``.

    Keys listed in ``global_params`` are left out: they are not namespaced.
    """
    used: set[str] = set()
    for node in nodes:
        for name in node.inputs:
            if name.startswith(PARAMS):
                top = name[len(PARAMS) :].split(".", 1)[0]
                if top not in global_params:
                    used.add(top)
    return used


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


def pick(values: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """Return the entries of ``values`` whose key is in ``keys``, in ``values`` order."""
    wanted = set(keys)
    return {k: v for k, v in values.items() if k in wanted}


def variant_parameters(
    namespace_params: Mapping[str, Any], used: set[str], overrides: Mapping[str, Any]
) -> dict[str, Any]:
    """Resolve one variant: the namespace's values of ``used`` keys, then overrides."""
    return deep_merge(pick(namespace_params, used), overrides)


def check_runtime_targets(
    runtime_params: Mapping[str, Any],
    expanded: Mapping[str, Mapping[str, Any]],
    *,
    source: str | None,
) -> None:
    """Refuse ``--params`` under a namespace that would change nothing, or too much.

    Each key must name a variant or a namespace-level parameter, nested keys
    must exist (as for overrides), and a mapping may not be replaced by a
    scalar (``--params ns.variant=5`` would wipe the variant's parameters).

    Args:
        runtime_params: The ``--params`` given on the command line, nested.
        expanded: Namespace name -> that namespace's expanded parameters.
    """
    for namespace, params in expanded.items():
        if namespace not in runtime_params:
            continue
        given = runtime_params[namespace]
        if not isinstance(given, Mapping):
            raise DeclarationError(
                f"--params '{namespace}={given}' would replace every parameter of namespace "
                f"'{namespace}'. Target one value, e.g. '{namespace}.<variant>.<parameter>=...'.",
                path=namespace,
                source="--params",
            )
        for key, value in given.items():
            if key not in params:
                raise DeclarationError(
                    f"--params targets '{namespace}.{key}', which is neither a variant nor "
                    f"a parameter of namespace '{namespace}'. Known: {allowed(params)}."
                    f"{did_you_mean(str(key), params)}",
                    path=f"{namespace}.{key}",
                    source="--params",
                )
            if isinstance(params[key], Mapping) and not isinstance(value, Mapping):
                raise DeclarationError(
                    f"--params '{namespace}.{key}={value}' would replace the mapping "
                    f"'{namespace}.{key}'. Target one value inside it.",
                    path=f"{namespace}.{key}",
                    source="--params",
                )
            _check_nested(value, params[key], f"{namespace}.{key}", "--params")
