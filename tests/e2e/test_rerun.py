"""Change-aware re-runs on a real project: what changed is stale, and only that re-runs.

Each test takes a copy of the demo project after a whole ``kedro run`` (one run
per module), changes one thing, then checks ``kedro dynamic status`` and that
``kedro dynamic run --stale`` runs exactly the stale task groups, after which
nothing is stale.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from helpers import demo_project, run_in

MODELS = ["models.small", "models.exact", "models.large", "models.tiny"]
EVERY = ["models", *MODELS, "models.collect", "forecast.m1", "forecast.m2", "forecast.m3"]


def kedro(project: Path, *args: str, env: dict[str, str] | None = None, check: bool = True) -> str:
    return run_in(project, "-m", "kedro", *args, env=env, check=check)


def stale(project: Path) -> dict[str, list[str]]:
    """Stale group -> its reasons, from `kedro dynamic status --json`."""
    found = json.loads(_json(kedro(project, "dynamic", "status", "--json")))
    assert sorted(g["group"] for g in found) == sorted(EVERY)
    return {g["group"]: g["reasons"] for g in found if g["stale"]}


def _json(output: str) -> str:
    """The JSON document of a command's output (Kedro may log a line first)."""
    start = re.search(r"^(\[|\{|\[\])$", output, re.MULTILINE)
    assert start, output
    return output[start.start() :]


def rerun(project: Path) -> list[str]:
    """Run `kedro dynamic run --stale`; return the groups it said were stale."""
    output = kedro(project, "dynamic", "run", "--stale")
    listed = re.search(r"task group\(s\) stale: (.*?)\.(?: \(|\n)", output)
    assert listed, output
    return sorted(listed.group(1).split(", "))


