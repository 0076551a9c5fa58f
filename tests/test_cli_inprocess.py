"""``kedro dynamic`` and the registry helper in-process (fast tier; subprocess tests in test_surfaces)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner
from helpers import FACTORY, SAMPLE
from kedro.framework.project import pipelines
from kedro.framework.session import KedroSession
from kedro.pipeline import node

from kedro_dynamic_hooks import DeclarationError, DynamicPipelinesHook, find_dynamic_pipelines
from kedro_dynamic_hooks._cli import commands
from kedro_dynamic_hooks._declaration.schema import parameters_schema
from kedro_dynamic_hooks._kedro_compat import requested_pipelines


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

    table = invoke("plan", "-p", "reviews_predictor.test1")
    assert "4 node(s), in run order" in table.output and "Persisted datasets" in table.output

    out = session_project / "plan.json"
    assert invoke("plan", "-ns", "price_predictor", "-o", str(out)).exit_code == 0
    assert len(json.loads(out.read_text())["nodes"]) == 19

    missing = CliRunner().invoke(commands, ["dynamic", "plan", "--pipelines", "nope"])
    assert missing.exit_code == 1 and "Unknown pipeline(s): nope." in missing.output

    # kedro run --pipelines price_predictor.base would find no model_input_table:
    # a warning, and an error with --strict.
    expected = (
        "Dynamic pipelines project check failed at "
        "'dynamic_pipelines.price_predictor.catalog' (in conf/base/parameters.yml): "
        "'price_predictor.model_input_table' is read by node 'price_predictor.base.split_data' "
        "but produced by node 'price_predictor.create_model_input_table', which 'kedro run "
        "--pipelines price_predictor.base' does not run, and it is not persisted, so there is "
        "nothing to read. Persist it with a catalog template "
        "'dynamic_pipelines.price_predictor.catalog.model_input_table' (or a dataset factory in "
        "catalog.yml), or run the whole namespace: 'kedro run --namespaces price_predictor'."
    )
    warned = invoke("validate")
    assert warned.exit_code == 0
    assert "Runs of one variant or of another pipeline that would fail" in warned.output
    assert f"  {expected}" in warned.output
    refused = CliRunner().invoke(commands, ["dynamic", "validate", "--strict"])
    assert refused.exit_code == 1
    assert f"Error: {expected}" in refused.output
    with (session_project / "conf/base/catalog.yml").open("a") as f:
        f.write(FACTORY)
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
    assert requested_pipelines() == ["reviews_predictor.test1"]  # put back after loading
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
        # Outside a run the hook knows no expansion: it names the failing node itself.
        hook.on_node_error(ValueError("boom"), failing, catalog=object(), run_id="r1")
        hook.on_node_error(
            ValueError("unrelated"),
            node(lambda x: x, "a", "c", name="plain"),
            catalog=object(),
            run_id="r1",
        )
    assert "Variant 'ns.v1' failed in node 'ns.v1.train': boom." in caplog.text
    assert (
        "After fixing it, 'kedro dynamic run --stale' re-runs exactly what is stale: this "
        "variant, what reads its outputs, and what this run did not reach. By hand: " in caplog.text
    )
    # Without an expansion at hand it names the failing node itself.
    assert (
        "re-run this variant and what depends on it with 'kedro run --from-nodes ns.v1.train'"
        in caplog.text
    )
    assert "unrelated" not in caplog.text


def test_committed_sample_schema_is_current():
    committed = json.loads((SAMPLE / "dynamic_pipelines.schema.json").read_text())
    assert committed == parameters_schema(), "run 'kedro dynamic schema' in sample_project"


def _break_two_namespaces(project) -> None:
    params = project / "conf" / "base" / "parameters.yml"
    text = params.read_text()
    text = text.replace(
        "    variants:\n      base: {}\n      candidate1:",
        "    varients:\n      base: {}\n      candidate1:",
        1,
    )
    text = text.replace(
        "pipelines: [data_science]\n    inputs: [companies, shuttles, reviews]\n    overrides:\n      model_options:\n        target: review_scores_rating",
        "pipelines: data_science\n    inputs: [companies, shuttles, reviews]\n    overrides:\n      model_options:\n        target: review_scores_rating",
        1,
    )
    params.write_text(text)


def test_validate_lists_every_schema_problem_at_once(session_project):
    _break_two_namespaces(session_project)
    result = CliRunner().invoke(commands, ["dynamic", "validate"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert not [line for line in lines if "more problem(s)" in line]
    assert lines[0].startswith(
        "Error: Invalid dynamic pipelines declaration at "
        "'dynamic_pipelines.price_predictor.varients' (in conf/base/parameters.yml): "
        "unknown key 'varients'."
    )
    assert "'dynamic_pipelines.reviews_predictor.pipelines'" in lines[1]
    assert "expected a list, got str 'data_science'." in lines[1]
    assert lines[-1] == "Error: 2 problem(s) found."


def test_run_stops_at_the_first_problem_and_counts_the_others(session_project):
    _break_two_namespaces(session_project)
    with (
        KedroSession.create(project_path=session_project) as session,
        pytest.raises(DeclarationError) as info,
    ):
        session.load_context()
    error = info.value
    assert isinstance(error, click.ClickException)  # the Kedro CLI prints one line, exits 1
    assert isinstance(error.__cause__, DeclarationError)  # chained to the original
    assert len(error.errors) == 2
    assert str(error).endswith("(and 1 more problem(s); 'kedro dynamic validate' lists them all)")


def test_plan_takes_params_and_shows_project_relative_paths(session_project):
    planned = invoke(
        "plan",
        "--tags",
        "test1",
        "--params",
        "reviews_predictor.test1.model_options.test_size=0.4",
        "--json",
    )
    assert planned.exit_code == 0, planned.output
    result = json.loads(planned.output[planned.output.index("{") :])
    assert result["parameters"]["reviews_predictor.test1"]["model_options.test_size"] == [0.2, 0.4]
    assert result["datasets"]["companies"] == "data/01_raw/companies.csv"
    assert all(not path.startswith("/") for path in result["datasets"].values())


def test_plan_says_whether_the_startup_is_selective_and_why(session_project):
    planned = invoke("plan", "--namespaces", "price_predictor.candidate1", "--json")
    assert planned.exit_code == 0, planned.output
    result = json.loads(planned.output[planned.output.index("{") :])
    assert result["startup"] == {
        "selective": True,
        "built": {"price_predictor": ["candidate1"]},
        "variants_built": 1,
        "variants_declared": 6,
        "reason": "",
        "notes": [],
    }
    table = invoke("plan", "--tags", "candidate1,test1")
    assert (
        "Startup: selective, kedro run with these flags builds 2 of 6 declared variant(s) "
        "(price_predictor: candidate1; reviews_predictor: test1)." in table.output
    )
    shared_only = invoke("plan", "--nodes", "price_predictor.preprocess_companies")
    assert "builds 4 of 6 declared variant(s) (price_predictor: all)." in shared_only.output
    graph = invoke("plan", "--from-nodes", "price_predictor.candidate1.split_data")
    assert graph.exit_code == 0, graph.output
    assert (
        "Startup: kedro run with these flags builds every variant (6): --from-nodes, "
        "--to-nodes, --from-inputs and --to-outputs follow the graph." in graph.output
    )
    everything = invoke("plan")
    assert (
        "builds every variant (6): the run selects no pipeline, namespace, tag or node of the "
        "declaration." in everything.output
    )


def test_validate_checks_params_too(session_project):
    result = CliRunner().invoke(
        commands, ["dynamic", "validate", "--params", "reviews_predictor.test2.x=1"]
    )
    assert result.exit_code == 1
    assert "--params targets 'reviews_predictor.test2', which does not exist." in result.output
    assert "Did you mean 'test1'?" in result.output


def test_commands_open_the_projects_session_class_and_close_it(session_project, monkeypatch):
    from kedro.framework.project import settings

    closed = []

    class RecordingSession(KedroSession):
        def close(self) -> None:
            closed.append(self.session_id)
            super().close()

    monkeypatch.setattr(settings, "SESSION_CLASS", RecordingSession)
    assert invoke("list").exit_code == 0
    assert len(closed) == 1


def test_failure_advice_names_the_variants_first_nodes(session_project, caplog):
    from kedro_dynamic_hooks._runtime.advice import failure_advice
    from kedro_dynamic_hooks._runtime.runs import Prepared, RunState
    from kedro_dynamic_hooks._runtime.service import registered

    with KedroSession.create(project_path=session_project) as session:
        loader = session.load_context().config_loader
    variant = pipelines["price_predictor.candidate2"]
    run = RunState(variant, {}, Prepared(registered(loader).expansion, loader))
    advice = failure_advice(variant.nodes[1], ValueError("boom"), run)
    assert "'kedro run --from-nodes price_predictor.candidate2.split_data'" in advice


def test_relative_paths_never_crash_on_foreign_spellings():
    from kedro_dynamic_hooks._checks.catalog_index import shown_path as _shown

    assert _shown("/p/data/x.csv", "/p") == "data/x.csv"
    assert _shown("/elsewhere/x.csv", "/p") == "/elsewhere/x.csv"
    assert _shown("s3://bucket/x.csv", "/p") == "s3://bucket/x.csv"
    assert _shown("/mnt/x.csv", "C:/Users/me/proj") == "/mnt/x.csv"


def test_plan_groups_lists_the_task_graph(session_project):
    planned = invoke("plan", "--namespaces", "price_predictor", "--groups", "--json")
    result = json.loads(planned.output[planned.output.index("{") :])
    assert [g["name"] for g in result["groups"]] == [
        "price_predictor",
        *(f"price_predictor.{v}" for v in ("base", "candidate1", "candidate2", "candidate3")),
    ]
    assert result["groups"][1]["dependencies"] == ["price_predictor"]
    table = invoke("plan", "--groups")
    assert "8 task group(s), one orchestrator task each, in dependency order" in table.output
    assert "price_predictor.candidate1" in table.output


def test_airflow_writes_a_dag_with_one_task_per_group(session_project):
    import ast

    written = invoke("airflow")
    assert written.exit_code == 0, written.output
    assert (
        "Wrote airflow_dags/spaceflights_dynamic_dag.py: pipeline '__default__', 8 task(s) "
        "(2 shared, 6 variant), up to 6 at once." in written.output
    )
    dag = (session_project / "airflow_dags" / "spaceflights_dynamic_dag.py").read_text()
    ast.parse(dag)
    assert 'dag_id="spaceflights-dynamic"' in dag
    assert '_run_kedro_group(namespaces=["price_predictor.candidate1"])' in dag
    assert '"reviews-predictor-test1": run_reviews_predictor_test1(),' in dag
    assert 'tasks["price-predictor"] >> tasks["price-predictor-candidate1"]' in dag
    assert "with selecting(" in dag

    # Airflow's defaults: max_active_tasks is 16 unless airflow.yml says otherwise.
    (session_project / "conf" / "base" / "airflow.yml").write_text(
        "default: {max_active_tasks: 4, owner: team}\n"
    )
    limited = CliRunner().invoke(
        commands, ["dynamic", "airflow", "-p", "price_predictor", "-t", "dags"]
    )
    assert limited.exit_code == 0, limited.output
    assert "Wrote dags/spaceflights_dynamic_price_predictor_dag.py" in limited.output
    one = (session_project / "dags" / "spaceflights_dynamic_price_predictor_dag.py").read_text()
    assert 'dag_id="spaceflights-dynamic-price-predictor"' in one  # its own id
    assert (
        "Warning: up to 4 tasks can run at once, but Airflow runs at most 4" not in limited.stderr
    )
    two = CliRunner().invoke(commands, ["dynamic", "airflow", "-t", "dags"])
    assert (
        "Warning: up to 6 tasks can run at once, but Airflow runs at most 4 tasks of a DAG run "
        "at a time (max_active_tasks)." in two.stderr
    )
    rendered = (session_project / "dags" / "spaceflights_dynamic_dag.py").read_text()
    assert "max_active_tasks=4," in rendered and 'owner="team"' in rendered


def test_airflow_renders_kedro_airflows_own_template_too(session_project):
    import ast

    import kedro_airflow

    template = Path(kedro_airflow.__file__).parent / "airflow_dag_template.j2"
    result = invoke("airflow", "--jinja-file", str(template))
    assert result.exit_code == 0, result.output
    dag = (session_project / "airflow_dags" / "spaceflights_dynamic_dag.py").read_text()
    ast.parse(dag)
    assert '_run_kedro_node(namespaces=["price_predictor.candidate1"])' in dag
    assert '_run_kedro_node(node_names=["price_predictor.preprocess_companies"' in dag


def test_airflow_and_dagster_errors_are_one_line(session_project):
    unknown = CliRunner().invoke(commands, ["dynamic", "airflow", "-p", "price_predicter"])
    assert unknown.exit_code == 1
    assert unknown.output == (
        "Error: Unknown pipeline 'price_predicter'. Namespaces: price_predictor, "
        "reviews_predictor; '__default__' holds every one. Did you mean 'price_predictor'?\n"
    )
    (session_project / "conf" / "local" / "dagster.yml").write_text("- not a mapping\n")
    broken = CliRunner().invoke(commands, ["dynamic", "dagster"])
    assert broken.exit_code == 1
    assert broken.output.startswith("Error: Cannot read ")
    assert broken.output.endswith("dagster.yml does not hold a YAML mapping.\n")


def test_dagster_writes_one_job_per_namespace(session_project):
    result = invoke("dagster")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "Wrote conf/local/dagster.yml: 2 job(s), one per namespace (price_predictor, "
        "reviews_predictor); 2 added, 0 replaced. kedro-dagster names them "
        "'local__<namespace>'.\nThe file was new. kedro-dagster also needs definitions.py: "
        "run 'kedro dagster init' (it rewrites dagster.yml), then this command again."
    )
    config = yaml.safe_load((session_project / "conf" / "local" / "dagster.yml").read_text())
    assert config["executors"] == {"dynamic_pipelines": {"multiprocess": {"max_concurrent": 4}}}
    assert set(config["jobs"]) == {"price_predictor", "reviews_predictor"}
    again = invoke("dagster", "--max-concurrent", "2")
    assert "0 added, 0 replaced" in again.output
    assert "Executor 'dynamic_pipelines': at most 2 process(es)." in again.output
    config = yaml.safe_load((session_project / "conf" / "local" / "dagster.yml").read_text())
    assert config["executors"]["dynamic_pipelines"] == {"multiprocess": {"max_concurrent": 2}}


def _json_rows(output: str) -> list[dict[str, Any]]:
    """The JSON list a command printed (Kedro may log lines before it)."""
    start = output.index("[\n") if output.startswith("[\n") else output.index("\n[\n") + 1
    rows: list[dict[str, Any]] = json.loads(output[start:])
    return rows


def _run_demo(**selection: Any) -> None:
    with KedroSession.create() as session:
        session.run(**selection)


def test_status_run_stale_and_compare_in_process(demo_session):
    rows = _json_rows(invoke("status", "--json").output)
    assert all(r["reasons"][0] == "never run" for r in rows) and len(rows) == 9

    _run_demo()
    assert "0 of 9 group(s) stale." in invoke("status").output
    params = demo_session / "conf" / "base" / "parameters.yml"
    params.write_text(params.read_text().replace("alpha: 0.25", "alpha: 0.3"))
    status = invoke("status", "-ns", "models")
    assert "parameters changed (options.alpha)" in status.output
    assert (
        "2 of 6 group(s) stale. 'kedro dynamic run --stale --namespaces models' runs them."
        in status.output
    )
    assert "1 of 2 group(s) stale." in invoke("status", "--tags", "tiny").output  # + shared
    assert "0 of 3 group(s) stale." in invoke("status", "-t", "m1,small").output
    dry = invoke("run", "--stale", "--dry-run", "--params", "size=20", "-r", "SequentialRunner")
    assert "2 of 9 task group(s) stale: models.tiny, models.collect." in dry.output
    assert (
        "kedro run --nodes models.tiny.fit,models.tiny.score,models.compare --params size=20 "
        "--runner SequentialRunner" in dry.output
    )
    wrong = CliRunner().invoke(commands, ["dynamic", "run", "--stale", "-r", "FastRunner"])
    assert wrong.exit_code == 1
    assert wrong.output.splitlines()[-1].startswith("Error: Unknown runner 'FastRunner': ")
    ran = invoke("run", "--stale")
    assert ran.exit_code == 0, ran.output
    assert "0 of 9 group(s) stale." in invoke("status").output
    assert "Nothing is stale: 9 task group(s) up to date." in invoke("run", "--stale").output

    csv_out = invoke("compare", "metrics", "-ns", "forecast", "--format", "csv", "--sort", "mae")
    assert csv_out.exit_code == 0, csv_out.output
    lines = csv_out.output[csv_out.output.index("variant,") :].splitlines()
    assert lines[0] == "variant,mae" and len(lines) == 4
    table = invoke("compare", "metrics", "-ns", "models.small")
    assert "models.small │ 9.5" in table.output  # alpha 0.5: the mean of x over 0..19
    missing = CliRunner().invoke(commands, ["dynamic", "compare", "nope"])
    assert missing.exit_code == 1
    assert (
        "Error: No variant has a persisted dataset 'nope'. Persisted per-variant datasets: "
        "metrics, state." in missing.output
    )
    bad_sort = CliRunner().invoke(commands, ["dynamic", "compare", "metrics", "--sort", "x"])
    assert "Error: no column 'x' to sort by. Columns: mae." in bad_sort.output
    unknown = CliRunner().invoke(commands, ["dynamic", "status", "-ns", "nope"])
    assert unknown.exit_code == 1 and "matches no task group" in unknown.output
    missing_env = CliRunner().invoke(commands, ["dynamic", "status", "--env", "prod"])
    assert missing_env.output.endswith(
        "Error: No configuration environment 'prod': conf/prod does not exist.\n"
    )
    bare = CliRunner().invoke(commands, ["dynamic", "run"])
    assert bare.exit_code == 2 and "add --stale" in bare.output


def test_a_failing_run_records_the_failed_group(demo_session):
    params = demo_session / "conf" / "base" / "parameters.yml"
    params.write_text(params.read_text().replace("alpha: 0.25", "alpha: boom"))
    with pytest.raises(TypeError):
        _run_demo(namespaces=["models"])
    params.write_text(params.read_text().replace("alpha: boom", "alpha: 0.25"))
    rows = _json_rows(invoke("status", "--json").output)
    tiny = next(r for r in rows if r["group"] == "models.tiny")
    assert tiny["reasons"] == ["last run failed"]


@pytest.mark.parametrize("runner", ["ParallelRunner", "ThreadRunner"])
def test_parallel_runs_record_their_groups(demo_session, runner):
    from kedro import runner as runners

    _run_demo(namespaces=["models"], runner=getattr(runners, runner)(max_workers=2))
    status = invoke("status", "-ns", "models")
    assert "0 of 6 group(s) stale." in status.output
