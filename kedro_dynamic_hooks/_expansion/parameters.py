"""Per-namespace and per-variant parameters: base -> namespace -> variant."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from kedro.pipeline.node import Node

from .._constants import PARAMS
from .._declaration.merge import deep_merge, nest
from .._declaration.names import allowed, did_you_mean
from .._errors import DeclarationError
from .override_checks import added_keys, check_overrides
from .override_checks import shape as override_shape

if TYPE_CHECKING:
    from .._declaration.schema import NamespaceSpec


def namespace_parameters(
    spec: NamespaceSpec,
    base: Mapping[str, Any],
    used_shared: set[str],
    used_variant: set[str],
    *,
    path: str,
    source: str | None,
    checked_against: Mapping[str, Any] | None = None,
) -> tuple[VariantParameters, list[str]]:
    """Check and resolve one namespace's parameters: base -> namespace -> variant.

    Every override is checked here; a variant's parameters are merged only when
    first read, so a run that builds one variant of 10,000 merges one.

    Args:
        spec: The namespace's declaration.
        base: The root parameters every namespace starts from.
        used_shared: Top-level keys read by the shared and collect pipelines.
        used_variant: Top-level keys read by the per-variant pipelines.
        path: The namespace's YAML path, for messages.
        source: The parameters file(s), for messages.
        checked_against: The root parameters as the files alone give them, when
            root-level ``--params`` changed ``base``: overrides are checked
            against what the files define (a ``--params`` key added under
            ``model_params: {}`` must not make that mapping look closed).

    Returns:
        The value of the ``<ns>`` parameter (the shared keys, then one mapping
        per variant) and the YAML paths of keys added under an empty base mapping.

    Raises:
        DeclarationError: For an override that no node would see.
    """
    files = base if checked_against is None else checked_against
    check_overrides(
        spec.overrides,
        files,
        used_shared | used_variant,
        path=f"{path}.overrides",
        templates=spec.pipelines,
        source=source,
    )
    added = added_keys(spec.overrides, files, f"{path}.overrides")
    namespace_values = deep_merge(base, spec.overrides)
    checked_values = (
        namespace_values if checked_against is None else deep_merge(files, spec.overrides)
    )
    # The checks depend only on an override's shape (its keys, and which values
    # are mappings): 10,000 rows of one table share a handful of shapes.
    passed: dict[Any, list[str]] = {}  # shape -> the added keys, relative
    for where, overrides in _declared_overrides(spec, path):
        shape = override_shape(overrides)
        relative = passed.get(shape) if shape is not None else None
        if relative is None:
            check_overrides(
                overrides,
                checked_values,
                used_variant,
                path=where,
                templates=spec.pipelines,
                source=source,
            )
            relative = added_keys(overrides, checked_values, "")
            if shape is not None:
                passed[shape] = relative
        added += [where + suffix for suffix in relative]
    resolved = VariantParameters(
        pick(namespace_values, used_shared),
        pick(namespace_values, used_variant),
        spec.variant_overrides,
    )
    return resolved, list(dict.fromkeys(added))


def _declared_overrides(spec: NamespaceSpec, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each override as written, with its YAML path: named variants' overrides, a
    table's rows (as if named), then every matrix value once.

    A combination merges one value per axis, so checking each value checks
    every combination (values at overlapping paths are held to the stricter,
    per-value rule): the work follows the declaration's size, not the product's.
    Single values of one axis all pass or fail alike, so one stands for all.
    """
    for name, variant in spec.variants.items():
        yield f"{path}.variants.{name}.overrides", variant.overrides
    if spec.variants_from is not None:  # a table's rows, named by their row in errors
        for name, variant in spec.variants_from.rows.items():
            yield f"{path}.variants.{name}.overrides", variant.overrides
    if spec.matrix is not None:
        for dotted, values in spec.matrix.parameters.items():
            single = False
            for value in values.values() if isinstance(values, Mapping) else values:
                if not isinstance(value, Mapping):
                    if single:
                        continue
                    single = True
                yield f"{path}.matrix.parameters", nest(dotted, value)


class VariantParameters(Mapping[str, Any]):
    """The ``<ns>`` parameter: the shared keys, then one mapping per variant.

    A variant's mapping (the variant-read parameters with its overrides merged
    over them) is made when first read and kept. Read-only, like every merged
    value.
    """

    def __init__(
        self,
        shared: dict[str, Any],
        variant_base: dict[str, Any],
        overrides: Mapping[str, Mapping[str, Any]],
    ) -> None:
        self._shared = shared
        self._variant_base = variant_base
        self._overrides = overrides
        self._merged: dict[str, dict[str, Any]] = {}
        self._keys = tuple(dict.fromkeys([*shared, *overrides]))

    def __getitem__(self, key: str) -> Any:
        if key in self._overrides:
            merged = self._merged.get(key)
            if merged is None:
                merged = self._merged[key] = deep_merge(self._variant_base, self._overrides[key])
            return merged
        return self._shared[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._overrides or key in self._shared

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self._overrides)} variant(s))"


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