def mtimes(project: Path) -> dict[str, int]:
    """Every output's mtime (not the raw inputs, not the plugin's state folder)."""
    data = project / "data"
    return {
        p.relative_to(data).as_posix(): p.stat().st_mtime_ns
        for p in data.rglob("*.json")
        if p.parts[len(data.parts)] not in ("raw", ".dynamic_pipelines")
    }


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project after one whole ``kedro run``: nothing is stale. Read only."""
    project = demo_project(tmp_path_factory.mktemp("prepared") / "demo")
    kedro(project, "run")
    assert stale(project) == {}
    return project


@pytest.fixture
def project(prepared: Path, tmp_path: Path) -> Path:
    """A copy of ``prepared`` for one test: its outputs, journal and modification
    times as the run left them (copy2), so the copy is as fresh as the original."""
    return Path(shutil.copytree(prepared, tmp_path / "demo", copy_function=shutil.copy2))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_one_override_changed_reruns_that_variant_and_its_collect_step(project):
    params = project / "conf" / "base" / "parameters.yml"
    _edit(params, "alpha: 0.25", "alpha: 0.3")
    assert stale(project) == {
        "models.tiny": ["parameters changed (options.alpha)"],
        "models.collect": ["upstream stale (models.tiny)"],
    }
    before = mtimes(project)
    assert rerun(project) == ["models.collect", "models.tiny"]
    after = mtimes(project)
    changed = sorted(k for k in after if after[k] != before.get(k))
    assert changed == ["models/comparison.json", "models/tiny/metrics.json"]
    assert stale(project) == {}
    assert "Nothing is stale: 9 task group(s) up to date." in kedro(
        project, "dynamic", "run", "--stale"
    )


def test_a_shared_parameter_reruns_the_whole_namespace(project):
    _edit(project / "conf" / "base" / "parameters.yml", "size: 20", "size: 30")
    found = stale(project)
    assert found["models"] == ["parameters changed (size)"]
    assert sorted(found) == sorted(["models", *MODELS, "models.collect"])
    assert all("input changed (models.table)" not in r for r in found.values())
    assert found["models.small"] == ["upstream stale (models)"]
    assert rerun(project) == sorted(["models", *MODELS, "models.collect"])
    assert stale(project) == {}


def test_a_changed_node_function_reruns_every_variant_using_it(project):
    nodes = project / "src" / "engine_demo" / "nodes.py"
    _edit(nodes, '"intercept": 1.0}', '"intercept": 1.5}')
    found = stale(project)
    assert found["models.small"] == ["code changed (models.small.fit)"]
    assert sorted(found) == sorted([*MODELS, "models.collect"])
    assert rerun(project) == sorted([*MODELS, "models.collect"])
    assert stale(project) == {}


def test_a_touched_raw_input_reruns_what_reads_it(project):
    sales = project / "data" / "raw" / "sales.json"
    sales.write_text(json.dumps({"1": 9, "2": 13, "3": 8}))
    found = stale(project)
    assert sorted(found) == ["forecast.m1", "forecast.m2", "forecast.m3"]
    assert found["forecast.m1"] == ["input changed (sales)"]
    assert rerun(project) == ["forecast.m1", "forecast.m2", "forecast.m3"]
    assert stale(project) == {}


def test_a_changed_month_reruns_it_and_every_later_month(project):
    params = project / "conf" / "base" / "parameters.yml"
    _edit(params, "month: 2", "month: 3")  # month 2 now reads month 3's sales
    found = stale(project)
    assert found == {
        "forecast.m2": ["parameters changed (month)"],
        "forecast.m3": ["upstream stale (forecast.m2)"],
    }
    assert rerun(project) == ["forecast.m2", "forecast.m3"]
    assert stale(project) == {}


def test_a_killed_run_leaves_exactly_the_unfinished_groups_stale(tmp_path, prepared):
    project = demo_project(tmp_path / "demo")
    reference = prepared  # what a whole run writes
    # Kedro runs the four variants' `score` nodes in name order (exact, large,
    # small, tiny); the process dies (os._exit) in the third one.
    output = kedro(project, "run", env={"KILL_AT_ALPHA": "0.5"}, check=False)
    assert "Pipeline execution completed" not in output
    found = stale(project)
    assert "models.exact" not in found and "models.large" not in found  # 2 of 4 finished
    assert found["models.small"] == ["never run"]
    assert found["models.tiny"] == ["never run"]
    assert found["models.collect"] == [
        "never run",
        "upstream stale (models.small, models.tiny)",
    ]
    done = [g for g in EVERY if g not in found]
    written = mtimes(project)
    for variant in MODELS:
        metrics = f"{variant.replace('.', '/')}/metrics.json"
        assert (variant in done) == (metrics in written), variant
    assert "models" in done  # the shared step finished before the kill
    before = mtimes(project)
    assert rerun(project) == sorted(found)
    after = mtimes(project)
    for group in done:  # nothing that had finished ran again
        for name, stamp in before.items():
            if name.startswith(group.replace(".", "/") + "/"):
                assert after[name] == stamp, name
    assert stale(project) == {}
    outputs = {p: json.loads((project / "data" / p).read_text()) for p in mtimes(project)}
    assert outputs == {
        p: json.loads((reference / "data" / p).read_text()) for p in mtimes(reference)
    }


def test_a_failed_variant_is_stale_until_it_succeeds(project):
    params = project / "conf" / "base" / "parameters.yml"
    _edit(params, "alpha: 0.25", "alpha: boom")
    failed = kedro(project, "run", "--namespaces", "models.tiny", check=False)
    assert "Variant 'models.tiny' failed" in failed
    assert "'kedro dynamic run --stale' re-runs exactly what is stale" in failed
    _edit(params, "alpha: boom", "alpha: 0.25")
    found = stale(project)
    assert found["models.tiny"] == ["last run failed"]
    assert rerun(project) == ["models.collect", "models.tiny"]
    assert stale(project) == {}


def test_status_filters_and_explains(project):
    output = kedro(project, "dynamic", "status", "--namespaces", "models.small")
    assert "models.small" in output and "forecast" not in output
    assert "0 of 1 group(s) stale." in output
    (project / "data" / "models" / "small" / "metrics.json").unlink()
    output = kedro(project, "dynamic", "status", "--namespaces", "models")
    assert "outputs missing (models.small.metrics)" in output
    assert (
        "2 of 6 group(s) stale. 'kedro dynamic run --stale --namespaces models' runs them."
        in output
    )
    wrong = kedro(project, "dynamic", "status", "--namespaces", "modles", check=False)
    assert (
        "Error: --namespaces modles matches no task group. Namespaces: forecast, models. "
        "Did you mean 'models'?" in wrong
    )
    bare = kedro(project, "dynamic", "run", "--tags", "nope", check=False)
    assert "Error: --tags nope select no node: " in bare
    dry = kedro(project, "dynamic", "run", "--stale", "--dry-run")
    assert "kedro run --nodes models.small.fit,models.small.score,models.compare" in dry
    assert (project / "data" / "models" / "small" / "metrics.json").exists() is False


def test_compare_puts_every_variant_in_one_table(project):
    csv_text = kedro(
        project,
        "dynamic",
        "compare",
        "metrics",
        "-ns",
        "models",
        "--sort",
        "mae",
        "--format",
        "csv",
    )
    lines = csv_text[csv_text.index("variant,") :].splitlines()
    assert lines[0] == "variant,mae"
    # mae grows with |alpha - 1|: exact 1.0, small 0.5, tiny 0.25, large 2.0
    assert [line.split(",")[0] for line in lines[1:5]] == [
        "models.exact",
        "models.small",
        "models.tiny",
        "models.large",
    ]
    reverse = kedro(
        project,
        "dynamic",
        "compare",
        "metrics",
        "-ns",
        "models",
        "--sort",
        "-mae",
        "--format",
        "json",
    )
    rows = json.loads(_json(reverse))
    assert [r["variant"] for r in rows] == [
        "models.large",
        "models.tiny",
        "models.small",
        "models.exact",
    ]
    markdown = kedro(project, "dynamic", "compare", "metrics", "--format", "markdown")
    assert "| variant | mae |" in markdown and "| forecast.m1 |" in markdown
    table = kedro(project, "dynamic", "compare", "metrics")
    assert "metrics of 7 variant(s)" in table
    typo = kedro(project, "dynamic", "compare", "metric", check=False)
    assert (
        "Error: No variant has a persisted dataset 'metric'. Per-variant datasets compare can "
        "read (JSON, YAML, metrics, tables): metrics, state. Did you mean 'metrics'?" in typo
    )
    unsorted = kedro(project, "dynamic", "compare", "metrics", "--sort", "rmse", check=False)
    assert "Error: no column 'rmse' to sort by. Columns: mae." in unsorted
    (project / "data" / "models" / "tiny" / "metrics.json").unlink()
    partial = kedro(project, "dynamic", "compare", "metrics", "-ns", "models")
    assert "Not written yet: models.tiny." in partial


def test_a_variant_selected_alone_takes_its_stale_shared_step_along(project):
    _edit(project / "conf" / "base" / "parameters.yml", "size: 20", "size: 25")
    output = kedro(project, "dynamic", "run", "--stale", "--namespaces", "models.small")
    assert (
        "2 of 9 task group(s) stale: models, models.small. (1 of them because the selected "
        "groups read from them.)" in output
    )
    found = stale(project)
    assert "models" not in found and "models.small" not in found
    assert sorted(found) == ["models.collect", "models.exact", "models.large", "models.tiny"]


def test_filters_that_select_nothing_are_refused(project):
    tag = kedro(project, "dynamic", "status", "--tags", "smal", check=False)
    assert (
        "Error: --tags smal matches no node. Tags are namespace and variant names (and your "
        "nodes' own tags). Did you mean 'small'?" in tag
    )
    ns = kedro(project, "dynamic", "compare", "metrics", "-ns", "models.smal", check=False)
    assert "Error: --namespaces models.smal matches no task group." in ns
    assert "Did you mean 'small'?" in ns
