"""Shared test helpers: the reference declaration, throwaway Kedro projects.

Tests import what they need from here (``from helpers import ...``); test
modules never import each other. Every use of a private Kedro name in the
tests lives in this module.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import yaml

os.environ["KEDRO_DISABLE_TELEMETRY"] = "1"
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_project"

# The declaration from the core issue, on the sample project's spaceflights data.
REFERENCE = """
model_options:
  test_size: 0.2
  random_state: 3
  target: price
  features: [engines, passenger_capacity, crew, d_check_complete, moon_clearance_complete, iata_approved, company_rating, review_scores_rating]
  model: sklearn.linear_model.LinearRegression
  model_params: {}

dynamic_pipelines:
  price_predictor:
    shared: [data_processing]
    pipelines: [data_science]
    inputs: [companies, shuttles, reviews]
    overrides:
      model_options: {target: price}
    catalog:
      regressor:
        type: pickle.PickleDataset
        filepath: data/06_models/{namespace}/{variant}/regressor.pickle
        versioned: true
    variants:
      base: {}
      candidate1:
        overrides:
          model_options:
            features: [engines, passenger_capacity, crew, d_check_complete, company_rating]
      candidate2:
        overrides:
          model_options: {model: sklearn.linear_model.Ridge, model_params: {alpha: 2.5}}
      candidate3:
        overrides:
          model_options: {model: sklearn.ensemble.RandomForestRegressor, model_params: {max_depth: 3}}
  reviews_predictor:
    shared: [data_processing]
    pipelines: [data_science]
    inputs: [companies, shuttles, reviews]
    overrides:
      model_options:
        target: review_scores_rating
        features: [engines, passenger_capacity, crew, company_rating]
    variants:
      base: {}
      test1:
        overrides: {model_options: {test_size: 0.3}}
"""

# A project hook used only by the tests: records which nodes a run selected.
RECORDER = """

class _RecordRun:
    from kedro.framework.hooks import hook_impl

    @hook_impl
    def before_pipeline_run(self, run_params, pipeline, catalog):
        import json, os
        path = os.environ.get("RECORD_RUN")
        if path:
            with open(path, "w") as f:
                json.dump(sorted(n.name for n in pipeline.nodes), f)

    @hook_impl
    def after_node_run(self, node):
        import os, time
        path = os.environ.get("RECORD_RUN")
        if path:
            with open(path + ".nodes", "a") as f:
                f.write(node.name + "\\n")
        # Lets a test kill the run at a known point: after this node, say so and wait.
        if path and node.name == os.environ.get("PAUSE_AFTER_NODE"):
            open(path + ".paused", "w").close()
            time.sleep(600)


