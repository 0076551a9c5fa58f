"""Which variants a namespace has: named ones, matrix combinations, chain order."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Any

from .._errors import DeclarationError
from .merge import deep_merge, nest
from .names import allowed, check_name, did_you_mean, name_problem, value_label
from .sections import ChainSpec, MatrixSpec, VariantSpec


def resolve_variants(
    named: Mapping[str, VariantSpec],
    matrix: MatrixSpec | None,
    chain: ChainSpec | None,
    *,
    table: Mapping[str, VariantSpec] | None = None,
) -> dict[str, dict[str, Any]]:
    """Return variant name -> variant-level overrides, in run order.

    Named variants come first in declaration order, then a table's rows in its
    order, then matrix combinations in product order. A chain's ``order``
    reorders the result. Needs nothing but the
    namespace's declaration, so the schema runs it while validating.

    Raises:
        DeclarationError: For invalid or clashing names, an oversized matrix, an
            empty namespace, or a chain order with gaps or repeats. Its path is
            relative to the namespace (``""`` for the namespace itself).
    """
    variants: dict[str, dict[str, Any]] = {}
    for name, variant in named.items():
        check_name(name, "variant", path=f"variants.{name}", source=None)
        variants[name] = variant.overrides
    for name, variant in (table or {}).items():  # names checked as the rows were read
        if name in variants:
            raise DeclarationError(
                f"the table's variant '{name}' has the same name as a named variant. "
                "Rename one of them.",
                path="variants_from",
            )
        variants[name] = variant.overrides
    if matrix is not None:
        for name, overrides in _matrix(matrix, path="matrix").items():
            if name in variants:
                raise DeclarationError(
                    f"matrix combination '{name}' has the same name as a named variant. "
                    "Rename the variant or give the matrix values other labels.",
                    path="matrix",
                )
            variants[name] = overrides
    if not variants:
        raise DeclarationError(
            "namespace declares no variants. Add 'variants' (e.g. 'variants: {base: {}}'), "
            "a 'matrix' or 'variants_from'.",
            path="",
        )
    if chain is not None and chain.order is not None:
        variants = _reorder(variants, chain.order, path="chain.order")
    return variants


def _matrix(matrix: MatrixSpec, *, path: str) -> dict[str, dict[str, Any]]:
    axes: list[list[tuple[str, dict[str, Any]]]] = []
    for dotted, values in matrix.parameters.items():
        parts = dotted.split(".")
        if not all(parts) or any(name_problem(p) for p in parts):
            raise DeclarationError(
                f"'{dotted}' is not a dotted parameter path such as 'model_options.model'.",
                path=f"{path}.parameters.{dotted}",
            )
        labelled = (
            [(str(k), v) for k, v in values.items()]
            if isinstance(values, Mapping)
            else _labels(values)
        )
        axis = [(f"{parts[-1]}_{label}", nest(dotted, value)) for label, value in labelled]
        if not axis:
            raise DeclarationError("needs at least one value.", path=f"{path}.parameters.{dotted}")
        axes.append(axis)
    size = math.prod(len(axis) for axis in axes)
    if size > matrix.max_size:
        raise DeclarationError(
            f"matrix has {size} combinations, more than max_size={matrix.max_size}. "
            "Remove values, or raise 'max_size' if you really mean it.",
            path=path,
        )
    combos: dict[str, dict[str, Any]] = {}
    for combo in itertools.product(*axes):
        name = matrix.separator.join(label for label, _ in combo)
        problem = name_problem(name)
        if problem or name in combos:
            reason = problem or "is produced by two different combinations"
            raise DeclarationError(
                f"combination name '{name}' {reason}. Give the values readable labels with a "
                "mapping, e.g. '{ridge: sklearn.linear_model.Ridge}'.",
                path=path,
            )
        # One axis: its value's override is the combination's (read-only, as merged ones).
        combos[name] = combo[0][1] if len(combo) == 1 else deep_merge({}, *(o for _, o in combo))
    return combos


def _labels(values: list[Any]) -> list[tuple[str, Any]]:
    return [(value_label(value), value) for value in values]


def _reorder(
    variants: dict[str, dict[str, Any]], order: list[str], *, path: str
) -> dict[str, dict[str, Any]]:
    seen: set[str] = set()
    for name in order:
        if name not in variants:
            raise DeclarationError(
                f"unknown variant '{name}' in the chain. Variants: {allowed(variants)}."
                f"{did_you_mean(name, variants)}",
                path=path,
            )
        if name in seen:
            raise DeclarationError(
                f"variant '{name}' appears twice: a chain cannot loop back.",
                path=path,
            )
        seen.add(name)
    missing = [name for name in variants if name not in seen]
    if missing:
        raise DeclarationError(
            f"the chain order leaves out {allowed(missing)}: every variant must have a place "
            "in the chain.",
            path=path,
        )
    return {name: variants[name] for name in order}
