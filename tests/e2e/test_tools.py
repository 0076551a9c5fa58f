"""Tools around Kedro: kedro-viz, kedro-airflow and IPython's %reload_kedro."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from helpers import REFERENCE, Project, sample_project


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    return sample_project(tmp_path_factory.mktemp("tools"), REFERENCE)


@pytest.mark.parametrize("include_hooks", [False, True], ids=["without-hooks", "include-hooks"])
def test_viz_build_contains_the_variant_nodes(project, include_hooks):
    pytest.importorskip("kedro_viz")
    build = project.path / "build"
    if build.exists():
        import shutil

        shutil.rmtree(build)
    project.kedro("viz", "build", *(["--include-hooks"] if include_hooks else []))
    pipelines = {p.name for p in (build / "api" / "pipelines").iterdir()}
    assert {"price_predictor", "price_predictor.candidate1", "reviews_predictor.test1"} <= pipelines
    variant = json.loads((build / "api" / "pipelines" / "price_predictor.candidate1").read_text())
    tasks = [n for n in variant["nodes"] if n.get("type") == "task"]
    assert sorted(n["name"] for n in tasks) == [
        "evaluate_model",
        "predict",
        "split_data",
        "train_model",
    ]
    assert all(n["modular_pipelines"] == ["price_predictor.candidate1"] for n in tasks)


def test_airflow_dag_contains_the_variant_tasks(project):
    pytest.importorskip("kedro_airflow")
    project.kedro("airflow", "create", "--pipelines", "price_predictor")
    dag = (
        project.path / "airflow_dags" / "spaceflights_dynamic_price_predictor_dag.py"
    ).read_text()
    for variant in ("base", "candidate1", "candidate2", "candidate3"):
        assert f'_run_kedro_node(node_names=["price_predictor.{variant}.train_model"])' in dag
    assert '_run_kedro_node(node_names=["price_predictor.create_model_input_table"])' in dag


RELOAD = """
import json, sys
from IPython.testing.globalipapp import start_ipython
ip = start_ipython()
ip.run_line_magic("load_ext", "kedro.ipython")
ip.run_line_magic("reload_kedro", sys.argv[1])
ns = ip.user_ns
print("RESULT " + json.dumps({
    "pipelines": sorted(ns["pipelines"]),
    "test_size": ns["context"].params["reviews_predictor"]["test1"]["model_options"].test_size,
}))
"""


def test_ipython_reload_kedro_sees_pipelines_and_params(project):
    pytest.importorskip("IPython")
    out = subprocess.run(
        [sys.executable, "-c", RELOAD, str(project.path)],
        cwd=project.path,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "KEDRO_DISABLE_TELEMETRY": "1", "PYTHONPATH": str(project.path / "src")},
    ).stdout
    result = json.loads(out[out.index("RESULT ") + 7 :].splitlines()[0])
    assert {"price_predictor", "price_predictor.candidate2", "reviews_predictor.test1"} <= set(
        result["pipelines"]
    )
    assert result["test_size"] == 0.3
