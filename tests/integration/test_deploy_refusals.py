"""The deploy writers refuse, before writing anything, what would replace another's file or job."""

from __future__ import annotations

import yaml
from click.testing import CliRunner

from kedro_dynamic_hooks._cli import commands


def invoke(*args):
    return CliRunner().invoke(commands, ["dynamic", *args], catch_exceptions=False)


def test_two_dags_with_one_file_name_are_refused_and_nothing_is_written(demo_session):
    from kedro.framework.project import pipelines
    from kedro.framework.session import KedroSession

    from kedro_dynamic_hooks._deploy.airflow import dag_plans
    from kedro_dynamic_hooks._runtime.service import registered

    with KedroSession.create(project_path=demo_session) as session:
        loader = session.load_context().config_loader
    expansion = registered(loader).expansion
    same = {"a.b": pipelines["models"], "a_b": pipelines["models"]}
    import pytest

    with pytest.raises(ValueError) as refused:
        dag_plans(
            same,
            expansion,
            ["a.b", "a_b"],
            package="pkg",
            env="local",
            folder=demo_session,
            config={},
        )
    assert str(refused.value) == (
        "pipelines 'a.b' and 'a_b' would both be written as 'pkg_a_b_dag.py' (dag id 'pkg-a-b'): "
        "the second would replace the first. Write them one at a time with --target-dir, or "
        "rename one. Nothing was written."
    )


def test_the_dagster_writer_never_silently_replaces_a_job_of_yours(demo_session):
    path = demo_session / "conf" / "local" / "dagster.yml"
    mine = {"jobs": {"{namespace}__dynamic": {"pipeline": {"pipeline_name": "models"}}}}
    path.write_text(yaml.safe_dump(mine))
    refused = invoke("dagster")
    assert refused.exit_code == 1
    assert refused.output == (
        "Error: conf/local/dagster.yml already has a job '{namespace}__dynamic' that is not the "
        "one this command writes. Rename yours, or pass --replace to overwrite it. Nothing was "
        "written.\n"
    )
    assert yaml.safe_load(path.read_text()) == mine
    assert not (demo_session / "src" / "engine_demo" / "dynamic_definitions.py").exists()
    replaced = invoke("dagster", "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert yaml.safe_load(path.read_text())["jobs"]["{namespace}__dynamic"]["pipeline"] == {
        "pipeline_name": "__default__",
        "node_namespaces": ["{namespace}"],
    }
