"""Property: when ``kedro dynamic validate`` says OK, ``kedro run`` completes; for a
run of one variant alone, when ``validate --strict`` says OK.

Random declarations (named variants or a matrix, a chain or shared step,
collect, global inputs forgotten or not, datasets persisted or in memory, with
or without ``{variant}``) on a tiny real project, and random selections.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from helpers import bootstrap, examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kedro.framework.project import pipelines
from kedro.framework.session import KedroSession

from kedro_dynamic_hooks._cli import commands

NODES = """
from kedro.pipeline import Pipeline, node


def prep(raw):
    return {"rows": len(raw)}


def train(table, opts):
    return {"k": opts["k"], "rows": table["rows"]}


def score(model, opts):
    return {"score": model["k"] * opts["scale"]}


def step(state, raw, opts):
    return {"level": state["level"] + opts["k"]}, {"score": state["level"]}


def report(metrics, options):
    return {"best": max(m["score"] for m in metrics.values()), "n": len(metrics)}


def register_pipelines():
    return {
        "__default__": Pipeline([]),
        "prep": Pipeline([node(prep, "raw", "table", name="prep")]),
        "train": Pipeline([
            node(train, ["table", "params:opts"], "model", name="train"),
            node(score, ["model", "params:opts"], "metrics", name="score"),
        ]),
        "step": Pipeline([node(step, ["state", "raw", "params:opts"], ["new_state", "metrics"], name="step")]),
        "report": Pipeline([node(report, ["metrics", "params:report"], "summary", name="report")]),
    }
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tiny")
    (root / "pyproject.toml").write_text(
        '[tool.kedro]\npackage_name = "tinyproj"\nproject_name = "tiny"\nkedro_init_version = "1.0.0"\n'
    )
    package = root / "src" / "tinyproj"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "pipeline_registry.py").write_text(NODES)
    (package / "settings.py").write_text(
        "from kedro_dynamic_hooks import DynamicPipelinesHook\nHOOKS = (DynamicPipelinesHook(),)\n"
    )
    (root / "conf" / "base").mkdir(parents=True)
    (root / "conf" / "local").mkdir()
    sys.path.insert(0, str(root / "src"))
    bootstrap(root)
    yield root
    sys.path.remove(str(root / "src"))
    pipelines.configure(None)


names = st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3, unique=True)
# Weighted towards valid projects, so that most examples reach the run.
persist = st.sampled_from(["memory", "no_variant_in_path", *["per_variant"] * 8])
listed = st.sampled_from([False, *[True] * 8])


@st.composite
def declarations(draw: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    declaration: dict[str, Any] = {}
    chosen = draw(st.lists(st.sampled_from(["plain", "chain"]), min_size=1, max_size=2))
    for index, kind in enumerate(chosen):
        ns: dict[str, Any] = {}
        variants = draw(names)
        if kind == "plain":
            ns["shared"] = ["prep"]
            ns["pipelines"] = ["train"]
            per_variant, shared = ["model", "metrics"], ["table"]
        else:
            ns["pipelines"] = ["step"]
            ns["chain"] = {"input": "state", "output": "new_state", "initial": "initial"}
            per_variant, shared = ["new_state", "metrics"], []
        if draw(listed):
            ns["inputs"] = ["raw"]
        if draw(st.booleans()) and kind == "plain":
            ns["matrix"] = {"parameters": {"opts.k": [1, 2]}}
            if draw(st.booleans()):
                ns["variants"] = {v: {} for v in variants}
        else:
            ns["variants"] = {
                v: {"overrides": {"opts": {"k": i + 1}}} for i, v in enumerate(variants)
            }
        if draw(st.booleans()):
            ns["collect"] = {"pipeline": "report", "input": "metrics"}
            shared = [*shared, "summary"]
        catalog = {}
        for dataset in [*per_variant, *shared]:
            how = draw(persist)
            if how == "memory":
                continue
            folder = (
                "{namespace}/{variant}"
                if how == "per_variant" and dataset in per_variant
                else "{namespace}"
            )
            catalog[dataset] = {
                "type": "json.JSONDataset",
                "filepath": f"data/{folder}/{dataset}.json",
            }
        ns["catalog"] = catalog
        declaration[f"ns{index}"] = ns
    selection: dict[str, Any] = {}
    target = draw(st.sampled_from(["all", "namespace", "variant", "tag"]))
    first = next(iter(declaration))
    spec = declaration[first]
    variant_names = list(spec.get("variants", {})) or ["opts_k_1"]
    if "matrix" in spec and not spec.get("variants"):
        variant_names = ["k_1", "k_2"]
    if target == "namespace":
        selection["namespaces"] = [first]
    elif target == "variant":
        selection["namespaces"] = [f"{first}.{draw(st.sampled_from(variant_names))}"]
    elif target == "tag":
        selection["tags"] = [draw(st.sampled_from(variant_names))]
    return declaration, selection, {"shared": shared}


# Each example is a whole project: 40 in the thorough profile, 8 in the fast one.
PROJECTS = examples(2 / 15)


@settings(
    max_examples=PROJECTS,
    derandomize=True,  # the same examples in CI every time; explore with --hypothesis-seed
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=declarations())
def test_validate_ok_means_the_run_completes(tiny, monkeypatch, case):
    declaration, selection, _ = case
    monkeypatch.chdir(tiny)
    shutil.rmtree(tiny / "data", ignore_errors=True)
    (tiny / "data").mkdir()
    (tiny / "data" / "raw.json").write_text(json.dumps([1, 2, 3]))
    (tiny / "data" / "initial.json").write_text(json.dumps({"level": 0}))
    (tiny / "conf/base/catalog.yml").write_text(
        "raw: {type: json.JSONDataset, filepath: data/raw.json}\n"
        "initial: {type: json.JSONDataset, filepath: data/initial.json}\n"
    )
    parameters = {
        "opts": {"k": 1, "scale": 2},
        "report": {"x": 1},
        "dynamic_pipelines": declaration,
    }
    (tiny / "conf/base/parameters.yml").write_text(yaml.safe_dump(parameters))
    # A run of one variant alone is what --strict guarantees; the rest, plain validate.
    alone = any("." in name for name in selection.get("namespaces", []))
    validated = CliRunner().invoke(
        commands, ["dynamic", "validate", *(["--strict"] if alone else [])]
    )
    if validated.exit_code != 0:
        assert validated.output.startswith("Error: ") or "Error: " in validated.output
        return
    if selection:  # a partial run re-runs part of a project that has run whole once
        with KedroSession.create(project_path=tiny) as session:
            session.run()  # must not raise
    with KedroSession.create(project_path=tiny) as session:
        session.run(**selection)  # must not raise
    RAN.append(selection)


RAN: list[dict[str, Any]] = []


def test_the_property_saw_valid_projects_run():
    if not RAN:
        pytest.skip("run together with test_validate_ok_means_the_run_completes")
    assert len(RAN) >= max(1, PROJECTS // 8), RAN