def pick(values: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """Return the entries of ``values`` whose key is in ``keys``, in ``values`` order."""
    wanted = set(keys)
    return {k: v for k, v in values.items() if k in wanted}


def check_runtime_targets(
    runtime_params: Mapping[str, Any],
    expanded: Mapping[str, Mapping[str, Any]],
    variants: Mapping[str, Iterable[str]],
    base: Mapping[str, Any],
) -> list[str]:
    """Refuse ``--params`` under a namespace that would change nothing, or too much.

    Down to the variant (or namespace-level parameter), every key must exist.
    Below that, the rule of overrides applies: a key must exist unless the base
    parameters hold an empty mapping there (free-form, like ``model_params:
    {}``). At every level a mapping may not be replaced by a scalar (``--params
    ns.variant=5`` would wipe the variant), nor a single value by a mapping.

    Args:
        runtime_params: The ``--params`` given on the command line, nested.
        expanded: Namespace name -> that namespace's expanded parameters.
        variants: Namespace name -> its variant names.
        base: The root parameters every namespace starts from.

    Returns:
        The ``--params`` keys added under an empty base mapping (allowed, but
        not checked for typos), as ``--params <dotted path>``.
    """
    added: list[str] = []
    for namespace, params in expanded.items():
        if namespace not in runtime_params:
            continue
        given = runtime_params[namespace]
        _refuse_replacing(given, params, namespace)
        names = set(variants[namespace])
        for key, value in given.items():
            path = f"{namespace}.{key}"
            if key not in params:
                _unknown(path, key, params)
            # Below a variant the base is the root parameters; below a
            # namespace-level parameter, that parameter's root value.
            _check_runtime(value, params[key], base if key in names else base.get(key), path, added)
    return added


def check_runtime_root(
    runtime_params: Mapping[str, Any], file_params: Mapping[str, Any]
) -> list[str]:
    """Refuse ``--params`` that add a key inside a parameter the files define, or
    change a value's shape, as overrides may not (a new top-level parameter is
    allowed, as in Kedro).

    Args:
        runtime_params: The root-level ``--params`` (not under a namespace).
        file_params: The parameters as the files alone give them.

    Returns:
        The keys added under an empty base mapping, as ``--params <dotted path>``.
    """
    added: list[str] = []
    for top, given in runtime_params.items():
        if top in file_params:
            current = file_params[top]
            _check_runtime(given, current, current, str(top), added)
    return added


def check_runtime_variant_names(
    runtime_params: Mapping[str, Any],
    file_params: Mapping[str, Any],
    variants: Mapping[str, Iterable[str]],
) -> None:
    """Refuse a root-level ``--params`` key that is a variant's name: the namespace
    was forgotten (``ridge.x=1`` for ``price_predictor.ridge.x=1``).

    Args:
        runtime_params: The root-level ``--params`` (not under a namespace).
        file_params: The parameters as the files alone give them.
        variants: Namespace -> its variant names.
    """
    for top, given in runtime_params.items():
        if top in file_params:
            continue
        owners = [ns for ns, names in variants.items() if top in names]
        if owners:
            path, value = _first_leaf(given, str(top))
            raise DeclarationError(
                f"--params '{path}={value}' starts with variant '{top}' without its "
                f"namespace, so it would add a top-level parameter '{top}' instead. Did you "
                f"mean '--params {owners[0]}.{path}={value}'?",
                path=str(top),
                source="--params",
            )


def _first_leaf(value: Any, path: str) -> tuple[str, Any]:
    """The dotted path and value of the first non-mapping below ``value``."""
    while isinstance(value, Mapping) and value:
        key, value = next(iter(value.items()))
        path = f"{path}.{key}"
    return path, value


def _check_runtime(
    given: Any, current: Any, base: Any, path: str, added: list[str] | None = None
) -> None:
    """Check one ``--params`` value; keys added under an empty base mapping go to ``added``."""
    _refuse_replacing(given, current, path)
    if not isinstance(current, Mapping):
        return
    free_form = isinstance(base, Mapping) and not base
    for key, value in given.items():
        if key not in current:
            if free_form:
                if added is not None:
                    added.append(f"--params {path}.{key}")
                continue
            _unknown(f"{path}.{key}", key, current)
        below = base.get(key) if isinstance(base, Mapping) else None
        _check_runtime(value, current[key], below, f"{path}.{key}", added)


def _refuse_replacing(given: Any, current: Any, path: str) -> None:
    if isinstance(current, Mapping) and not isinstance(given, Mapping):
        raise DeclarationError(
            f"--params '{path}={given}' would replace the whole mapping '{path}'. "
            "Target one value inside it.",
            path=path,
            source="--params",
        )
    if not isinstance(current, Mapping) and isinstance(given, Mapping):
        raise DeclarationError(
            f"--params gives a mapping for '{path}', which is a single value "
            f"({current!r}). Target it directly: '{path}=...'.",
            path=path,
            source="--params",
        )


def _unknown(path: str, key: Any, known: Mapping[str, Any]) -> None:
    names = [str(k) for k in known]
    parent = path.rpartition(".")[0]
    hint = did_you_mean(str(key), names)
    if hint and parent:  # the whole key, ready to paste: 'ns.candidate1', not 'candidate1'
        hint = hint.replace(" Did you mean '", f" Did you mean '{parent}.", 1)
    raise DeclarationError(
        f"--params targets '{path}', which does not exist. Known: {allowed(names)}.{hint}",
        path=path,
        source="--params",
    )
