"""``kedro dynamic`` and the registry helper in-process (fast tier; subprocess tests in test_surfaces)."""

from __future__ import annotations

import json
import logging

import pytest
from click.testing import CliRunner
from kedro.framework.project import pipelines
from kedro.pipeline import node

from kedro_dynamic_hooks import DynamicPipelinesHook, find_dynamic_pipelines
from kedro_dynamic_hooks._cli import commands


def invoke(*args: str):
    return CliRunner(env={"COLUMNS": "200"}).invoke(
        commands, ["dynamic", *args], catch_exceptions=False
    )


def test_list_plan_validate_schema_in_process(session_project):
    listed = invoke("list")
    assert listed.exit_code == 0, listed.output
    assert (
        "reviews_predictor  variants: 2 variant(s), 11 node(s) = 3 shared + 0 collect + 8 per variant"
        in listed.output
    )

    planned = invoke("plan", "--tags", "test1", "--json")
    assert planned.exit_code == 0, planned.output
    result = json.loads(planned.output[planned.output.index("{") :])
    assert len(result["nodes"]) == 7
    diff = result["parameters"]["reviews_predictor.test1"]  # against the root: namespace + variant
    assert diff["model_options.test_size"] == [0.2, 0.3]
    assert diff["model_options.target"] == ["price", "review_scores_rating"]
    assert set(diff) == {
        "model_options.test_size",
        "model_options.target",
        "model_options.features",
    }

    table = invoke("plan", "--pipelines", "reviews_predictor.test1")
    assert "4 node(s), in run order" in table.output and "Persisted datasets" in table.output

    out = session_project / "plan.json"
    assert invoke("plan", "-ns", "price_predictor", "-o", str(out)).exit_code == 0
    assert len(json.loads(out.read_text())["nodes"]) == 19

    missing = CliRunner().invoke(commands, ["dynamic", "plan", "--pipelines", "nope"])
    assert missing.exit_code == 1 and "Unknown pipeline(s): nope." in missing.output

    validated = invoke("validate").output
    assert "OK: 2 namespace(s), 6 variant(s), 30 node(s)." in validated
    assert (
        "Keys added under an empty base mapping (allowed, but not checked for typos):" in validated
    )
    assert (
        "  dynamic_pipelines.price_predictor.variants.candidate2.overrides.model_options.model_params.alpha"
        in validated
    )

    assert invoke("schema", "-o", "-").output.startswith('{\n  "$schema"')
    written = invoke("schema", "-o", str(session_project / "s.json"))
    assert "yaml-language-server: $schema=" in written.output
    assert json.loads((session_project / "s.json").read_text())["type"] == "object"


def test_registry_helper_expands_the_default(session_project):
    assert len(find_dynamic_pipelines()["__default__"].nodes) == 30


def test_registry_helper_answers_a_request_for_a_variant(session_project):
    if not hasattr(pipelines, "set_requested"):
        pytest.skip("selective pipeline loading is Kedro >= 1.5")
    pipelines.set_requested(["reviews_predictor.test1"])
    variant = pipelines["reviews_predictor.test1"]
    assert [n.name for n in variant.nodes] == [
        f"reviews_predictor.test1.{n}"
        for n in ("split_data", "train_model", "predict", "evaluate_model")
    ]
    assert pipelines._requested_pipelines == ["reviews_predictor.test1"]  # put back after loading
    pipelines.set_requested(None)


def test_registry_helper_outside_a_project_returns_the_templates(
    tmp_path, monkeypatch, session_project
):
    monkeypatch.chdir(tmp_path)
    found = find_dynamic_pipelines()
    assert "price_predictor" not in found and "data_science" in found


def test_on_node_error_names_the_variant(caplog):
    hook = DynamicPipelinesHook()
    failing = node(lambda x: x, "a", "b", name="train", namespace="ns.v1", tags=["ns", "v1"])
    with caplog.at_level(logging.ERROR):
        hook.on_node_error(ValueError("boom"), failing)
        hook.on_node_error(ValueError("unrelated"), node(lambda x: x, "a", "c", name="plain"))
    assert "Variant 'ns.v1' failed in node 'ns.v1.train': boom." in caplog.text
    assert "kedro run --namespaces ns --only-missing-outputs" in caplog.text
    assert "unrelated" not in caplog.text
