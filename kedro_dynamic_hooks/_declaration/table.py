"""Variants from a table: the rows of a dataset as named variants.

``variants_from`` names a catalog dataset, the column that names each variant,
and how the other columns map to parameter paths. Each row becomes a variant
whose overrides are its cells, so every check a named variant gets (names,
types against the base parameters, collisions) applies to the rows too. This
module is pure: it turns rows already loaded into variants and says where each
came from, so that an error can name the dataset, the row and the column.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._errors import DeclarationError
from .names import did_you_mean, name_problem
from .sections import VariantsFromSpec


@dataclass(frozen=True)
class RowOrigin:
    """Where a table variant came from: its row (1-based, as a spreadsheet counts
    data rows) and which column each override path was read from."""

    dataset: str
    row: int
    columns: dict[str, str] = field(default_factory=dict)  # parameter path -> column

    def describe(self, path: str | None = None) -> str:
        """``dataset 'regions', row 3, column 'alpha'`` (the column of ``path``, if any)."""
        where = f"dataset '{self.dataset}', row {self.row}"
        column = next(
            (
                c
                for p, c in self.columns.items()
                if path and (path == p or path.startswith(p + "."))
            ),
            None,
        )
        return f"{where}, column '{column}'" if column else where


def rows_of(data: Any, dataset: str) -> list[dict[str, Any]]:
    """The rows of a loaded dataset: a DataFrame, a list of mappings, or a mapping
    of equally long columns.

    Raises:
        DeclarationError: For anything else.
    """
    if hasattr(data, "to_dict") and hasattr(data, "columns"):  # pandas, polars (to_dicts)
        records = data.to_dict("records") if hasattr(data, "iloc") else data.to_dicts()
        return records if all(type(r) is dict for r in records) else [dict(r) for r in records]
    if (
        isinstance(data, Sequence)
        and not isinstance(data, (str, bytes))
        and all(isinstance(row, Mapping) for row in data)
    ):
        return [dict(row) for row in data]
    if (
        isinstance(data, Mapping)
        and data
        and all(isinstance(v, Sequence) and not isinstance(v, (str, bytes)) for v in data.values())
    ):
        lengths = {len(v) for v in data.values()}
        if len(lengths) == 1:
            size = lengths.pop()
            return [{k: v[i] for k, v in data.items()} for i in range(size)]
    raise DeclarationError(
        f"dataset '{dataset}' loads as {type(data).__name__}, not rows: give it a type whose "
        "load is a table (pandas.CSVDataset, pandas.ParquetDataset, pandas.SQLTableDataset) "
        "or a JSON list of objects.",
        path="variants_from.dataset",
    )


def plain(value: Any) -> Any:
    """A cell as YAML would give it: numpy scalars as Python ones, an empty cell
    (``None``, NaN, ``""``) as ``None``."""
    if hasattr(value, "item") and callable(value.item) and not isinstance(value, (list, dict)):
        with contextlib.suppress(TypeError, ValueError):
            value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _dotted(path: str) -> bool:
    parts = path.split(".")
    return all(parts) and not any(name_problem(p) for p in parts)


def _wanted(value: Any, condition: Any) -> bool:
    if isinstance(condition, list):
        return value in [plain(c) for c in condition]
    return bool(value == plain(condition))


def _cell(spec: VariantsFromSpec, number: int) -> str:
    return f"dataset '{spec.dataset}', row {number}, column '{spec.name}'"


def _put(target: dict[str, Any], parts: list[str], value: Any) -> None:
    """Set ``value`` at ``parts`` under ``target``, making mappings on the way
    (what ``deep_merge(target, nest(path, value))`` does, without copies)."""
    for part in parts[:-1]:
        below = target.get(part)
        if not isinstance(below, dict):
            below = target[part] = {}
        target = below
    target[parts[-1]] = value


def _refuse(message: str, at: str = "") -> DeclarationError:
    return DeclarationError(message, path=f"variants_from{'.' + at if at else ''}")


def _overrides_by_column(header: list[str], spec: VariantsFromSpec) -> dict[str, str]:
    """Column -> the parameter path it overrides, after checking that the spec's
    columns exist and that every column of the table is accounted for."""
    where = f"dataset '{spec.dataset}'"
    for key, columns in (
        ("name", [spec.name]),
        ("where", list(spec.where)),
        ("columns", list(spec.columns or {})),
        ("ignore", spec.ignore),
    ):
        for column in columns:
            if header and column not in header:
                raise _refuse(
                    f"{where} has no column '{column}'. Its columns: {', '.join(header)}."
                    f"{did_you_mean(column, header)}",
                    key,
                )
    accounted = {spec.name, *spec.where, *spec.ignore}
    if spec.columns is None:  # the headers are the paths
        mapping = {c: c for c in header if c not in accounted}
        for column in mapping:
            if not _dotted(column):
                raise _refuse(
                    f"{where} has column '{column}', which is not a dotted parameter path "
                    "such as 'model_options.alpha': map it under 'columns' or list it under "
                    "'ignore'.",
                    "columns",
                )
        return mapping
    for column, path in spec.columns.items():
        if not _dotted(path):
            raise _refuse(
                f"'{path}' is not a dotted parameter path such as 'model_options.alpha'.",
                f"columns.{column}",
            )
    others = [c for c in header if c not in accounted and c not in spec.columns]
    if others:
        raise _refuse(
            f"{where} has column '{others[0]}', which is neither the name, a filter, an "
            "override (under 'columns') nor ignored: map it under 'columns' or list it "
            f"under 'ignore'.{did_you_mean(others[0], list(spec.columns))}",
            "columns",
        )
    return dict(spec.columns)


def _check_paths(mapping: Mapping[str, str], base: Mapping[str, Any], dataset: str) -> None:
    """Every override path must be a parameter of the base, or lie under an empty
    mapping there (free-form, like ``model_params: {}``)."""
    for column, path in mapping.items():
        current: Any = base
        walked: list[str] = []
        for part in path.split("."):
            if not isinstance(current, Mapping) or (current and part not in current):
                known = [str(k) for k in current] if isinstance(current, Mapping) else []
                under = f" under '{'.'.join(walked)}'" if walked else ""
                raise _refuse(
                    f"dataset '{dataset}' has column '{column}', which overrides '{path}', but "
                    f"there is no parameter '{part}'{under}: fix the header, map it under "
                    f"'columns', or list it under 'ignore'.{did_you_mean(part, known)}",
                    "columns",
                )
            if not current:  # an empty mapping: anything below it is the user's
                break
            current = current[part]
            walked.append(part)


_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0")


def _at(base: Mapping[str, Any] | None, path: str) -> Any:
    """The base parameter at ``path``, or ``None`` when there is none (free-form)."""
    current: Any = base
    for part in path.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return None
        current = current[part]
    return current


def cast(value: Any, like: Any) -> Any:
    """``value`` as the type of the base parameter ``like`` (a CSV gives ``1`` where
    YAML said ``1.0``, and text where it said a boolean).

    Raises:
        ValueError: When the cell cannot be that type.
    """
    if like is None or isinstance(like, (Mapping, list)):
        return value
    kind = type(like)
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    if kind is bool:
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)  # a CSV column of 1/0 with an empty cell reads as floats
        text = str(value).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
    elif kind is float and isinstance(value, (int, float, str)) and not isinstance(value, bool):
        with contextlib.suppress(ValueError):
            return float(value)
    elif kind is int and not isinstance(value, bool):
        with contextlib.suppress(ValueError, TypeError):
            number = float(value)
            if number.is_integer():
                return int(number)
    elif kind is str and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"{value!r} is not a {kind.__name__}, as the base parameter is ({like!r})")


def table_variants(
    rows: Sequence[Mapping[str, Any]],
    spec: VariantsFromSpec,
    base: Mapping[str, Any] | None = None,
) -> tuple[dict[str, dict[str, Any]], dict[str, RowOrigin]]:
    """The variants of ``rows``: name -> ``{"overrides": ...}``, and each one's origin.

    An empty cell (``None``, NaN, ``""``) sets nothing: the variant inherits.

    Args:
        rows: The table's rows.
        spec: The namespace's ``variants_from``.
        base: The parameters a variant starts from: every override path must
            be one of them (or lie under an empty mapping). Unchecked if None.

    Raises:
        DeclarationError: Naming the dataset, the row and the column: a column
            the spec names that the table lacks, a column the spec does not
            account for, one that overrides no parameter, an empty, invalid or
            repeated name, or no row left.
    """
    header = list(dict.fromkeys(k for row in rows for k in row))
    mapping = _overrides_by_column(header, spec)
    if base is not None:
        _check_paths(mapping, base, spec.dataset)
    variants: dict[str, dict[str, Any]] = {}
    origins: dict[str, RowOrigin] = {}
    # Per column, once: its path's parts and the base value a cell is cast to
    # (10,000 rows are read in every process that reads the project).
    columns = [(c, p, p.split("."), _at(base, p)) for c, p in mapping.items()]
    where = [(c, v) for c, v in spec.where.items()]
    for number, row in enumerate(rows, start=1):
        if where and not all(_wanted(plain(row.get(c)), v) for c, v in where):
            continue
        name = plain(row.get(spec.name))
        if name is None:
            raise _refuse(
                f"{_cell(spec, number)} is empty: every row needs a variant name.", "name"
            )
        name = str(name)
        problem = name_problem(name)
        if problem:
            raise _refuse(f"{_cell(spec, number)}: the variant name '{name}' {problem}.", "name")
        if name in variants:
            raise _refuse(
                f"{_cell(spec, number)}: the variant name '{name}' is already row "
                f"{origins[name].row}'s. Names must be unique.",
                "name",
            )
        overrides: dict[str, Any] = {}
        used: dict[str, str] = {}
        for column, path, parts, like in columns:
            value = plain(row.get(column))
            if value is None:  # an empty cell inherits
                continue
            try:
                value = cast(value, like)
            except ValueError as exc:
                raise _refuse(
                    f"dataset '{spec.dataset}', row {number}, column '{column}': {exc}.",
                    "columns",
                ) from exc
            _put(overrides, parts, value)
            used[path] = column
        variants[name] = {"overrides": overrides}
        origins[name] = RowOrigin(spec.dataset, number, used)
    if not variants:
        filtered = " after 'where'" if spec.where else ""
        raise _refuse(
            f"dataset '{spec.dataset}' gives no rows{filtered}: the namespace would have no "
            "variants."
        )
    return variants, origins


# The one variant a table that does not exist yet expands to, so that the
# templates, the catalog templates and the collisions are checked before the
# producer has run. Never run: a run that reaches it is refused (producers.py).
PENDING = "_table_pending"


def pending_variants(
    spec: VariantsFromSpec, base: Mapping[str, Any] | None = None
) -> dict[str, dict[str, Any]]:
    """The stand-in variants of a table not written yet, after checking what can be
    checked without it: the parameter paths that ``columns`` declares.

    Raises:
        DeclarationError: For a declared path that overrides no parameter.
    """
    if spec.columns is not None:
        for column, path in spec.columns.items():
            if not _dotted(path):
                raise _refuse(
                    f"'{path}' is not a dotted parameter path such as 'model_options.alpha'.",
                    f"columns.{column}",
                )
        if base is not None:
            _check_paths(spec.columns, base, spec.dataset)
    return {PENDING: {"overrides": {}}}
