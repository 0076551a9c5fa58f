"""``variants_from`` through real ``kedro run`` processes: a CSV table's rows run as
variants, one row at a time, and a wrong cell ends in one line naming its row."""

from __future__ import annotations

import json

from helpers import demo_from_table, demo_project, run_in

CSV = "name,options.alpha,active\nnorth,0.5,yes\nsouth,,yes\neast,3,no\n"


def test_a_csv_table_runs_one_variant_per_row(tmp_path):
    project = demo_project(tmp_path / "demo")
    demo_from_table(
        project,
        CSV,
        {"type": "pandas.CSVDataset", "filepath": "data/raw/models.csv"},
        where={"active": "yes"},
        ignore=["active"],
    )

    listed = run_in(project, "-m", "kedro", "dynamic", "list")
    assert "models  table: 2 variant(s)" in listed
    run_in(project, "-m", "kedro", "run")
    metrics = project / "data" / "models"
    assert sorted(p.name for p in metrics.iterdir() if p.is_dir()) == ["north", "south"]
    comparison = json.loads((metrics / "comparison.json").read_text())
    assert sorted(row["variant"] for row in comparison) == ["north", "south"], comparison
    # One row's variant alone, selected like a named variant.
    south = (metrics / "south" / "metrics.json").stat().st_mtime_ns
    ran = run_in(project, "-m", "kedro", "run", "--namespaces", "models.north")
    assert "models.north.fit" in ran and "models.south.fit" not in ran
    assert (metrics / "south" / "metrics.json").stat().st_mtime_ns == south

    written = {p: p.stat().st_mtime_ns for p in metrics.rglob("*.json")}
    (project / "data" / "raw" / "models.csv").write_text(CSV.replace("0.5", "half"))
    failed = run_in(project, "-m", "kedro", "run", check=False)
    # Refused before the first node: nothing under data/ was touched.
    assert {p: p.stat().st_mtime_ns for p in metrics.rglob("*.json")} == written
    assert "Traceback" not in failed
    assert (
        "Error: Invalid dynamic pipelines declaration at 'dynamic_pipelines.models.variants_from"
        ".columns' (in conf/base/parameters.yml): dataset 'model_table', row 1, column "
        "'options.alpha': 'half' is not a float, as the base parameter is (1.0)." in failed
    )
