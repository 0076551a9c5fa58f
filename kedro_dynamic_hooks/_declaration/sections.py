"""The declaration's leaf sections: a named variant, a matrix, a chain, a collect step.

One pydantic model per YAML section, ``extra="forbid"`` and strict types, so
that a typo or a wrong type is reported instead of silently ignored.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

DEFAULT_MAX_MATRIX_SIZE = 1000


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class VariantSpec(_Section):
    """One named variant of a namespace."""

    overrides: dict[str, Any] = Field(
        default_factory=dict,
        description="Parameter overrides deep-merged over the namespace's parameters.",
    )


class MatrixSpec(_Section):
    """A cartesian product of parameter values; each combination is a variant."""

    parameters: dict[str, list[Any] | dict[str | int, Any]] = Field(
        description=(
            "Dotted parameter path -> list of values, or mapping of label -> value. "
            "Labels (or readable forms of the values) name the combinations."
        ),
        min_length=1,
    )
    max_size: int = Field(
        default=DEFAULT_MAX_MATRIX_SIZE,
        gt=0,
        description="Refuse matrices with more combinations than this.",
    )
    separator: str = Field(
        default="__",
        pattern=r"^[A-Za-z0-9_]+$",
        description=(
            "What joins the axes' labels in a combination's name; '_x_' gives names that "
            "kedro-dagster keeps ('__' becomes '.' there)."
        ),
    )


class VariantsFromSpec(_Section):
    """Variants read from a catalog dataset: one row per variant."""

    dataset: str = Field(
        min_length=1,
        description="Catalog entry whose load gives rows: a CSV, Parquet, JSON or SQL table.",
    )
    name: str = Field(min_length=1, description="The column that names each variant.")
    columns: dict[str, str] | None = Field(
        default=None,
        description=(
            "Column -> the dotted parameter path it overrides. Unset: every other column's "
            "header is that path (e.g. 'model_options.alpha')."
        ),
    )
    where: dict[str, Any] = Field(
        default_factory=dict,
        description="Keep only the rows whose column holds this value (or one of a list).",
    )
    ignore: list[str] = Field(
        default_factory=list,
        description="Columns that are neither the name, an override nor a filter.",
    )
    # Filled in from the table when the project is read (_runtime/tables.py),
    # never from YAML: what is written here is replaced.
    rows: SkipJsonSchema[dict[str, VariantSpec]] = Field(default_factory=dict)


class ChainSpec(_Section):
    """Variants run as an ordered chain: each consumes the previous one's output."""

    input: str = Field(description="Template dataset each variant reads from its predecessor.")
    output: str = Field(description="Template dataset each variant passes to its successor.")
    initial: str = Field(description="Global dataset the first variant reads as its input.")
    order: list[str] | None = Field(
        default=None,
        description="Explicit chain order; defaults to the order of 'variants'.",
    )


class CollectSpec(_Section):
    """A fan-in pipeline that receives one dataset from every variant."""

    pipeline: str = Field(description="Registered pipeline instantiated once per namespace.")
    input: str = Field(
        description=(
            "Dataset produced by every variant. The collect pipeline's node that reads a "
            "dataset of this name receives a dict {variant: value}."
        )
    )
