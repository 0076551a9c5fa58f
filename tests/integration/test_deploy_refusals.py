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


def test_the_dagster_writer_tidies_what_it_wrote_and_warns_of_jobs_that_would_conflict(
    demo_session,
):
    path = demo_session / "conf" / "local" / "dagster.yml"
    earlier = {"pipeline": {"pipeline_name": "models"}, "executor": "dynamic_pipelines"}
    path.write_text(
        yaml.safe_dump(
            {
                "jobs": {
                    "default": {"pipeline": {"pipeline_name": "__default__"}},
                    "models": earlier,  # as an earlier version wrote it
                    "mine": {
                        "pipeline": {"pipeline_name": "__default__", "node_namespaces": ["models"]}
                    },
                }
            }
        )
    )
    result = invoke("dagster")
    assert result.exit_code == 0, result.output
    assert "Removed the job(s) an earlier version wrote: models.\n" in result.output
    assert (
        "Job 'default' (kedro dagster init's): removed (every node of it is in a namespace job).\n"
        in result.output
    )
    assert (
        "Warning: job 'mine' in conf/local/dagster.yml runs nodes of a namespace job too; "
        "Dagster refuses to load two jobs that share a node ('Conflicting definitions'). "
        "Filter it (node_names, node_namespaces) or remove it.\n" in result.output
    )
    assert set(yaml.safe_load(path.read_text())["jobs"]) == {"mine", "{namespace}__dynamic"}


def test_airflow_says_which_namespaces_keep_a_task_per_variant(demo_session):
    result = invoke("airflow")
    assert result.exit_code == 0, result.output
    assert (
        "  'forecast' has a task per variant: its variants read each other's outputs "
        "(a chain runs in order).\n" in result.output
    )


def test_validate_lists_names_kedro_dagster_would_rewrite_when_it_is_installed(
    sample_session, monkeypatch
):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: object() if name == "kedro_dagster" else real(name, *args),
    )
    result = invoke("validate")
    assert result.exit_code == 0, result.output
    assert (
        "Names kedro-dagster (installed here) would turn into others ('__' becomes '.'; "
        "kedro dynamic dagster refuses them):\n"
        "  namespace 'experiments': its matrix names 6 combination(s) that kedro-dagster "
        "rewrites (e.g. 'model_linear__test_size_0p2'): set 'separator: _x_' at "
        "dynamic_pipelines.experiments.matrix.\n" in result.output
    )


def test_the_writers_on_a_table_a_node_writes(demo_session):
    from helpers import demo_with_writer

    demo_with_writer(demo_session, [{"region": "north", "alpha": 1.0}])
    dagster = CliRunner().invoke(commands, ["dynamic", "dagster"])
    assert dagster.exit_code == 0, dagster.output
    assert (
        "Warning: namespace 'models' takes its variants from 'model_table', which node "
        "'list_models' writes: its job has the rows the table has when Dagster loads the code "
        "location, not those written during a run. Run 'kedro run --nodes list_models' "
        "first, then load (or reload) it." in dagster.output
    )
    per_variant = CliRunner().invoke(commands, ["dynamic", "airflow", "--tasks", "per-variant"])
    assert per_variant.exit_code == 1
    assert per_variant.output.startswith(
        "Error: namespace 'models' takes its variants from a table that node 'list_models' "
        "writes: they are known only when the DAG runs"
    )
    assert not (demo_session / "airflow_dags").exists()
    mapped = CliRunner().invoke(commands, ["dynamic", "airflow", "--batch-size", "2"])
    assert mapped.exit_code == 0, mapped.output
    dag = (demo_session / "airflow_dags" / "engine_demo_dag.py").read_text()
    assert "return _variant_batches('models', 2)" in dag
    assert 'variants=tasks["models-rows"]' in dag
    assert 'tasks["list-models"] >> tasks["models-rows"]' in dag


def test_variant_batches_lists_a_table_s_rows_or_says_why_not(demo_session):
    import pytest
    from helpers import demo_with_writer

    from kedro_dynamic_hooks import ProjectError, SelectionError, variant_batches

    demo_with_writer(demo_session, [{"region": n, "alpha": 1.0} for n in ("a", "b", "c")])
    with pytest.raises(ProjectError) as missing:
        variant_batches("models", 2, project_path=str(demo_session))
    assert missing.value.detail == (
        "namespace 'models' takes its variants from 'model_table', which does not exist: "
        "the task that writes it must run (and succeed) first."
    )
    from kedro.framework.session import KedroSession

    with KedroSession.create(project_path=demo_session) as session:
        session.run(node_names=["list_models"])
    assert variant_batches("models", 2, project_path=str(demo_session)) == [
        ["models.a", "models.b"],
        ["models.c"],
    ]
    # A namespace the declaration lacks: the hook's own flag check, with a did-you-mean.
    with pytest.raises(SelectionError) as unknown:
        variant_batches("modles", project_path=str(demo_session))
    assert unknown.value.detail.startswith(
        "no node is in namespace 'modles'. Did you mean 'models'?"
    )
