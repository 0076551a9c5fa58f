"""Variants from a table: rows to named variants, and every refusal naming the
dataset, the row and the column (pure core, fast tier)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kedro_dynamic_hooks import DeclarationError
from kedro_dynamic_hooks._declaration.schema import parse_declaration
from kedro_dynamic_hooks._declaration.sections import VariantsFromSpec
from kedro_dynamic_hooks._declaration.table import cast, plain, rows_of, table_variants

BASE = {"options": {"alpha": 1.0, "depth": 3, "fast": False, "label": "x", "extra": {}}}


def spec(**given) -> VariantsFromSpec:
    return VariantsFromSpec(dataset="regions", name="region", **given)


def test_rows_come_from_a_dataframe_a_list_of_objects_or_columns():
    frame = pd.DataFrame({"region": ["north", "south"], "options.alpha": [0.5, math.nan]})
    assert rows_of(frame, "regions")[1]["region"] == "south"
    assert rows_of([{"region": "north"}], "regions") == [{"region": "north"}]
    assert rows_of({"region": ["a", "b"], "x": [1, 2]}, "regions") == [
        {"region": "a", "x": 1},
        {"region": "b", "x": 2},
    ]
    with pytest.raises(DeclarationError) as refused:
        rows_of(42, "regions")
    assert refused.value.detail.startswith(
        "dataset 'regions' loads as int, not rows: give it a type whose load is a table"
    )
    assert refused.value.path == "variants_from.dataset"


def test_cells_are_plain_values_and_an_empty_one_inherits():
    import numpy as np

    assert plain(np.float64(0.5)) == 0.5 and type(plain(np.int64(3))) is int
    assert plain(math.nan) is None and plain("  ") is None and plain(None) is None
    rows = [
        {"region": "north", "options.alpha": 0.5, "options.depth": None},
        {"region": "south", "options.alpha": math.nan, "options.depth": 4.0},
    ]
    variants, origins = table_variants(rows, spec(), BASE)
    assert variants == {
        "north": {"overrides": {"options": {"alpha": 0.5}}},
        "south": {"overrides": {"options": {"depth": 4}}},  # cast to the base's int
    }
    assert origins["south"].row == 2
    assert origins["south"].describe("options.depth") == (
        "dataset 'regions', row 2, column 'options.depth'"
    )


def test_columns_map_cells_to_parameters_and_where_keeps_rows():
    rows = [
        {"region": "north", "a": "0.5", "on": "yes", "note": "n", "kind": "x"},
        {"region": "south", "a": 2, "on": "no", "note": "s", "kind": "y"},
        {"region": "east", "a": 3, "on": "no", "note": "e", "kind": "z"},
    ]
    given = spec(
        columns={"a": "options.alpha", "on": "options.fast", "kind": "options.extra.kind"},
        where={"note": ["n", "s"]},
        ignore=[],
    )
    variants, _ = table_variants(rows, given, BASE)
    assert variants == {
        "north": {"overrides": {"options": {"alpha": 0.5, "fast": True, "extra": {"kind": "x"}}}},
        "south": {"overrides": {"options": {"alpha": 2.0, "fast": False, "extra": {"kind": "y"}}}},
    }
    assert table_variants(
        rows, spec(columns={"a": "options.alpha"}, where={"kind": "z"}, ignore=["on", "note"]), BASE
    )[0] == {"east": {"overrides": {"options": {"alpha": 3.0}}}}


def test_a_cell_is_cast_as_the_base_parameter_or_refused():
    assert cast("3", 1) == 3 and cast(2.0, 1) == 2 and cast("0.25", 1.0) == 0.25
    assert cast("TRUE", False) is True and cast(7, "label") == "7"
    assert cast(1.0, False) is True and cast(0, True) is False  # a 1/0 column with an empty cell
    assert cast({"a": 1}, None) == {"a": 1}
    with pytest.raises(ValueError, match=r"2\.5 is not a int, as the base parameter is \(3\)"):
        cast(2.5, 3)
    with pytest.raises(DeclarationError) as refused:
        table_variants([{"region": "north", "options.alpha": "abc"}], spec(), BASE)
    assert refused.value.detail == (
        "dataset 'regions', row 1, column 'options.alpha': 'abc' is not a float, as the base "
        "parameter is (1.0)."
    )
    assert refused.value.path == "variants_from.columns"


@pytest.mark.parametrize(
    ("rows", "given", "path", "message"),
    [
        (
            [{"regoin": "north"}],
            {},
            "variants_from.name",
            "dataset 'regions' has no column 'region'. Its columns: regoin. Did you mean 'regoin'?",
        ),
        (
            [{"region": "north", "alpha": 1}],
            {"columns": {"alpah": "options.alpha"}},
            "variants_from.columns",
            "dataset 'regions' has no column 'alpah'. Its columns: region, alpha. Did you mean "
            "'alpha'?",
        ),
        (
            [{"region": "north", "alpha": 1, "beta": 2}],
            {"columns": {"alpha": "options.alpha"}},
            "variants_from.columns",
            "dataset 'regions' has column 'beta', which is neither the name, a filter, an "
            "override (under 'columns') nor ignored: map it under 'columns' or list it under "
            "'ignore'.",
        ),
        (
            [{"region": "north", "my alpha": 1}],
            {},
            "variants_from.columns",
            "dataset 'regions' has column 'my alpha', which is not a dotted parameter path such "
            "as 'model_options.alpha': map it under 'columns' or list it under 'ignore'.",
        ),
        (
            [{"region": "north", "options.alpah": 1}],
            {},
            "variants_from.columns",
            "dataset 'regions' has column 'options.alpah', which overrides 'options.alpah', but "
            "there is no parameter 'alpah' under 'options': fix the header, map it under "
            "'columns', or list it under 'ignore'. Did you mean 'alpha'?",
        ),
        (
            [{"region": "north"}, {"region": None}],
            {},
            "variants_from.name",
            "dataset 'regions', row 2, column 'region' is empty: every row needs a variant name.",
        ),
        (
            [{"region": "north-1"}],
            {},
            "variants_from.name",
            "dataset 'regions', row 1, column 'region': the variant name 'north-1' ",
        ),
        (
            [{"region": "north"}, {"region": "south"}, {"region": "north"}],
            {},
            "variants_from.name",
            "dataset 'regions', row 3, column 'region': the variant name 'north' is already "
            "row 1's. Names must be unique.",
        ),
        (
            [{"region": "north", "on": 0}],
            {"where": {"on": 1}},
            "variants_from",
            "dataset 'regions' gives no rows after 'where': the namespace would have no variants.",
        ),
        (
            [{"region": "north", "a": 1}],
            {"columns": {"a": "options..alpha"}},
            "variants_from.columns.a",
            "'options..alpha' is not a dotted parameter path such as 'model_options.alpha'.",
        ),
    ],
)
def test_a_wrong_table_is_refused_naming_the_dataset_row_and_column(rows, given, path, message):
    with pytest.raises(DeclarationError) as refused:
        table_variants(rows, spec(**given), BASE)
    assert refused.value.path == path
    assert refused.value.detail.startswith(message), refused.value.detail


def test_table_rows_are_variants_after_named_ones_and_never_beside_a_matrix():
    def parsed(namespace: dict):
        return parse_declaration({"ns": {"pipelines": ["t"], **namespace}}).root["ns"]

    table = {"dataset": "regions", "name": "region", "rows": {"north": {}, "south": {}}}
    ns = parsed({"variants": {"base": {}}, "variants_from": table})
    assert list(ns.variant_overrides) == ["base", "north", "south"]
    assert ns.kind == "variants+table" and list(ns.variants) == ["base"]
    with pytest.raises(DeclarationError) as clash:
        parsed({"variants": {"north": {}}, "variants_from": table})
    assert clash.value.path == "dynamic_pipelines.ns.variants_from"
    assert "the table's variant 'north' has the same name as a named variant" in clash.value.detail
    with pytest.raises(DeclarationError) as matrix:
        parsed({"variants_from": table, "matrix": {"parameters": {"a.b": [1, 2]}}})
    assert matrix.value.path == "dynamic_pipelines.ns.variants_from"
    assert matrix.value.detail.startswith("'variants_from' and 'matrix' cannot be combined")
