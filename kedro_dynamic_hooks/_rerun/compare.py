"""``kedro dynamic compare``: one dataset of every variant, as one table."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .._declaration.names import did_you_mean
from .._expansion.result import Expansion
from .stale import within

FORMATS = ("table", "csv", "json", "markdown")


def as_row(value: Any, name: str) -> dict[str, Any]:
    """One variant's value as a flat row: a mapping (nested keys dotted), a
    one-row frame, or a single value.

    Raises:
        ValueError: For a value that is not one row.
    """
    if isinstance(value, Mapping):
        return _flat(value)
    if hasattr(value, "to_dict") and hasattr(value, "shape"):  # a pandas DataFrame
        rows = value.to_dict(orient="records")
        if len(rows) != 1:
            raise ValueError(
                f"'{name}' is a table of {len(rows)} rows; compare needs one row per variant "
                "(a dict, JSON metrics or a one-row frame)."
            )
        return _flat(rows[0])
    if isinstance(value, (int, float, str, bool)) or value is None:
        return {"value": value}
    raise ValueError(
        f"'{name}' holds a {type(value).__name__}; compare needs a dict, JSON metrics, a "
        "one-row frame or a single value per variant."
    )


def _flat(mapping: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    row: dict[str, Any] = {}
    for key, value in mapping.items():
        if isinstance(value, Mapping):
            row.update(_flat(value, f"{prefix}{key}."))
        else:
            row[f"{prefix}{key}"] = value
    return row


def sort_rows(rows: list[dict[str, Any]], key: str | None) -> list[dict[str, Any]]:
    """Rows sorted by ``key`` (``-key`` for descending).

    Numbers first, then any other values compared as text (booleans
    included), then missing ones (``None``, NaN), in both directions.

    Raises:
        ValueError: When no row has ``key``.
    """
    if not key:
        return rows
    descending = key.startswith("-")
    column = key.lstrip("-")
    if not any(column in row for row in rows):
        columns = sorted({c for row in rows for c in row} - {"variant"})
        raise ValueError(f"no column '{column}' to sort by. Columns: {', '.join(columns)}.")

    numbers, others, missing = [], [], []
    for row in rows:
        value = row.get(column)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            missing.append(row)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            numbers.append(row)
        else:  # text, booleans, anything else: compared as text, after the numbers
            others.append(row)
    numbers.sort(key=lambda row: row[column], reverse=descending)
    others.sort(key=lambda row: str(row[column]), reverse=descending)
    return [*numbers, *others, *missing]  # missing values last, whichever the direction


def columns_of(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """``variant`` first, then every other column in order of first appearance."""
    return list(dict.fromkeys(["variant", *(c for row in rows for c in row)]))


def render(rows: Sequence[Mapping[str, Any]], fmt: str) -> str:
    """``csv``, ``json`` or ``markdown`` text of the rows (``table`` is drawn by rich)."""
    columns = columns_of(rows)
    if fmt == "json":
        return json.dumps(list(rows), indent=2, default=str) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()
    lines = [
        "| " + " | ".join(columns) + " |",
        "|" + "|".join("---" for _ in columns) + "|",
        *("| " + " | ".join(shown(row.get(c)) for c in columns) + " |" for row in rows),
    ]
    return "\n".join(lines) + "\n"


def shown(value: Any) -> str:
    """A cell: floats to 4 significant digits, missing as empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


# Dataset types whose value can be one row: what compare offers when asked for
# something else (a model's pickle could be anything).
ROW_TYPES = frozenset(
    {
        "JSONDataset",
        "YAMLDataset",
        "MetricsDataset",
        "CSVDataset",
        "ParquetDataset",
        "ExcelDataset",
        "FeatherDataset",
    }
)


def can_be_a_row(config: Mapping[str, Any] | None) -> bool:
    """Whether a dataset's config is of a type compare can read as one row."""
    kind = str((config or {}).get("type", ""))
    return kind.rsplit(".", 1)[-1] in ROW_TYPES


