"""A failing variant, an interrupted run, and the re-run that completes them."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

from helpers import SAMPLE


def _sample_parameters() -> str:
    return (SAMPLE / "conf/base/parameters.yml").read_text()


def test_failing_variant_is_named_and_others_survive(make_project):
    broken = _sample_parameters().replace(
        "model_params: {alpha: 2.5}", 'model_params: {alpha: "not a number"}'
    )
    project = make_project(broken)
    result = project.kedro("run", "--namespaces", "price_predictor", check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert (
        "Variant 'price_predictor.candidate2' failed in node 'price_predictor.candidate2.train_model'"
        in output
    )
    # Other variants did not finish either: complete them first, then re-run this one.
    advice = re.search(
        r"After fixing it, 'kedro dynamic run --stale' re-runs exactly what is stale: this "
        r"variant, what reads its outputs, and what this run did not reach\. By hand: first "
        r"complete the rest of this run with 'kedro (run [^']+)', then, "
        r"if this variant had outputs from an earlier run, re-run it and what depends on it "
        r"with 'kedro (run [^']+)'",
        output,
    )
    assert advice, output[-3000:]
    assert advice.group(1) == "run --namespaces price_predictor --only-missing-outputs"
    assert advice.group(2) == "run --from-nodes price_predictor.candidate2.split_data"
    done = project.completed()
    assert "price_predictor.candidate2.train_model" not in done
    trained = [
        v
        for v in ("base", "candidate1", "candidate3")
        if f"price_predictor.{v}.train_model" in done
    ]
    assert trained, done
    models = project.path / "data/06_models/price_predictor"
    versions = {
        v: sorted(p.name for p in (models / v / "regressor.pickle").iterdir()) for v in trained
    }
    assert all(len(found) == 1 for found in versions.values())
    assert not (models / "candidate2").exists()

    # Fix the declaration and follow the advice: the rest first, then exactly the
    # variant and its collect step, even where an earlier run left its outputs.
    (project.path / "conf/base/parameters.yml").write_text(_sample_parameters())
    project.kedro(*advice.group(1).split())
    assert "price_predictor.candidate2.train_model" in project.completed()
    project.kedro(*advice.group(2).split())
    rerun = project.completed()
    assert sorted(rerun) == sorted(
        [
            f"price_predictor.candidate2.{n}"
            for n in ("split_data", "train_model", "predict", "evaluate_model")
        ]
        + ["price_predictor.compare_variants"]
    )
    for v in trained:
        assert f"price_predictor.{v}.train_model" not in rerun  # its saved model was reused
        assert sorted(p.name for p in (models / v / "regressor.pickle").iterdir()) == versions[v]
    table = (project.path / "data/08_reporting/price_predictor/comparison.csv").read_text()
    assert all(v in table for v in ("base", "candidate1", "candidate2", "candidate3"))


def test_interrupted_run_leaves_only_complete_files(make_project):
    project = make_project()
    paused = project.path / "ran.json.paused"
    env = {
        **os.environ,
        "KEDRO_DISABLE_TELEMETRY": "1",
        "PYTHONPATH": str(project.path / "src"),
        "RECORD_RUN": str(project.path / "ran.json"),
        # One variant's last node: some variants are complete, some are not.
        "PAUSE_AFTER_NODE": "experiments.model_linear__test_size_0p3.evaluate_model",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "kedro", "run", "--namespaces", "experiments"],
        cwd=project.path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    while time.time() < deadline and not paused.exists() and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert paused.exists(), "the run never reached the second variant's last node"
    reporting = project.path / "data/08_reporting/experiments"
    written = list(reporting.glob("*/metrics.json"))
    evaluated = {n.split(".")[1] for n in project.completed() if n.endswith(".evaluate_model")}
    # Kedro saves a node's outputs after its after_node_run hook: the paused
    # variant's metrics were computed but never written.
    assert {path.parent.name for path in written} == evaluated - {"model_linear__test_size_0p3"}
    assert 0 < len(written) < 6
    for path in written:
        assert "r2" in json.loads(path.read_text())  # complete, parseable
    assert not (reporting / "comparison.csv").exists()
    # A re-run with --only-missing-outputs completes the rest.
    project.kedro("run", "--namespaces", "experiments", "--only-missing-outputs")
    assert len(list(reporting.glob("*/metrics.json"))) == 6
    assert (reporting / "comparison.csv").exists()
