"""The sample project end to end: the four use cases and the report."""

from __future__ import annotations

import json

import pandas as pd
import pytest

NAMESPACES = {
    "price_predictor": ("base", "candidate1", "candidate2", "candidate3"),
    "reviews_predictor": ("base", "test1"),
    "experiments": tuple(
        f"model_{m}__test_size_{t}" for m in ("linear", "ridge", "forest") for t in ("0p2", "0p3")
    ),
    "forecast": tuple(f"m2024_0{i}" for i in range(1, 7)),
    # From the table node 'list_active_regions' writes: 'polar' sold nothing in June.
    "regional": ("east", "north", "south", "west"),
}


def test_full_run_writes_every_variant_and_report(sample_run):
    files = sample_run.files()
    for ns, variants in NAMESPACES.items():
        for v in variants:
            assert f"data/08_reporting/{ns}/{v}/metrics.json" in files
        table = pd.read_csv(sample_run.path / f"data/08_reporting/{ns}/comparison.csv")
        assert sorted(table["variant"]) == sorted(variants)
        assert list(table["rank"]) == list(range(1, len(variants) + 1))
        png = (sample_run.path / f"data/08_reporting/{ns}/comparison.png").read_bytes()
        assert png.startswith(b"\x89PNG")
    # No variant overwrote another: every metrics file holds its own numbers.
    r2 = {
        v: json.loads(
            (sample_run.path / f"data/08_reporting/price_predictor/{v}/metrics.json").read_text()
        )["r2"]
        for v in NAMESPACES["price_predictor"]
    }
    assert len(set(r2.values())) == 4
    # The second session of 'kedro dynamic run': everything but the table's writer.
    models = [n for n in NAMESPACES if n not in ("forecast", "regional")]
    assert len(sample_run.ran()) == sum(3 + 4 * len(NAMESPACES[n]) + 1 for n in models) + (
        6 * 2 + 1
    ) + (4 * 2 + 1)
    assert "list_active_regions" not in sample_run.ran()
    table = pd.read_csv(sample_run.path / "data/02_intermediate/active_regions.csv")
    assert list(table["region"]) == sorted(NAMESPACES["regional"])


def test_chain_rerun_of_one_month_reads_the_previous_state(sample_run):
    state_path = sample_run.path / "data/05_model_input/forecast/m2024_02/state.json"
    state = json.loads(state_path.read_text())
    assert state["months"] == ["2023-12", "2024-01", "2024-02"]
    # The chain starts from December's levels, so January is a real forecast.
    january = sample_run.path / "data/08_reporting/forecast/m2024_01/metrics.json"
    assert json.loads(january.read_text())["mae"] > 1
    # Tamper with February's persisted state; re-running March alone must build on it.
    state["months"] = ["tampered", "2024-02"]
    state_path.write_text(json.dumps(state))
    sample_run.kedro("run", "--namespaces", "forecast.m2024_03")
    assert sample_run.ran() == ["forecast.m2024_03.select_month", "forecast.m2024_03.update_state"]
    march = json.loads(
        (sample_run.path / "data/05_model_input/forecast/m2024_03/state.json").read_text()
    )
    assert march["months"] == ["tampered", "2024-02", "2024-03"]


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_parallel_runner_matches_sequential(sample_run, make_project, start_method):
    project = make_project()
    env_method = {"fork": "fork", "spawn": "spawn"}[start_method]
    import os

    os.environ["KEDRO_MP_CONTEXT"] = env_method
    try:
        project.kedro("run", "--namespaces", "experiments", "--runner", "ParallelRunner")
    finally:
        del os.environ["KEDRO_MP_CONTEXT"]
    for v in NAMESPACES["experiments"]:
        rel = f"data/08_reporting/experiments/{v}/metrics.json"
        assert json.loads((project.path / rel).read_text()) == json.loads(
            (sample_run.path / rel).read_text()
        )