def variant_datasets(
    expansion: Expansion,
    persisted: Callable[[str], bool],
    dataset: str,
    namespaces: Sequence[str],
    readable: Callable[[str], bool] = lambda name: True,
) -> list[tuple[str, str]]:
    """``(ns.variant, dataset name)`` of every selected variant's persisted ``dataset``.

    Args:
        expansion: Every declared variant.
        persisted: Whether a dataset is persisted.
        dataset: The per-variant dataset, e.g. ``metrics``.
        namespaces: Only these namespaces or variants (all when empty).
        readable: Whether a dataset's type can be one row; only those are
            offered when ``dataset`` is not found.

    Raises:
        ValueError: When no variant has it persisted, naming those that can be compared.
    """
    names = [
        (f"{ns}.{variant}", f"{ns}.{variant}.{dataset}")
        for ns, variants in expansion.variants.items()
        for variant in variants
        if (not namespaces or any(within(f"{ns}.{variant}", w) for w in namespaces))
        and f"{ns}.{variant}.{dataset}" in expansion.datasets
        and persisted(f"{ns}.{variant}.{dataset}")
    ]
    if not names:
        found = {o.template: d for d, o in expansion.datasets.items() if o.variant and persisted(d)}
        # Those of a type that can be one row; all of them when none is (a pickled
        # dict, a custom type: compare can read them, and only tries).
        templates = sorted(t for t, d in found.items() if readable(d))
        offered = "Per-variant datasets compare can read (JSON, YAML, metrics, tables)"
        if not templates:
            templates, offered = sorted(found), "Persisted per-variant datasets"
        raise ValueError(
            f"No variant has a persisted dataset '{dataset}'"
            + (f" in {', '.join(namespaces)}" if namespaces else "")
            + f". {offered}: "
            + (", ".join(templates) or "none")
            + "."
            + did_you_mean(dataset, templates)
        )
    return names


def with_parameters(
    rows: Sequence[Mapping[str, Any]],
    parameters: Callable[[str], Mapping[str, Any]],
    base: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """Rows with the parameters that vary added as ``params:<dotted.key>`` columns,
    right after ``variant``: those that differ between the rows' variants or from
    the base parameters.

    Args:
        rows: One per variant, ``variant`` holding ``ns.variant``.
        parameters: ``ns.variant`` -> that variant's expanded parameters.
        base: The parameters every variant inherits.
    """
    flat = {row["variant"]: _flat(parameters(row["variant"])) for row in rows}
    plain = _flat(base)
    keys = list(dict.fromkeys(k for values in flat.values() for k in values))
    varied = [
        k
        for k in keys
        if len({_text(v.get(k)) for v in flat.values()}) > 1
        or any(v.get(k) != plain.get(k) for v in flat.values())
    ]
    return [
        {
            "variant": row["variant"],
            **{f"params:{k}": flat[row["variant"]].get(k) for k in varied},
            **{c: v for c, v in row.items() if c != "variant"},
        }
        for row in rows
    ]


def _text(value: Any) -> str:
    """A value as comparable text (lists and dicts of any keys included)."""
    try:
        return json.dumps(value, sort_keys=True, default=str)
    except TypeError:  # dict keys of mixed types cannot be sorted
        return repr(value)


def load_rows(
    catalog: Any, names: Sequence[tuple[str, str]]
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """Each variant's row; the variants that have not written it yet; and those
    whose file exists but cannot be read (``ns.v: why``).

    Raises:
        ValueError: For a value that is not one row.
    """
    from kedro.io import DatasetError

    rows: list[dict[str, Any]] = []
    not_run: list[str] = []
    unreadable: list[str] = []
    for variant, name in names:
        try:
            value = catalog.load(name)
        except DatasetError as exc:
            if _exists(catalog, name):
                cause = exc.__cause__ or exc
                text = " ".join(str(cause).split()) or type(cause).__name__
                unreadable.append(f"{variant} ({text[:200]})")
            else:
                not_run.append(variant)
            continue
        rows.append({"variant": variant, **as_row(value, name)})
    return rows, not_run, unreadable


def _exists(catalog: Any, name: str) -> bool:
    try:
        return bool(catalog.exists(name))
    except Exception:  # a dataset that cannot tell: treat the load error as not written
        return False
