"""Orchestrator benchmark: the variants run by a real Airflow and a real Dagster.

Run (each engine in a virtual environment with the package's extra installed,
e.g. the engine tests' ``.engine-venvs/airflow-*`` and ``dagster-*``):

    python benchmarks/bench_orchestrators.py airflow --python <venv>/bin/python
        [--variants 198] [--batch-sizes 1 25] [--parallelism 2]
    python benchmarks/bench_orchestrators.py dagster --python <venv>/bin/python
        [--declared 6 200] [--repeat 3]

``airflow`` copies the sample project, scales its ``experiments`` matrix to
``--variants`` combinations (3 models x 2 test sizes x random states), and
times, side by side in one run: a sequential ``kedro run`` of every variant,
then the DAG of ``kedro dynamic airflow`` (mapped, at each batch size) run by
a real api-server, dag-processor and scheduler with LocalExecutor on SQLite
(``tests/airflow_cluster.py``). "run s" is the DAG run's own time (first task
queued to last task done); "ratio" is that against ``kedro run``. Outputs of
both are compared file by file (every model is retrained, so pickles differ:
only JSON and CSV outputs are compared).

``dagster`` writes projects declaring a namespace ``ns`` of 6 variants plus
another namespace of ``declared - 6``, and times what a Dagster step process
does before its op runs: import the definitions and get the job of ``ns``.
Ours (``dynamic_definitions``) against kedro-dagster's own ``definitions.py``
(``kedro dagster init``), each ratio against the 6-variant project.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).parent))


def _run(python: Path, project: Path, *args: str, env: dict[str, str] | None = None) -> str:
    import os

    result = subprocess.run(
        [str(python), *args],
        cwd=project,
        env={
            **os.environ,
            "KEDRO_DISABLE_TELEMETRY": "1",
            "PYTHONPATH": str(project / "src"),
            **(env or {}),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{(result.stdout + result.stderr)[-4000:]}")
    return result.stdout + result.stderr


# --- Airflow -----------------------------------------------------------------------


def scaled_sample(root: Path, variants: int) -> Path:
    """The sample project with its ``experiments`` matrix scaled to ``variants``."""
    project = root / "sample"
    shutil.copytree(
        ROOT / "sample_project",
        project,
        ignore=shutil.ignore_patterns(
            "0[2-8]_*", ".dynamic_pipelines", "airflow_dags", "*.egg-info"
        ),
    )
    path = project / "conf" / "base" / "parameters.yml"
    params = yaml.safe_load(path.read_text())
    matrix = params["dynamic_pipelines"]["experiments"]["matrix"]
    states = max(1, variants // 6)
    matrix["parameters"]["model_options.random_state"] = list(range(1, states + 1))
    matrix["max_size"] = max(matrix["max_size"], 6 * states)
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    return project


def comparable(project: Path) -> dict[str, str]:
    data = project / "data"
    return {
        p.relative_to(data).as_posix(): p.read_text()
        for p in sorted(data.rglob("*"))
        if p.suffix in (".json", ".csv") and p.parts[len(data.parts)].startswith(("05", "08"))
    }


def bench_airflow(args: argparse.Namespace) -> None:
    from airflow_cluster import overlapping, run_dag_for_real

    root = Path(tempfile.mkdtemp(prefix="bench_orch_"))
    reference = scaled_sample(root / "reference", args.variants)
    listed = _run(args.python, reference, "-m", "kedro", "dynamic", "list")
    print(listed.strip().splitlines()[-1])
    start = time.perf_counter()
    _run(args.python, reference, "-m", "kedro", "run")
    sequential = time.perf_counter() - start
    expected = comparable(reference)
    print(f"kedro run (sequential, every variant): {sequential:.1f} s, {len(expected)} outputs")
    print(
        f"{'form':<22} {'tasks':>6} {'instances':>9} {'DAG kB':>7} {'run s':>7} "
        f"{'total s':>8} {'ratio':>6} {'overlap':>8} equal"
    )
    for size in args.batch_sizes:
        project = scaled_sample(root / f"batch{size}", args.variants)
        written = _run(
            args.python, project, "-m", "kedro", "dynamic", "airflow", "--batch-size", str(size)
        )
        dag = next((project / "airflow_dags").glob("*_dag.py"))
        summary = next(line for line in written.splitlines() if line.startswith("Wrote"))
        tasks = int(summary.split("', ", 1)[1].split(" task(s)")[0])
        start = time.perf_counter()
        result = run_dag_for_real(
            args.python,
            project,
            root / f"home{size}",
            "spaceflights-dynamic",
            timeout=args.timeout,
            parallelism=args.parallelism,
        )
        total = time.perf_counter() - start
        if result["state"] != "success":
            raise SystemExit(f"batch size {size}: the DAG run failed: {result.get('failure_logs')}")
        run_s = float(result["run_seconds"])
        print(
            f"{'mapped, batch ' + str(size):<22} {tasks:>6} {len(result['task_instances']):>9} "
            f"{dag.stat().st_size / 1024:>7.1f} {run_s:>7.1f} {total:>8.1f} "
            f"{run_s / sequential:>6.2f} {len(overlapping(result['task_instances'])):>8} "
            f"{comparable(project) == expected}"
        )


# --- Dagster -----------------------------------------------------------------------

STEP = """
import importlib, sys, time
start = time.perf_counter()
module = importlib.import_module(sys.argv[1])
defs = module.defs
repository = defs if hasattr(defs, "get_job") else defs.get_repository_def()
repository.get_job(sys.argv[2])
print(time.perf_counter() - start)
"""


def dagster_project(root: Path, declared: int) -> Path:
    from bench_e2e import make_project

    project = make_project(root, 6)
    path = project / "conf" / "base" / "parameters.yml"
    params = yaml.safe_load(path.read_text())
    namespaces = params["dynamic_pipelines"]
    if declared > 6:
        other = json.loads(json.dumps(namespaces["ns"]))
        other["variants"] = {
            f"o{i}": {"overrides": {"model_options": {"random_state": i}}}
            for i in range(declared - 6)
        }
        namespaces["others"] = other
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    return project


def bench_dagster(args: argparse.Namespace) -> None:
    root = Path(tempfile.mkdtemp(prefix="bench_dagster_"))
    (root / "step.py").write_text(STEP)
    rows: dict[int, dict[str, float]] = {}
    for declared in args.declared:
        project = dagster_project(root / f"p{declared}", declared)
        _run(args.python, project, "-m", "kedro", "dagster", "init", "--env", "local")
        _run(args.python, project, "-m", "kedro", "dynamic", "dagster")
        rows[declared] = {}
        for label, module in (
            ("ours", "bench_project.dynamic_definitions"),
            ("kedro-dagster", "bench_project.definitions"),
        ):
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                _run(args.python, project, str(root / "step.py"), module, "local__ns__dynamic")
                times.append(time.perf_counter() - start)
            rows[declared][label] = statistics.median(times)
    base = rows[args.declared[0]]
    print(f"{'declared':>8} {'ours s':>7} {'ratio':>6} {'kedro-dagster s':>16} {'ratio':>6}")
    for declared, row in rows.items():
        print(
            f"{declared:>8} {row['ours']:>7.2f} {row['ours'] / base['ours']:>6.2f} "
            f"{row['kedro-dagster']:>16.2f} {row['kedro-dagster'] / base['kedro-dagster']:>6.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    engines = parser.add_subparsers(dest="engine", required=True)
    airflow = engines.add_parser("airflow")
    airflow.add_argument("--python", type=Path, required=True)
    airflow.add_argument("--variants", type=int, default=198)
    airflow.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 25])
    airflow.add_argument("--parallelism", type=int, default=2)
    airflow.add_argument("--timeout", type=float, default=3600)
    dagster = engines.add_parser("dagster")
    dagster.add_argument("--python", type=Path, required=True)
    dagster.add_argument("--declared", type=int, nargs="+", default=[6, 200])
    dagster.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    args.python = args.python.absolute()  # not resolve(): a venv's python is a symlink
    (bench_airflow if args.engine == "airflow" else bench_dagster)(args)


if __name__ == "__main__":
    main()
