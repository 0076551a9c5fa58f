"""compare's rows: one per variant, sorted, in every output format."""

from __future__ import annotations

import json

import pytest

from kedro_dynamic_hooks._rerun.compare import as_row, render, sort_rows


def test_compare_rows_sorting_and_formats():
    pandas = pytest.importorskip("pandas")
    assert as_row({"mae": 1, "detail": {"r2": 0.5}}, "x") == {"mae": 1, "detail.r2": 0.5}
    assert as_row(pandas.DataFrame([{"mae": 2.0}]), "x") == {"mae": 2.0}
    assert as_row(3, "x") == {"value": 3}
    with pytest.raises(ValueError) as frame:
        as_row(pandas.DataFrame([{"a": 1}, {"a": 2}]), "ns.v.table")
    assert str(frame.value) == (
        "'ns.v.table' is a table of 2 rows; compare needs one row per variant (a dict, JSON "
        "metrics or a one-row frame)."
    )
    with pytest.raises(ValueError) as other:
        as_row([1, 2], "ns.v.list")
    assert str(other.value) == (
        "'ns.v.list' holds a list; compare needs a dict, JSON metrics, a one-row frame or a "
        "single value per variant."
    )
    rows = [
        {"variant": "a", "mae": 2.0, "name": "z"},
        {"variant": "b", "mae": None, "name": "y"},
        {"variant": "c", "mae": 1.0, "name": "x"},
    ]
    assert [r["variant"] for r in sort_rows(rows, "mae")] == ["c", "a", "b"]
    assert [r["variant"] for r in sort_rows(rows, "-mae")] == ["a", "c", "b"]
    assert [r["variant"] for r in sort_rows(rows, "name")] == ["c", "b", "a"]
    assert [r["variant"] for r in sort_rows(rows, "-name")] == ["a", "b", "c"]
    assert sort_rows(rows, None) is rows
    assert render(rows[:1], "csv") == "variant,mae,name\na,2.0,z\n"
    assert (
        render(rows[:1], "markdown") == "| variant | mae | name |\n|---|---|---|\n| a | 2 | z |\n"
    )
    assert json.loads(render(rows[:1], "json")) == rows[:1]


def test_parameter_columns_hold_what_varies_between_variants_or_from_the_base():
    from kedro_dynamic_hooks._rerun.compare import with_parameters

    base = {"model_options": {"model": "Linear", "model_params": {}, "test_size": 0.2}}
    params = {
        "pp.alpha_1p0": {
            "model_options": {"model": "Ridge", "model_params": {"alpha": 1.0}, "test_size": 0.2}
        },
        "pp.alpha_10p0": {
            "model_options": {"model": "Ridge", "model_params": {"alpha": 10.0}, "test_size": 0.2}
        },
    }
    rows = [{"variant": "pp.alpha_1p0", "r2": 0.5}, {"variant": "pp.alpha_10p0", "r2": 0.6}]
    assert with_parameters(rows, params.__getitem__, base) == [
        {
            "variant": "pp.alpha_1p0",
            "params:model_options.model": "Ridge",
            "params:model_options.model_params.alpha": 1.0,
            "r2": 0.5,
        },
        {
            "variant": "pp.alpha_10p0",
            "params:model_options.model": "Ridge",
            "params:model_options.model_params.alpha": 10.0,
            "r2": 0.6,
        },
    ]


@pytest.mark.parametrize(
    ("config", "row"),
    [
        ({"type": "json.JSONDataset"}, True),
        ({"type": "kedro_datasets.pandas.CSVDataset"}, True),
        ({"type": "tracking.MetricsDataset"}, True),
        ({"type": "pickle.PickleDataset"}, False),  # a model: not offered
        ({"type": "matplotlib.MatplotlibWriter"}, False),
        (None, False),
    ],
)
def test_compare_offers_only_types_that_can_be_one_row(config, row):
    from kedro_dynamic_hooks._rerun.compare import can_be_a_row

    assert can_be_a_row(config) is row


def test_parameter_columns_survive_values_json_cannot_sort():
    from kedro_dynamic_hooks._rerun.compare import with_parameters

    params = {"ns.a": {"grid": {1: "x", "b": "y"}}, "ns.b": {"grid": {1: "x", "b": "z"}}}
    rows = [{"variant": "ns.a"}, {"variant": "ns.b"}]
    assert [r["params:grid.b"] for r in with_parameters(rows, params.__getitem__, {})] == ["y", "z"]


def test_compare_offers_every_persisted_dataset_when_none_looks_like_a_row():
    from types import SimpleNamespace

    from kedro_dynamic_hooks._rerun.compare import variant_datasets

    origin = SimpleNamespace(variant="a", template="model")
    expansion = SimpleNamespace(variants={"ns": ("a",)}, datasets={"ns.a.model": origin})
    with pytest.raises(ValueError) as info:
        variant_datasets(expansion, lambda name: True, "modl", (), lambda name: False)
    assert str(info.value).endswith("Persisted per-variant datasets: model. Did you mean 'model'?")
