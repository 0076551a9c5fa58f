"""Fixtures: template pipelines for the pure core, and throwaway Kedro projects.

Also the tiers: a test's folder sets its markers (``tests/e2e/`` is ``e2e``,
``tests/e2e/engines/`` also ``engines``), and the Hypothesis profile
(``HYPOTHESIS_PROFILE``: ``fast``, the default, or ``thorough``, which CI runs).
"""

from __future__ import annotations

import copy
import importlib.util
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import (
    REFERENCE,
    Project,
    bootstrap,
    copy_sample,
    demo_project,
    f,
    package_name,
    sample_project,
    two,
)
from hypothesis import settings
from kedro.framework.project import configure_logging, pipelines
from kedro.pipeline import Pipeline, node

# Kedro's MemoryDataset tries ``import ibis`` at every save and load; when ibis is
# not installed, each try searches all of sys.path again (about a second of the
# fast tier). None in sys.modules makes the import fail at once, as it would anyway.
if importlib.util.find_spec("ibis") is None:
    sys.modules["ibis"] = None  # type: ignore[assignment]

# In this process, Kedro's log lines go to a plain handler instead of its
# default rich one (the levels are Kedro's defaults): rendering them with rich
# took about a tenth of each session test. Subprocesses log as before.
configure_logging(
    {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"plain": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}},
        "loggers": {"kedro": {"level": "INFO"}},
        "root": {"handlers": ["plain"]},
    }
)

TESTS = Path(__file__).parent
E2E = TESTS / "e2e"
ENGINES = E2E / "engines"

# A profile's max_examples is the properties' count; a test that needs more or
# fewer scales it (``settings().max_examples``), so that both profiles apply.
settings.register_profile("fast", max_examples=60, derandomize=True, deadline=None)
settings.register_profile("thorough", max_examples=300, deadline=None)
settings.register_profile("ci", parent=settings.get_profile("thorough"))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))


@pytest.hookimpl(tryfirst=True)  # before -m deselects by these markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Markers by folder: the tier is where a test lives."""
    for item in items:
        path = Path(item.path)
        if path.is_relative_to(E2E):
            item.add_marker(pytest.mark.e2e)
        if path.is_relative_to(ENGINES):
            item.add_marker(pytest.mark.engines)


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


# --- Throwaway projects driven by real ``kedro`` subprocesses (tests/e2e) ---


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Project]:
    """A copy of the sample project for this test (``helpers.sample_project``)."""

    def make(parameters: str | None = None, *, factory: bool = False) -> Project:
        return sample_project(tmp_path, parameters, factory=factory)

    return make


@pytest.fixture(scope="module")
def reference_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The reference declaration, its shared tables persisted: one per test module."""
    return sample_project(tmp_path_factory.mktemp("reference"), REFERENCE, factory=True)


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """One full run of the sample project (``kedro dynamic run``: the table of
    namespace 'regional' first, then the rest), shared by a test module."""
    project = sample_project(tmp_path_factory.mktemp("sample"))
    project.kedro("dynamic", "run")
    yield project


# --- Throwaway projects bootstrapped in this process (tests/integration) ---


@pytest.fixture
def bootstrapped(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], Path]]:
    """Bootstrap a project in this process, as ``kedro`` does at startup: the
    project is the working directory, its package importable afresh (a module
    of an earlier copy is forgotten), Kedro's registry configured for it."""

    def bootstrap_here(project: Path) -> Path:
        monkeypatch.chdir(project)
        monkeypatch.syspath_prepend(str(project / "src"))
        package = package_name(project)
        for name in [m for m in sys.modules if m.startswith(package)]:
            monkeypatch.delitem(sys.modules, name)
        bootstrap(project)
        return project

    yield bootstrap_here
    pipelines.configure(None)


@pytest.fixture
def session_project(tmp_path, monkeypatch, bootstrapped):
    """The sample project with the reference declaration, bootstrapped in this process."""
    project = copy_sample(tmp_path, REFERENCE)
    monkeypatch.setenv("RECORD_RUN", str(project / "ran.json"))
    return bootstrapped(project)


@pytest.fixture
def sample_session(tmp_path, bootstrapped):
    """The sample project as committed (four namespaces), bootstrapped in this process."""
    return bootstrapped(copy_sample(tmp_path))


@pytest.fixture
def demo_session(tmp_path, bootstrapped):
    """The small demo project (helpers.demo_project), bootstrapped in this process."""
    return bootstrapped(demo_project(tmp_path / "demo"))


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
