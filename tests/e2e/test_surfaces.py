"""Every Kedro surface sees the variants, and the ``kedro dynamic`` commands."""

from __future__ import annotations

import json

import pytest
import yaml
from helpers import REFERENCE, Project


@pytest.fixture(scope="module")
def project(reference_project: Project) -> Project:
    """The module's copy of the reference project (tests/conftest.py)."""
    return reference_project


def _yaml_after(output: str, first_line: str):
    return yaml.safe_load(output[output.index(first_line) :])


def test_registry_list_shows_namespaces_and_variants_without_hooks(project):
    listed = _yaml_after(project.kedro("registry", "list").stdout, "- __default__")
    for name in (
        "price_predictor",
        "price_predictor.candidate3",
        "reviews_predictor.test1",
        "data_science",
    ):
        assert name in listed


def test_registry_describe_a_namespace_and_a_variant(project):
    variant = _yaml_after(
        project.kedro("registry", "describe", "price_predictor.candidate1").stdout, "Nodes:"
    )
    assert variant["Nodes"] == [
        f"price_predictor.candidate1.{n} ({n})"
        for n in ("split_data", "train_model", "predict", "evaluate_model")
    ]
    namespace = _yaml_after(
        project.kedro("registry", "describe", "price_predictor").stdout, "Nodes:"
    )
    assert len(namespace["Nodes"]) == 19
    default = _yaml_after(project.kedro("registry", "describe").stdout, "Nodes:")
    assert len(default["Nodes"]) == 30


def test_catalog_resolve_patterns_includes_factory_datasets(project):
    out = project.kedro("catalog", "resolve-patterns").stdout
    resolved = _yaml_after(out, "price_predictor.") if "price_predictor." in out else {}
    assert resolved["price_predictor.model_input_table"]["filepath"].endswith(
        "data/03_primary/price_predictor/model_input_table.parquet"
    )
    assert resolved["reviews_predictor.model_input_table"]["type"] == "pandas.ParquetDataset"


def test_catalog_list_patterns(project):
    out = project.kedro("catalog", "list-patterns").stdout
    assert "{namespace}.model_input_table" in out


def test_dynamic_list(project):
    out = project.kedro("dynamic", "list").stdout
    assert (
        "price_predictor  variants: 4 variant(s), 19 node(s) = 3 shared + 0 collect + 16 per variant"
        in out
    )
    assert "2. test1  4 node(s)  (tags: reviews_predictor, test1)" in out


def test_dynamic_plan_json(project):
    plan = project.path / "plan.json"
    project.kedro(
        "dynamic",
        "plan",
        "--namespaces",
        "price_predictor",
        "--tags",
        "candidate2",
        "-o",
        str(plan),
    )
    result = json.loads(plan.read_text())
    assert len(result["nodes"]) == 7
    assert result["nodes"][:3] == [
        "price_predictor.preprocess_companies",
        "price_predictor.preprocess_shuttles",
        "price_predictor.create_model_input_table",
    ]
    assert result["parameters"] == {
        "price_predictor.candidate2": {
            "model_options.model": [
                "sklearn.linear_model.LinearRegression",
                "sklearn.linear_model.Ridge",
            ],
            "model_options.model_params.alpha": [None, 2.5],
        }
    }
    assert result["datasets"]["price_predictor.candidate2.regressor"].endswith(
        "data/06_models/price_predictor/candidate2/regressor.pickle"
    )
    assert "price_predictor.base.regressor" not in result["datasets"]


def test_dynamic_plan_table(project):
    out = project.kedro("dynamic", "plan", "--pipelines", "reviews_predictor.test1").stdout
    assert "4 node(s), in run order" in out
    assert "model_options.test_size" in out


def test_dynamic_plan_unknown_pipeline(project):
    result = project.kedro("dynamic", "plan", "--pipelines", "nope", check=False)
    assert result.returncode == 1
    assert "Error: Unknown pipeline(s): nope." in result.stderr


def test_dynamic_validate_ok_and_error(project, make_project):
    assert (
        "OK: 2 namespace(s), 6 variant(s), 30 node(s)."
        in project.kedro("dynamic", "validate").stdout
    )
    bad = make_project(
        REFERENCE.replace("pipelines: [data_science]", "pipelines: [data_sciense]", 1)
    )
    result = bad.kedro("dynamic", "validate", check=False)
    assert result.returncode == 1
    assert (
        "Error: Invalid dynamic pipelines declaration at 'dynamic_pipelines.price_predictor.pipelines' "
        "(in conf/base/parameters.yml): unknown pipeline 'data_sciense'." in result.stderr
    )


def test_dynamic_schema_describes_the_declaration(project, tmp_path):
    target = tmp_path / "schema.json"
    project.kedro("dynamic", "schema", "-o", str(target))
    schema = json.loads(target.read_text())
    assert (
        schema["properties"]["dynamic_pipelines"]["additionalProperties"]["$ref"]
        == "#/$defs/NamespaceSpec"
    )
    assert set(schema["$defs"]["NamespaceSpec"]["properties"]) >= {
        "pipelines",
        "shared",
        "variants",
        "matrix",
        "chain",
        "collect",
        "catalog",
    }
    assert schema["$defs"]["NamespaceSpec"]["additionalProperties"] is False


def test_dynamic_group_only_inside_a_project(tmp_path):
    import os
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "kedro", "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "KEDRO_DISABLE_TELEMETRY": "1"},
    ).stdout
    assert "dynamic" not in out


def test_dynamic_commands_explain_a_missing_hook_or_declaration(make_project):
    no_hook = make_project()
    settings = no_hook.path / "src/spaceflights_dynamic/settings.py"
    settings.write_text(
        settings.read_text().replace("HOOKS = (DynamicPipelinesHook(),)", "HOOKS = ()")
    )
    result = no_hook.kedro("dynamic", "list", check=False)
    assert result.returncode == 1
    assert "Error: DynamicPipelinesHook is not in settings.HOOKS" in result.stderr

    (no_hook.path / "conf/base/parameters.yml").write_text("model_options: {test_size: 0.2}\n")
    settings.write_text(
        settings.read_text().replace("HOOKS = ()", "HOOKS = (DynamicPipelinesHook(),)")
    )
    result = no_hook.kedro("dynamic", "validate", check=False)
    assert result.returncode == 1
    assert "Error: The parameters have no 'dynamic_pipelines' declaration." in result.stderr
