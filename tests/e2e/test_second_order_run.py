"""Second-order pipelines through real ``kedro`` processes: node ``list_models`` writes
the table the ``models`` namespace takes its variants from.

``kedro run`` never runs variants of a table that is missing, that it writes itself,
or whose writer changed since; ``kedro dynamic run`` writes the table, then runs the
variants of what was written, and ends as the two steps run by hand would.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from helpers import demo_project, demo_with_writer, run_in

REGIONS = [
    {"region": "north", "alpha": 0.5},
    {"region": "south", "alpha": 2.0},
    {"region": "east", "alpha": 0},  # no data this month: no variant
]


def kedro(project: Path, *args: str, check: bool = True) -> str:
    return run_in(project, "-m", "kedro", *args, check=check)


def outputs(project: Path) -> dict[str, str]:
    """Every file under data/ but the journal, by path, with its content."""
    root = project / "data"
    return {
        p.relative_to(root).as_posix(): p.read_text()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".dynamic_pipelines" not in p.parts
    }


def test_kedro_dynamic_run_writes_the_table_then_runs_its_rows(tmp_path):
    project = demo_project(tmp_path / "demo")
    demo_with_writer(project, REGIONS)
    before = outputs(project)

    refused = kedro(project, "run", check=False)
    assert "Traceback" not in refused
    assert (
        "namespace 'models' takes its variants from 'model_table', which does not exist "
        "yet: node 'list_models' writes it. Run 'kedro dynamic run': it runs that node "
        "first, then the variants of what it wrote." in refused
    )
    assert outputs(project) == before  # refused before the first node

    checked = kedro(project, "dynamic", "validate")
    assert "OK: 2 namespace(s), 3 variant(s) and 1 table(s) not written yet" in checked
    assert "models: 'model_table' does not exist yet" in checked

    ran = kedro(project, "dynamic", "run")
    assert "1. Writing the variant table(s) 'model_table' (node 'list_models'):" in ran
    metrics = project / "data" / "models"
    assert sorted(p.name for p in metrics.iterdir() if p.is_dir()) == ["north", "south"]
    ranked = json.loads((metrics / "comparison.json").read_text())
    assert sorted(row["variant"] for row in ranked) == ["north", "south"]

    # The oracle: the same two steps by hand, on a copy, give the same files.
    by_hand = shutil.copytree(project, tmp_path / "by_hand")
    shutil.rmtree(by_hand / "data" / "models")
    shutil.rmtree(by_hand / "data" / "forecast")
    (by_hand / "data" / "models_table.json").unlink()
    kedro(by_hand, "run", "--nodes", "list_models")
    kedro(by_hand, "run", "--namespaces", "models")
    kedro(by_hand, "run", "--namespaces", "forecast")
    assert outputs(by_hand) == outputs(project)

    # Now the run may use the table it wrote: a run without its writer goes ahead.
    kedro(project, "run", "--namespaces", "models.north")
    # But not one that also writes it again.
    again = kedro(project, "run", check=False)
    assert "which node 'list_models' writes in this same run" in again


def test_a_changed_writer_input_refuses_the_old_table_and_a_rerun_takes_the_new(tmp_path):
    project = demo_project(tmp_path / "demo")
    demo_with_writer(project, REGIONS)
    kedro(project, "dynamic", "run", "--namespaces", "models")
    assert not (project / "data" / "forecast").exists()  # only what was selected

    regions = project / "data" / "raw" / "regions.json"
    regions.write_text(json.dumps([*REGIONS[:1], {"region": "west", "alpha": 3.0}]))
    written = outputs(project)
    stale = kedro(project, "run", "--namespaces", "models", check=False)
    assert (
        "namespace 'models' takes its variants from 'model_table', which may be out of "
        "date: what writes it changed since it last ran (list_models: input changed "
        "(regions))." in stale
    )
    assert outputs(project) == written

    kedro(project, "dynamic", "run", "--namespaces", "models")
    metrics = project / "data" / "models"
    ranked = json.loads((metrics / "comparison.json").read_text())
    assert sorted(row["variant"] for row in ranked) == ["north", "west"]
    # The removed row's outputs are kept, never deleted silently, and listed.
    assert (metrics / "south" / "metrics.json").exists()
    status = kedro(project, "dynamic", "status", "--namespaces", "models")
    assert "1 variant(s) no longer declared (a row removed from a table" in status
    assert "  models.south: data/models/south/metrics.json" in status


def test_a_writer_that_fails_runs_no_variant(tmp_path):
    project = demo_project(tmp_path / "demo")
    demo_with_writer(project, [{"region": "east", "alpha": 0}])
    failed = kedro(project, "dynamic", "run", check=False)
    assert "no region has data this month" in failed
    assert "2. Then the rest" not in failed
    assert not (project / "data" / "models").exists()
    assert not (project / "data" / "forecast").exists()
