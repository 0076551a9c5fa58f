"""Airflow 3 and Dagster run the task groups for real.

Each engine lives in its own virtual environment, made once by these tests
from the package's ``airflow`` or ``dagster`` extra (cached under
``.engine-venvs/``; ``KDH_ENGINE_VENVS`` moves it), so the main environment
never imports an engine. The project is a small real one: a namespace with a
shared step, three variants and a collect step, and a three-month chain. What
each engine writes must equal what ``kedro run`` writes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import ROOT, demo_project, demo_with_writer, run_in

VENVS = Path(os.environ.get("KDH_ENGINE_VENVS", ROOT / ".engine-venvs"))
# ENGINES_QUICK=1 (CI's run on the oldest Kedro): the dag.test() runs only.
full_only = pytest.mark.skipif(
    os.environ.get("ENGINES_QUICK") == "1",
    reason="ENGINES_QUICK: CI runs this on the newest Kedro only",
)


@cache
def engine_python(extra: str) -> Path:
    """The Python of a virtual environment with the package's ``extra`` installed."""
    constraint = os.environ.get("PIP_CONSTRAINT", "")
    spec = "\n".join(
        [
            sys.version,
            extra,
            (ROOT / "pyproject.toml").read_text(),
            Path(constraint).read_text() if constraint else "",
        ]
    )
    venv = VENVS / f"{extra}-{hashlib.sha256(spec.encode()).hexdigest()[:12]}"
    python = venv / "bin" / "python"
    if not (venv / ".ready").exists():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "-e",
                f"{ROOT}[{extra}]",
                "kedro-datasets[json-jsondataset]",
            ],
            check=True,
        )
        (venv / ".ready").write_text(spec)
    return python


