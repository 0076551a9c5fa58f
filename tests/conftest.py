"""Fixtures: template pipelines for the pure core, and throwaway Kedro projects."""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import REFERENCE, Project, copy_sample, demo_project, f, two
from kedro.framework.project import pipelines
from kedro.framework.startup import bootstrap_project
from kedro.pipeline import Pipeline, node


@pytest.fixture
def templates() -> dict[str, Pipeline]:
    """Spaceflights-shaped templates: 3 shared nodes, 4 per-variant nodes."""
    processing = Pipeline(
        [
            node(f, "companies", "preprocessed_companies", name="preprocess_companies"),
            node(f, "shuttles", "preprocessed_shuttles", name="preprocess_shuttles"),
            node(
                f,
                ["preprocessed_shuttles", "preprocessed_companies", "reviews"],
                "model_input_table",
                name="create_model_input_table",
            ),
        ]
    )
    science = Pipeline(
        [
            node(two, ["model_input_table", "params:model_options"], ["X", "y"], name="split"),
            node(f, ["X", "y", "params:model_options.model"], "regressor", name="train"),
            node(f, ["regressor", "X"], "predictions", name="predict"),
            node(f, ["predictions", "y"], "metrics", name="evaluate"),
        ]
    )
    report = Pipeline([node(f, ["metrics", "params:report_options"], "comparison", name="compare")])
    monthly = Pipeline(
        [node(two, ["previous_state", "sales", "params:month"], ["state", "metrics"], name="step")]
    )
    return {
        "__default__": processing + science,
        "data_processing": processing,
        "data_science": science,
        "reporting": report,
        "monthly": monthly,
    }


@pytest.fixture
def reference() -> dict[str, Any]:
    """The reference declaration's parameters, as loaded from YAML."""
    return dict(yaml.safe_load(REFERENCE))


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Project]:
    def make(parameters: str | None = None) -> Project:
        return Project(copy_sample(tmp_path, parameters))

    return make


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """One full ``kedro run`` of the sample project, shared by a test module."""
    project = Project(copy_sample(tmp_path_factory.mktemp("sample")))
    project.kedro("run")
    yield project


@pytest.fixture
def session_project(tmp_path, monkeypatch):
    project = copy_sample(tmp_path, REFERENCE)
    monkeypatch.chdir(project)
    monkeypatch.syspath_prepend(str(project / "src"))
    for name in [m for m in sys.modules if m.startswith("spaceflights_dynamic")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setenv("RECORD_RUN", str(project / "ran.json"))
    bootstrap_project(project)
    yield project
    pipelines.configure(None)


@pytest.fixture
def demo_session(tmp_path, monkeypatch):
    """The small demo project (helpers.demo_project), bootstrapped in this process."""
    project = demo_project(tmp_path / "demo")
    monkeypatch.chdir(project)
    monkeypatch.syspath_prepend(str(project / "src"))
    for name in [m for m in sys.modules if m.startswith("engine_demo")]:
        monkeypatch.delitem(sys.modules, name)
    bootstrap_project(project)
    yield project
    pipelines.configure(None)


CHAIN = {
    "pipelines": ["monthly"],
    "inputs": ["sales"],
    "chain": {"input": "previous_state", "output": "state", "initial": "initial_state"},
    "catalog": {
        "state": {"type": "json.JSONDataset", "filepath": "data/{namespace}/{variant}.json"}
    },
    "variants": {f"m{i}": {"overrides": {"month": i}} for i in (1, 2, 3)},
}


@pytest.fixture
def declared(reference) -> dict[str, Any]:
    """The reference declaration plus a collect step and a three-month chain."""
    params = copy.deepcopy(reference)
    params["month"] = 0
    params["report_options"] = {"metric": "r2"}
    params["dynamic_pipelines"]["price_predictor"]["collect"] = {
        "pipeline": "reporting",
        "input": "metrics",
    }
    params["dynamic_pipelines"]["forecast"] = copy.deepcopy(CHAIN)
    return params