HOOKS = (*HOOKS, _RecordRun())
"""


PLAIN_LOGGING = """
version: 1
disable_existing_loggers: false
formatters: {plain: {format: "%(levelname)s %(name)s: %(message)s"}}
handlers: {console: {class: logging.StreamHandler, stream: ext://sys.stdout, formatter: plain}}
loggers: {kedro: {level: INFO}, kedro_dynamic_hooks: {level: INFO}}
root: {level: INFO, handlers: [console]}
"""


def f(*args: Any) -> Any:
    return args[0] if args else 1


def two(*args: Any) -> tuple[int, int]:
    return 1, 2


def copy_sample(dest: Path, parameters: str | None = None) -> Path:
    """Copy the sample project without its outputs, optionally replacing parameters.yml.

    With other parameters, the sample's 'store_listing' node (it writes the table of
    its 'regional' namespace) leaves ``__default__``: the project is then the
    templates and whatever the given declaration makes of them.
    """
    project = dest / "project"
    shutil.copytree(
        SAMPLE,
        project,
        ignore=shutil.ignore_patterns(
            "0[2-8]_*", "logs", "__pycache__", "*.egg-info", ".telemetry"
        ),
    )
    settings = project / "src" / "spaceflights_dynamic" / "settings.py"
    settings.write_text(settings.read_text() + RECORDER)
    if parameters is not None:
        (project / "conf" / "base" / "parameters.yml").write_text(parameters)
        registry = project / "src" / "spaceflights_dynamic" / "pipeline_registry.py"
        registry.write_text(
            registry.read_text().replace(", default=store_listing.create_pipeline()", "")
        )
    # Plain, unwrapped log lines, so that tests can search the output.
    (project / "conf" / "logging.yml").write_text(PLAIN_LOGGING)
    return project


def skeleton_files(package: str, name: str, nodes: str) -> dict[str, str]:
    """A Kedro project's files that do not vary (path relative to the project -> text):
    ``pyproject.toml``, the package with its ``nodes.py``, and the hook in ``settings.py``."""
    return {
        "pyproject.toml": textwrap.dedent(
            f"""
            [tool.kedro]
            package_name = "{package}"
            project_name = "{name}"
            kedro_init_version = "1.3.0"
            source_dir = "src"
            """
        ),
        f"src/{package}/__init__.py": "",
        f"src/{package}/nodes.py": nodes,
        f"src/{package}/settings.py": (
            "from kedro_dynamic_hooks import DynamicPipelinesHook\n\nHOOKS = (DynamicPipelinesHook(),)\n"
        ),
    }


def package_name(project: Path) -> str:
    """The ``package_name`` of a project's ``[tool.kedro]``."""
    found = re.search(r'^package_name = "(.+)"', (project / "pyproject.toml").read_text(), re.M)
    assert found, f"no package_name in {project / 'pyproject.toml'}"
    return found.group(1)


def bootstrap(project: Path) -> Any:
    """``bootstrap_project(project)``, on a thread of its own.

    Dynaconf (Kedro's settings) calls ``inspect.stack()``, which reads every
    frame of the calling stack: under pytest that stack is deep and each
    bootstrap takes about a tenth of a second more. A new thread starts with an
    empty stack. An exception is raised here, as if bootstrapped in place.
    """
    from kedro.framework.startup import bootstrap_project

    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["metadata"] = bootstrap_project(project)
        except BaseException as error:  # re-raised below, in the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=target, name=f"bootstrap {project.name}")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["metadata"]


def run_in(
    project: Path,
    *args: str,
    python: str | Path = sys.executable,
    env: dict[str, str] | None = None,
    check: bool = True,
) -> str:
    """Run ``python *args`` in ``project`` (its ``src`` importable); return the
    output, and with ``check`` fail showing it unless the exit code is 0."""
    result = subprocess.run(
        [str(python), *args],
        cwd=project,
        env={
            **os.environ,
            "KEDRO_DISABLE_TELEMETRY": "1",
            "PYTHONPATH": str(project / "src"),
            "COLUMNS": "200",
            **(env or {}),
        },
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = result.stdout + result.stderr
    if check:
        assert result.returncode == 0, f"{' '.join(args)} failed:\n{output[-6000:]}"
    return output


class Project:
    """A throwaway copy of the sample project driven through the real ``kedro`` CLI."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def kedro(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "KEDRO_DISABLE_TELEMETRY": "1",
            "RECORD_RUN": str(self.path / "ran.json"),
            "PYTHONPATH": str(self.path / "src"),
            "COLUMNS": "200",
        }
        (self.path / "ran.json").unlink(missing_ok=True)
        (self.path / "ran.json.nodes").unlink(missing_ok=True)
        result = subprocess.run(
            [sys.executable, "-m", "kedro", *args],
            cwd=self.path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"kedro {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
            )
        return result

    def ran(self) -> list[str]:
        """Node names of the last run, as recorded before the runner started."""
        return list(json.loads((self.path / "ran.json").read_text()))

    def completed(self) -> list[str]:
        """Node names that completed in the last run, in order (SequentialRunner)."""
        path = self.path / "ran.json.nodes"
        return path.read_text().split() if path.exists() else []

    def files(self, under: str = "data") -> set[str]:
        root = self.path / under
        return {p.relative_to(self.path).as_posix() for p in root.rglob("*") if p.is_file()}


FACTORY = """
"{namespace}.model_input_table":
  type: pandas.ParquetDataset
  filepath: data/03_primary/{namespace}/model_input_table.parquet
"""


def sample_project(dest: Path, parameters: str | None = None, *, factory: bool = False) -> Project:
    """A copy of the sample project (``copy_sample``) to drive with ``kedro``; with
    ``factory``, each namespace's model input table is persisted (``FACTORY``)."""
    project = Project(copy_sample(dest, parameters))
    if factory:
        with (project.path / "conf" / "base" / "catalog.yml").open("a") as file:
            file.write(FACTORY)
    return project


def dynamic(*args: str, catch_exceptions: bool = False) -> Any:
    """``kedro dynamic *args`` in this process, on the bootstrapped project, through
    click's CliRunner (the result's ``output`` holds stdout and stderr)."""
    from click.testing import CliRunner

    from kedro_dynamic_hooks._cli import commands

    return CliRunner(env={"COLUMNS": "200"}).invoke(
        commands, ["dynamic", *args], catch_exceptions=catch_exceptions
    )


def examples(scale: float = 1.0) -> int:
    """The active Hypothesis profile's ``max_examples`` (tests/conftest.py), scaled.

    A property that needs more examples than the others, or fewer because each
    is a whole run, asks for a multiple of the profile's count, so that the
    ``fast`` and ``thorough`` profiles both apply to it.
    """
    from hypothesis import settings

    return max(1, round(settings().max_examples * scale))


# --- Private Kedro names the tests need (the package's are in _kedro_compat.py) ---


def hook_manager() -> Any:
    """A fresh Kedro hook manager with Kedro's hook specs, as a session makes."""
    from kedro.framework.hooks.manager import _create_hook_manager

    return _create_hook_manager()


def session_hooks(session: Any) -> Any:
    """The hook manager of a live session, to fire or register hooks on it."""
    return session._hook_manager


def settings_hooks() -> tuple[Any, ...]:
    """The HOOKS of the bootstrapped project's settings.py."""
    from kedro.framework.project import settings

    return tuple(settings.HOOKS)


def dataset_description(catalog: Any, name: str) -> Any:
    """A dataset of a live catalog as its type and described config (``None``:
    the catalog has no such dataset), comparable across catalogs."""
    dataset = catalog.get(name)
    if dataset is None:
        return None
    described = {key: str(value) for key, value in dataset._describe().items()}
    return type(dataset).__name__, described


RUN_FLAGS: dict[str, Any] = {
    "pipeline": None,
    "pipelines": [],
    "namespaces": [],
    "tags": [],
    "node_names": [],
    "from_nodes": [],
    "to_nodes": [],
    "from_inputs": [],
    "to_outputs": [],
}


def kedro_run_context(
    command: str = "run", parent: str | None = None, own_run: Any = None, **flags: Any
) -> Any:
    """A click context like the one ``kedro run ...`` gives its hooks (enter it
    around the session's run); ``parent`` puts it under a subcommand group, and
    ``own_run`` makes it a project's own ``run`` command with that callback."""
    import click
    from kedro.framework.cli.project import run

    root = click.Context(click.Group("kedro"), info_name="kedro")
    if parent is not None:
        root = click.Context(click.Group(parent), info_name=parent, parent=root)
    # Kedro's own `run` (its callback's module says so), unless a project's is asked for.
    callback = run.callback if command == "run" and own_run is None else own_run
    ctx = click.Context(click.Command(command, callback=callback), info_name=command, parent=root)
    ctx.params = {**RUN_FLAGS, **flags}
    return ctx


def load_context_error(project: Path, error: type[Exception]) -> Any:
    """Create a session on ``project``, load its context, and return the ``error`` raised."""
    import pytest
    from kedro.framework.session import KedroSession

    with (
        KedroSession.create(project_path=project) as session,
        pytest.raises(error) as info,
    ):
        session.load_context()
    return info.value


DEMO_PACKAGE = "engine_demo"

DEMO_NODES = """
def make_table(size):
    return [{"x": i, "y": 2 * i + 1} for i in range(size)]


def fit(table, options):
    return {"slope": options["alpha"] * 2.0, "intercept": 1.0}


def score(model, table):
    import os

    if os.environ.get("KILL_AT_ALPHA") == str(model["slope"] / 2.0):
        os._exit(137)  # the process dies here, as under kill -9
    errors = [abs(model["slope"] * r["x"] + model["intercept"] - r["y"]) for r in table]
    return {"mae": sum(errors) / len(errors)}


def compare(metrics):
    ranked = sorted(metrics.items(), key=lambda item: item[1]["mae"])
    return [{"variant": name, "mae": m["mae"]} for name, m in ranked]


def step(previous_state, sales, month):
    total = previous_state["total"] + sales[str(month)]
    return {"total": total, "month": month}, {"mae": abs(total - 10 * month)}
"""

DEMO_REGISTRY = """
from kedro.pipeline import Pipeline, node

from .nodes import compare, fit, make_table, score, step


def register_pipelines():
    prep = Pipeline([node(make_table, "params:size", "table", name="make_table")])
    science = Pipeline(
        [
            node(fit, ["table", "params:options"], "model", name="fit"),
            node(score, ["model", "table"], "metrics", name="score"),
        ]
    )
    report = Pipeline([node(compare, "metrics", "comparison", name="compare")])
    monthly = Pipeline(
        [node(step, ["previous_state", "sales", "params:month"], ["state", "metrics"], name="step")]
    )
    return {
        "__default__": Pipeline([]),
        "prep": prep,
        "science": science,
        "report": report,
        "monthly": monthly,
    }
"""

DEMO_PARAMETERS = {
    "size": 20,
    "options": {"alpha": 1.0},
    "month": 1,
    "dynamic_pipelines": {
        "models": {
            "shared": ["prep"],
            "pipelines": ["science"],
            "parameters": ["size"],
            "collect": {"pipeline": "report", "input": "metrics"},
            "catalog": {
                name: {"type": "json.JSONDataset", "filepath": f"data/{{namespace}}/{path}"}
                for name, path in [
                    ("table", "table.json"),
                    ("metrics", "{variant}/metrics.json"),
                    ("comparison", "comparison.json"),
                ]
            },
            "variants": {
                "small": {"overrides": {"options": {"alpha": 0.5}}},
                "exact": {},
                "large": {"overrides": {"options": {"alpha": 2.0}}},
                "tiny": {"overrides": {"options": {"alpha": 0.25}}},
            },
        },
        "forecast": {
            "pipelines": ["monthly"],
            "inputs": ["sales"],
            "chain": {"input": "previous_state", "output": "state", "initial": "initial_state"},
            "catalog": {
                "state": {
                    "type": "json.JSONDataset",
                    "filepath": "data/{namespace}/{variant}/state.json",
                },
                "metrics": {
                    "type": "json.JSONDataset",
                    "filepath": "data/{namespace}/{variant}/metrics.json",
                },
            },
            "variants": {f"m{i}": {"overrides": {"month": i}} for i in (1, 2, 3)},
        },
    },
}

DEMO_CATALOG = {
    "sales": {"type": "json.JSONDataset", "filepath": "data/raw/sales.json"},
    "initial_state": {"type": "json.JSONDataset", "filepath": "data/raw/initial_state.json"},
}


def demo_project(root: Path) -> Path:
    """Write a small real project under ``root``: namespace ``models`` (a shared step,
    four variants, a collect step) and ``forecast`` (a three-month chain), JSON
    datasets only, so a whole run takes about a second."""
    package = root / "src" / DEMO_PACKAGE
    package.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""
            [tool.kedro]
            package_name = "{DEMO_PACKAGE}"
            project_name = "engine demo"
            kedro_init_version = "1.3.0"
            source_dir = "src"
            """
        )
    )
    (package / "__init__.py").write_text("")
    (package / "nodes.py").write_text(DEMO_NODES)
    (package / "pipeline_registry.py").write_text(DEMO_REGISTRY)
    (package / "settings.py").write_text(
        "from kedro_dynamic_hooks import DynamicPipelinesHook\n\n"
        "HOOKS = (DynamicPipelinesHook(),)\n"
    )
    for env in ("base", "local"):
        (root / "conf" / env).mkdir(parents=True)
    (root / "conf" / "base" / "parameters.yml").write_text(yaml.safe_dump(DEMO_PARAMETERS))
    (root / "conf" / "base" / "catalog.yml").write_text(yaml.safe_dump(DEMO_CATALOG))
    raw = root / "data" / "raw"
    raw.mkdir(parents=True)
    (raw / "sales.json").write_text(json.dumps({"1": 9, "2": 12, "3": 8}))
    (raw / "initial_state.json").write_text(json.dumps({"total": 0, "month": 0}))
    return root


def demo_from_table(project: Path, table: str, dataset: dict[str, Any], **given: Any) -> None:
    """Give the demo's ``models`` namespace its variants from a table: ``table`` is the
    file's text (under ``data/raw/``, named by ``dataset['filepath']``), ``dataset``
    its catalog entry ``model_table``, ``given`` the rest of ``variants_from``."""
    (project / dataset["filepath"]).write_text(table)
    catalog = project / "conf" / "base" / "catalog.yml"
    entries = yaml.safe_load(catalog.read_text())
    entries["model_table"] = dataset
    catalog.write_text(yaml.safe_dump(entries))
    path = project / "conf" / "base" / "parameters.yml"
    params = yaml.safe_load(path.read_text())
    models = params["dynamic_pipelines"]["models"]
    del models["variants"]
    models["variants_from"] = {"dataset": "model_table", "name": "name", **given}
    path.write_text(yaml.safe_dump(params))


WRITER_NODE = """

def list_models(regions):
    active = [r for r in regions if r["alpha"]]
    if not active:
        raise ValueError("no region has data this month")
    return [{"name": r["region"], "options.alpha": r["alpha"]} for r in active]
"""


def demo_with_writer(project: Path, regions: list[dict[str, Any]]) -> None:
    """Make the demo's ``models`` namespace second-order: its variants come from
    ``model_table`` (a JSON list of rows), which node ``list_models`` of ``__default__`` writes from
    ``data/raw/regions.json`` (``regions``: its rows; a zero ``alpha`` is left out)."""
    demo_from_table(
        project, "[]", {"type": "json.JSONDataset", "filepath": "data/models_table.json"}
    )
    (project / "data" / "models_table.json").unlink()  # not written yet
    (project / "data" / "raw" / "regions.json").write_text(json.dumps(regions))
    catalog = project / "conf" / "base" / "catalog.yml"
    entries = yaml.safe_load(catalog.read_text())
    entries["regions"] = {"type": "json.JSONDataset", "filepath": "data/raw/regions.json"}
    catalog.write_text(yaml.safe_dump(entries))
    package = project / "src" / DEMO_PACKAGE
    nodes = package / "nodes.py"
    nodes.write_text(nodes.read_text() + WRITER_NODE)
    registry = package / "pipeline_registry.py"
    registry.write_text(
        registry.read_text()
        .replace("from .nodes import compare", "from .nodes import list_models, compare")
        .replace(
            '"__default__": Pipeline([]),',
            '"__default__": Pipeline([node(list_models, "regions", "model_table", '
            'name="list_models")]),',
        )
    )