def run(python: Path, project: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Run ``python *args`` in ``project``; return its output, or fail showing it."""
    return run_in(project, *args, python=python, env=env)


def outputs(project: Path) -> dict[str, Any]:
    """Every dataset the pipelines wrote (not the raw inputs, not the plugin's
    state folder), parsed."""
    data = project / "data"
    return {
        path.relative_to(data).as_posix(): json.loads(path.read_text())
        for path in sorted(data.rglob("*.json"))
        if path.parts[len(data.parts)] not in ("raw", ".dynamic_pipelines")
    }


def reference(tmp_path: Path, python: Path) -> dict[str, Any]:
    """What ``kedro run`` writes, with the same libraries."""
    project = demo_project(tmp_path / "reference")
    run(python, project, "-m", "kedro", "run")
    written = outputs(project)
    assert len(written) == 1 + 4 + 1 + 3 * 2, sorted(written)
    return written


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# --- Airflow -----------------------------------------------------------------

RUN_DAG = """
import json, sys
from airflow.dag_processing.dagbag import DagBag

bag = DagBag(dag_folder=sys.argv[1])
assert not bag.import_errors, bag.import_errors
dag = bag.dags[sys.argv[2]]
run = dag.test()
print("RESULT " + json.dumps({
    "state": str(run.state),
    "tasks": sorted(
        [ti.task_id, ti.map_index, ti.rendered_map_index, str(ti.state)]
        for ti in run.get_task_instances()
    ),
    "edges": sorted([up, down] for up in dag.task_ids for down in dag.get_task(up).downstream_task_ids),
}))
"""


def airflow_env(tmp_path: Path, project: Path) -> dict[str, str]:
    return {
        "AIRFLOW_HOME": str(tmp_path / "airflow_home"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(project / "airflow_dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    }


def dag_test(tmp_path: Path, python: Path, project: Path) -> tuple[dict[str, Any], str]:
    """One ``dag.test()`` of the project's DAG, run from a folder outside the project
    (the DAG finds the project by the path written into it); its result and output."""
    env = airflow_env(tmp_path, project)
    if not (tmp_path / "airflow_home").exists():
        run(python, project, "-m", "airflow", "db", "migrate", env=env)
    (tmp_path / "run_dag.py").write_text(RUN_DAG)
    elsewhere = tmp_path / "worker"
    elsewhere.mkdir(exist_ok=True)
    output = run_in(
        elsewhere,
        str(tmp_path / "run_dag.py"),
        str(project / "airflow_dags"),
        "engine-demo",
        python=python,
        env=env,
    )
    result: dict[str, Any] = json.loads(output.split("RESULT ", 1)[1].splitlines()[0])
    return result, output


MODELS = ("small", "exact", "large", "tiny")
FORECAST_EDGES = {("forecast-m1", "forecast-m2"), ("forecast-m2", "forecast-m3")}


@pytest.mark.parametrize("form", ["mapped", "per-variant"])
def test_airflow_runs_the_dag_and_writes_what_kedro_run_writes(tmp_path, form):
    python = engine_python("airflow")
    expected = reference(tmp_path, python)
    project = demo_project(tmp_path / "dag")
    options = ["--batch-size", "3"] if form == "mapped" else ["--tasks", "per-variant"]
    written = run(python, project, "-m", "kedro", "dynamic", "airflow", *options)
    summary = (
        "6 task(s) (1 shared, 1 mapped over 4 variants in 2 instances, 3 variant, 1 collect), "
        "up to 3 at once."
        if form == "mapped"
        else "9 task(s) (1 shared, 7 variant, 1 collect), up to 5 at once."
    )
    assert f"Wrote airflow_dags/engine_demo_dag.py: pipeline '__default__', {summary}" in written
    result, output = dag_test(tmp_path, python, project)

    assert result["state"] == "success"
    states = {state for *_, state in result["tasks"]}
    assert states == {"success"}, result["tasks"]
    edges = {tuple(edge) for edge in result["edges"]}
    if form == "mapped":
        assert [task[:3] for task in result["tasks"]] == [
            ["forecast-m1", -1, None],
            ["forecast-m2", -1, None],
            ["forecast-m3", -1, None],
            ["models", -1, None],
            ["models-collect", -1, None],
            # Each instance is labelled with the variants it ran (declaration order).
            ["models-variants", 0, "models.exact, models.large, models.small"],
            ["models-variants", 1, "models.tiny"],
        ]
        assert edges == {
            ("models", "models-variants"),
            ("models-variants", "models-collect"),
            *FORECAST_EDGES,
        }
    else:
        assert sorted(task[0] for task in result["tasks"]) == sorted(
            [
                "models",
                *(f"models-{v}" for v in MODELS),
                "models-collect",
                "forecast-m1",
                "forecast-m2",
                "forecast-m3",
            ]
        )
        assert edges == {
            *(("models", f"models-{v}") for v in MODELS),
            *((f"models-{v}", "models-collect") for v in MODELS),
            *FORECAST_EDGES,
        }
    assert outputs(project) == expected
    # Each task built only what it runs.
    tasks = 6 + 1 if form == "mapped" else 9
    assert output.count("(only what this run's selection can touch)") == tasks


def regions(*names: str) -> list[dict[str, Any]]:
    return [{"region": n, "alpha": float(i + 1)} for i, n in enumerate(names)]


def test_airflow_maps_a_table_an_earlier_task_writes_over_its_rows_when_the_dag_runs(tmp_path):
    """Second-order: task 'list-models' writes the table, 'models-rows' reads it, and
    'models-variants' is mapped over what it read: 3 rows, then 5 in the next run of
    the same DAG file, each run writing what 'kedro dynamic run' writes."""
    python = engine_python("airflow")
    project = demo_project(tmp_path / "dag")
    demo_with_writer(project, regions("north", "south", "east"))
    (project / "conf" / "base" / "airflow.yml").write_text("default:\n  retries: 0\n")
    written = run(python, project, "-m", "kedro", "dynamic", "airflow")  # no table yet
    assert "1 mapped over a table's rows when the DAG runs" in written

    for names in (("north", "south", "east"), ("north", "south", "east", "west", "central")):
        (project / "data" / "raw" / "regions.json").write_text(json.dumps(regions(*names)))
        result, _ = dag_test(tmp_path, python, project)
        assert result["state"] == "success", result["tasks"]
        mapped = [task for task in result["tasks"] if task[0] == "models-variants"]
        assert [task[1:] for task in mapped] == [
            [index, f"models.{name}", "success"] for index, name in enumerate(names)
        ]
        edges = {tuple(edge) for edge in result["edges"]}
        assert {("list-models", "models-rows"), ("models-rows", "models-variants")} <= edges
        local = demo_project(tmp_path / f"local{len(names)}")
        demo_with_writer(local, regions(*names))
        run(python, local, "-m", "kedro", "dynamic", "run")
        assert outputs(project) == outputs(local)


@full_only
def test_a_real_scheduler_runs_the_mapped_dag_in_parallel_and_writes_what_kedro_run_writes(
    tmp_path,
):
    """Airflow as deployed: api-server, dag-processor and scheduler, LocalExecutor on
    SQLite, processes started outside the project; one triggered run."""
    from airflow_cluster import overlapping, run_dag_for_real

    python = engine_python("airflow")
    expected = reference(tmp_path, python)
    project = demo_project(tmp_path / "dag")
    run(python, project, "-m", "kedro", "dynamic", "airflow", "--batch-size", "2")
    elsewhere = tmp_path / "worker"
    elsewhere.mkdir()
    result = run_dag_for_real(
        python, project, tmp_path / "airflow_home", "engine-demo", parallelism=4, cwd=elsewhere
    )

    assert result["state"] == "success", result.get("failure_logs")
    assert len(result["dag_runs"]) == 1  # schedule=None, max_active_runs=1: one run
    instances = result["task_instances"]
    assert sorted((ti["task_id"], ti["map_index"], ti["state"]) for ti in instances) == [
        ("forecast-m1", -1, "success"),
        ("forecast-m2", -1, "success"),
        ("forecast-m3", -1, "success"),
        ("models", -1, "success"),
        ("models-collect", -1, "success"),
        ("models-variants", 0, "success"),
        ("models-variants", 1, "success"),
    ]
    assert overlapping(instances), "no two task instances ran at the same time"
    assert outputs(project) == expected


# One task's own code, as an Airflow worker calls it: the DAG parsed by Airflow,
# the task's callable run (without Airflow's database, which SQLite cannot share
# between two writers).
RUN_TASK = """
import sys
from airflow.dag_processing.dagbag import DagBag

bag = DagBag(dag_folder=sys.argv[1])
assert not bag.import_errors, bag.import_errors
bag.dags[sys.argv[2]].get_task(sys.argv[3]).python_callable()
"""


@full_only
def test_two_variant_tasks_at_once_do_not_rewrite_the_shared_output(tmp_path):
    python = engine_python("airflow")
    project = demo_project(tmp_path / "dag")
    run(python, project, "-m", "kedro", "run")
    run(python, project, "-m", "kedro", "dynamic", "airflow", "--tasks", "per-variant")
    shared = project / "data" / "models" / "table.json"
    before = (shared.stat().st_mtime_ns, hashlib.sha256(shared.read_bytes()).hexdigest())
    metrics = [project / "data" / "models" / v / "metrics.json" for v in ("small", "large")]
    for path in metrics:
        path.unlink()
    (tmp_path / "run_task.py").write_text(RUN_TASK)
    # Two workers: each starts in a folder of its own; both mount one state folder.
    shared_state = tmp_path / "shared_state"
    workers = {task: tmp_path / f"worker-{task}" for task in ("models-small", "models-large")}
    for folder in workers.values():
        folder.mkdir()

    tasks = [
        subprocess.Popen(
            [
                str(python),
                str(tmp_path / "run_task.py"),
                str(project / "airflow_dags"),
                "engine-demo",
                task,
            ],
            cwd=folder,
            env={
                **os.environ,
                "KEDRO_DISABLE_TELEMETRY": "1",
                "PYTHONPATH": str(project / "src"),
                "KEDRO_DYNAMIC_STATE_DIR": str(shared_state),
                **airflow_env(tmp_path, project),
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for task, folder in workers.items()
    ]
    logs = []
    for task in tasks:
        output, _ = task.communicate(timeout=600)
        assert task.returncode == 0, output[-4000:]
        logs.append(output)

    assert all(path.exists() for path in metrics)
    after = (shared.stat().st_mtime_ns, hashlib.sha256(shared.read_bytes()).hexdigest())
    assert after == before
    # Both tasks recorded their variant in the one shared state file, neither lost.
    journal = shared_state / "local.jsonl"
    recorded = [json.loads(line)["group"] for line in journal.read_text().splitlines()]
    assert sorted(recorded) == ["models.large", "models.small"]
    # Each task ran its variant's two nodes and nothing of the shared step.
    for log, variant in zip(logs, ("small", "large"), strict=True):
        assert f"models.{variant}.score" in log and "make_table" not in log


def test_airflow_refuses_a_pipeline_that_is_not_registered(tmp_path):
    python = engine_python("airflow")
    project = demo_project(tmp_path / "dag")
    result = subprocess.run(
        [str(python), "-m", "kedro", "dynamic", "airflow", "--pipelines", "modles"],
        cwd=project,
        env={**os.environ, "KEDRO_DISABLE_TELEMETRY": "1", "PYTHONPATH": str(project / "src")},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert (
        "Error: Unknown pipeline 'modles'. Namespaces: forecast, models; '__default__' holds "
        "every one. Did you mean 'models'?" in result.stderr
    )
    assert not (project / "airflow_dags").exists()


# --- Dagster -----------------------------------------------------------------

LIST_JOBS = """
import json, sys
import importlib
defs = importlib.import_module(sys.argv[1]).defs
repository = defs if hasattr(defs, "get_all_jobs") else defs.get_repository_def()
# Loading every job is what Dagster's code server does: conflicting ops fail here.
jobs = repository.get_all_jobs()
print("RESULT " + json.dumps(sorted(job.name for job in jobs if not job.name.startswith("__"))))
"""


def matrix_demo(root: Path) -> Path:
    """The demo project with ``models`` as a named variant and a two-axis matrix
    whose names survive kedro-dagster (``separator: _x_``)."""
    project = demo_project(root)
    path = project / "conf" / "base" / "parameters.yml"
    params = yaml.safe_load(path.read_text())
    params["options"]["beta"] = 0
    models = params["dynamic_pipelines"]["models"]
    models["variants"] = {"exact": {}}
    models["matrix"] = {
        "parameters": {"options.alpha": {"lo": 0.5, "hi": 2.0}, "options.beta": [1, 2]},
        "separator": "_x_",
    }
    path.write_text(yaml.safe_dump(params))
    return project


@full_only
def test_dagster_runs_a_matrix_job_per_namespace_on_the_multiprocess_executor(tmp_path):
    python = engine_python("dagster")
    reference_project = matrix_demo(tmp_path / "reference")
    run(python, reference_project, "-m", "kedro", "run")
    expected = outputs(reference_project)
    assert len(expected) == 1 + 5 + 1 + 3 * 2, sorted(expected)
    project = matrix_demo(tmp_path / "dagster")
    run(python, project, "-m", "kedro", "dagster", "init", "--env", "local")
    written = run(python, project, "-m", "kedro", "dynamic", "dagster")
    assert (
        "Wrote conf/local/dagster.yml: the job factory '{namespace}__dynamic' gives 2 job(s), "
        "one per namespace (forecast, models), named 'local__<namespace>__dynamic'." in written
    )
    # kedro dagster init's 'default' job would share every node with ours.
    assert (
        "Job 'default' (kedro dagster init's): removed (every node of it is in a namespace job)."
        in written
    )
    (tmp_path / "list_jobs.py").write_text(LIST_JOBS)
    for module in ("engine_demo.definitions", "engine_demo.dynamic_definitions"):
        listed = run(python, project, str(tmp_path / "list_jobs.py"), module)
        jobs = json.loads(listed.split("RESULT ", 1)[1].splitlines()[0])
        assert jobs == ["local__forecast__dynamic", "local__models__dynamic"], module

    home = tmp_path / "dagster_home"
    home.mkdir()
    logs = {}
    for job in ("local__models__dynamic", "local__forecast__dynamic"):
        logs[job] = run(
            python,
            project,
            "-m",
            "dagster",
            "job",
            "execute",
            "-m",
            "engine_demo.dynamic_definitions",
            "-j",
            job,
            env={"DAGSTER_HOME": str(home)},
        )
        assert "Executing steps using multiprocess executor" in logs[job]
        assert f'RUN_SUCCESS - Finished execution of run for "{job}"' in logs[job]
    assert outputs(project) == expected
    # Every step process built its own namespace only: 5 variants x 2 nodes, the
    # shared and collect steps and kedro-dagster's two hook ops (14), and the run.
    # kedro-dagster's first hook op fires the hook once more outside any selection.
    log = logs["local__models__dynamic"]
    assert log.count("Expanded 1 namespace(s) into 5") >= 14
    assert log.count("Expanded 2 namespace(s)") <= 1

    # A namespace removed from the declaration leaves no job behind, and no error.
    path = project / "conf" / "base" / "parameters.yml"
    params = yaml.safe_load(path.read_text())
    del params["dynamic_pipelines"]["forecast"]
    path.write_text(yaml.safe_dump(params))
    for module in ("engine_demo.definitions", "engine_demo.dynamic_definitions"):
        listed = run(python, project, str(tmp_path / "list_jobs.py"), module)
        assert json.loads(listed.split("RESULT ", 1)[1].splitlines()[0]) == [
            "local__models__dynamic"
        ]
