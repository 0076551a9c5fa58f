"""The Dagster writer's pure part: jobs added to dagster.yml, then kept."""

from __future__ import annotations

import pytest

from kedro_dynamic_hooks._deploy.dagster import read_config, updated_config


def test_dagster_jobs_are_added_then_kept(tmp_path):
    config, added, replaced = updated_config(
        {"jobs": {"default": {"pipeline": {"pipeline_name": "__default__"}}, "ns": {"x": 1}}},
        ["ns", "other"],
        max_concurrent=3,
    )
    assert added == ["other"] and replaced == ["ns"]
    assert config["jobs"]["default"] == {"pipeline": {"pipeline_name": "__default__"}}
    assert config["jobs"]["other"] == {
        "pipeline": {"pipeline_name": "other"},
        "executor": "dynamic_pipelines",
    }
    assert config["executors"] == {"dynamic_pipelines": {"multiprocess": {"max_concurrent": 3}}}
    assert updated_config(config, ["ns", "other"], max_concurrent=5)[1:] == ([], [])
    assert read_config(tmp_path / "missing.yml") == {}
    (tmp_path / "list.yml").write_text("- a\n")
    with pytest.raises(ValueError, match="does not hold a YAML mapping"):
        read_config(tmp_path / "list.yml")
