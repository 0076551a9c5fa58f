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
from helpers import ROOT, demo_project, run_in

VENVS = Path(os.environ.get("KDH_ENGINE_VENVS", ROOT / ".engine-venvs"))


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
    env = airflow_env(tmp_path, project)
    run(python, project, "-m", "airflow", "db", "migrate", env=env)
    (tmp_path / "run_dag.py").write_text(RUN_DAG)
    # From another folder: the DAG finds the project by the path written into it.
    elsewhere = tmp_path / "worker"
    elsewhere.mkdir()
    output = run_in(
        elsewhere,
        str(tmp_path / "run_dag.py"),
        str(project / "airflow_dags"),
        "engine-demo",
        python=python,
        env=env,
    )
    result = json.loads(output.split("RESULT ", 1)[1].splitlines()[0])

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

    tasks = [
        subprocess.Popen(
            [str(python), str(tmp_path / "run_task.py"), "airflow_dags", "engine-demo", task],
            cwd=project,
            env={
                **os.environ,
                "KEDRO_DISABLE_TELEMETRY": "1",
                "PYTHONPATH": str(project / "src"),
                **airflow_env(tmp_path, project),
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for task in ("models-small", "models-large")
    ]
    logs = []
    for task in tasks:
        output, _ = task.communicate(timeout=600)
        assert task.returncode == 0, output[-4000:]
        logs.append(output)

    assert all(path.exists() for path in metrics)
    after = (shared.stat().st_mtime_ns, hashlib.sha256(shared.read_bytes()).hexdigest())
    assert after == before
    # Both tasks recorded their variant in the one state file, neither lost.
    journal = project / "data" / ".dynamic_pipelines" / "local.jsonl"
    recorded = [json.loads(line)["group"] for line in journal.read_text().splitlines()]
    assert recorded.count("models.small") == 2 and recorded.count("models.large") == 2
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

RUN_JOBS = """
import json, sys
import dagster as dg
from engine_demo.definitions import defs

results = {}
for name in sys.argv[1:]:
    job = defs.resolve_job_def(name)
    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral())
    results[name] = {
        "success": result.success,
        "steps": sorted(e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"),
    }
print("RESULT " + json.dumps(results))
"""


def test_dagster_runs_a_job_per_namespace_and_writes_what_kedro_run_writes(tmp_path):
    python = engine_python("dagster")
    expected = reference(tmp_path, python)
    project = demo_project(tmp_path / "dagster")
    run(python, project, "-m", "kedro", "dagster", "init", "--env", "local")
    written = run(python, project, "-m", "kedro", "dynamic", "dagster")
    assert (
        "Wrote conf/local/dagster.yml: 2 job(s), one per namespace (forecast, models); "
        "2 added, 0 replaced. kedro-dagster names them 'local__<namespace>'." in written
    )
    config = yaml.safe_load((project / "conf" / "local" / "dagster.yml").read_text())
    assert config["jobs"]["models"] == {
        "pipeline": {"pipeline_name": "models"},
        "executor": "dynamic_pipelines",
    }
    assert config["executors"]["dynamic_pipelines"] == {"multiprocess": {"max_concurrent": 4}}
    assert "default" in config["jobs"]  # kedro dagster init's own job is kept
    # A second run replaces nothing.
    again = run(python, project, "-m", "kedro", "dynamic", "dagster")
    assert "0 added, 0 replaced" in again

    (tmp_path / "run_jobs.py").write_text(RUN_JOBS)
    output = run(python, project, str(tmp_path / "run_jobs.py"), "local__models", "local__forecast")
    result = json.loads(output.split("RESULT ", 1)[1].splitlines()[0])
    assert result["local__models"]["success"] and result["local__forecast"]["success"]
    hooks = {"before_pipeline_run_hook_{}", "after_pipeline_run_hook_{}"}
    assert set(result["local__models"]["steps"]) == {
        "models__make_table",
        *(
            f"models__{v}__{n}"
            for v in ("small", "exact", "large", "tiny")
            for n in ("fit", "score")
        ),
        "models__compare",
        *(hook.format("models") for hook in hooks),
    }
    assert set(result["local__forecast"]["steps"]) == {
        *(f"forecast__m{i}__step" for i in (1, 2, 3)),
        *(hook.format("forecast") for hook in hooks),
    }
    assert outputs(project) == expected
