"""``kedro dynamic airflow`` and ``kedro dynamic dagster`` in-process: the files they
write and their one-line errors (the engines run them in tests/e2e/engines)."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner
from helpers import FACTORY, dynamic

from kedro_dynamic_hooks._cli import commands


def _persist_model_input_tables(project: Path) -> None:
    with (project / "conf" / "base" / "catalog.yml").open("a") as file:
        file.write(FACTORY)


def test_airflow_writes_a_dag_with_a_mapped_task_per_namespace(session_project):
    import ast

    _persist_model_input_tables(session_project)
    written = dynamic("airflow")
    assert written.exit_code == 0, written.output
    assert (
        "Wrote airflow_dags/spaceflights_dynamic_dag.py: pipeline '__default__', 4 task(s) "
        "(2 shared, 2 mapped over 6 variants in 6 instances), up to 6 at once." in written.output
    )
    dag = (session_project / "airflow_dags" / "spaceflights_dynamic_dag.py").read_text()
    ast.parse(dag)
    assert 'dag_id="spaceflights-dynamic"' in dag
    # Safe defaults: no schedule, one run at a time, the project where it was written.
    assert "schedule=None," in dag and "max_active_runs=1," in dag
    assert f"project_path = {session_project.resolve().as_posix()!r}" in dag
    assert "Path.cwd()" not in dag
    assert (
        'tasks["price-predictor-variants"] = run_price_predictor_variants.expand(\n'
        "        variants=[['price_predictor.base'], "
        "['price_predictor.candidate1'], ['price_predictor.candidate2'], "
        "['price_predictor.candidate3']]" in dag
    )
    assert 'tasks["price-predictor"] >> tasks["price-predictor-variants"]' in dag
    assert "with selecting(" in dag
    # Parsing the file imports Airflow only: Kedro waits for a task to run.
    top_level = [line for line in dag.splitlines() if line.startswith(("import", "from"))]
    assert top_level == [
        "from __future__ import annotations",
        "from datetime import datetime, timedelta",
        "from airflow.sdk import dag, task",
    ]

    batched = dynamic("airflow", "--batch-size", "2", "--project-path", "/opt/project")
    assert "2 mapped over 6 variants in 3 instances), up to 3 at once" in batched.output
    dag = (session_project / "airflow_dags" / "spaceflights_dynamic_dag.py").read_text()
    assert "project_path = '/opt/project'" in dag
    assert "conf_source = None" in dag  # the project's settings.py decides
    # A relative --conf-source is the project's, wherever a worker starts; URLs stay.
    for given, written in [
        ("conf_prod", "'/opt/project/conf_prod'"),
        ("s3://bucket/conf.tar.gz", "'s3://bucket/conf.tar.gz'"),
        ("/etc/kedro/conf", "'/etc/kedro/conf'"),
    ]:
        dynamic(
            "airflow", "-t", "conf_dags", "--project-path", "/opt/project", "--conf-source", given
        )
        rewritten = (session_project / "conf_dags" / "spaceflights_dynamic_dag.py").read_text()
        assert f"conf_source = {written}" in rewritten
    assert (
        "variants=[['price_predictor.base', 'price_predictor.candidate1'], "
        "['price_predictor.candidate2', 'price_predictor.candidate3']]" in dag
    )

    per_variant = dynamic("airflow", "--tasks", "per-variant")
    assert "8 task(s) (2 shared, 6 variant), up to 6 at once." in per_variant.output, (
        per_variant.output
    )
    dag = (session_project / "airflow_dags" / "spaceflights_dynamic_dag.py").read_text()
    assert "_run_kedro_group(namespaces=['price_predictor.candidate1'])" in dag
    assert 'tasks["reviews-predictor-test1"] = run_reviews_predictor_test1()' in dag
    assert 'tasks["price-predictor"] >> tasks["price-predictor-candidate1"]' in dag
    relative = dynamic("airflow", "--project-path", "opt/project")
    assert relative.exit_code == 2
    assert (
        "Error: --project-path 'opt/project' is relative: give the project's absolute path as "
        "the workers see it (e.g. /opt/project)." in relative.output
    )
    refused = dynamic("airflow", "--tasks", "per-variant", "--batch-size", "3")
    assert refused.exit_code == 2
    assert (
        "Error: --batch-size groups the instances of a mapped task: use it with --tasks mapped."
        in refused.output
    )

    # Airflow's limits: max_active_tasks is 16 unless airflow.yml says otherwise; a
    # namespace's map may be bounded and given a pool.
    (session_project / "conf" / "base" / "airflow.yml").write_text(
        "default: {max_active_tasks: 4, owner: team, schedule: '@daily',"
        " namespaces: {price_predictor: {max_active_tis_per_dagrun: 2, pool: big}}}\n"
    )
    limited = CliRunner().invoke(
        commands, ["dynamic", "airflow", "-p", "price_predictor", "-t", "dags"]
    )
    assert limited.exit_code == 0, limited.output
    assert "Wrote dags/spaceflights_dynamic_price_predictor_dag.py" in limited.output
    assert "up to 2 at once" in limited.output
    one = (session_project / "dags" / "spaceflights_dynamic_price_predictor_dag.py").read_text()
    assert 'dag_id="spaceflights-dynamic-price-predictor"' in one  # its own id
    assert "        max_active_tis_per_dagrun=2,\n        pool='big',\n" in one
    assert "schedule='@daily'," in one
    two = CliRunner().invoke(
        commands, ["dynamic", "airflow", "-t", "dags", "--tasks", "per-variant"]
    )
    assert (
        "Warning: up to 6 task instances can run at once, but Airflow runs at most 4 "
        "(max_active_tasks, per DAG run)." in two.stderr
    )
    assert "Warning: variant tasks run in pool(s) 'big': create them" in two.stderr
    rendered = (session_project / "dags" / "spaceflights_dynamic_dag.py").read_text()
    assert "max_active_tasks=4," in rendered and "owner='team'" in rendered


def test_airflow_renders_kedro_airflows_own_template_too(session_project):
    import ast

    import kedro_airflow

    _persist_model_input_tables(session_project)
    template = Path(kedro_airflow.__file__).parent / "airflow_dag_template.j2"
    result = dynamic("airflow", "--jinja-file", str(template))
    assert result.exit_code == 0, result.output
    # It knows groups only: a task per variant, and the summary says so.
    assert "8 task(s) (2 shared, 6 variant), up to 6 at once." in result.output
    batched = dynamic("airflow", "--jinja-file", str(template), "--batch-size", "2")
    assert batched.exit_code == 2
    assert (
        "Error: --batch-size groups the instances of a mapped task: use it with --tasks mapped "
        "and a template that writes 'tasks'." in batched.output
    )
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


def test_dagster_writes_the_job_factory_and_definitions_that_build_one_namespace(
    session_project,
):
    import ast

    result = dynamic("dagster")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Wrote conf/local/dagster.yml: the job factory '{namespace}__dynamic' gives 2 job(s), "
        "one per namespace (price_predictor, reviews_predictor), named "
        "'local__<namespace>__dynamic'.\n"
        "Wrote src/spaceflights_dynamic/dynamic_definitions.py: each process builds only its "
        "job's namespace. With the project installed (pip install -e .), run a job with: "
        "dagster job execute -m "
        "spaceflights_dynamic.dynamic_definitions -j local__price_predictor__dynamic\n"
    )
    config = yaml.safe_load((session_project / "conf" / "local" / "dagster.yml").read_text())
    assert config["executors"] == {"dynamic_pipelines": {"multiprocess": {"max_concurrent": 4}}}
    assert config["jobs"] == {
        "{namespace}__dynamic": {
            "pipeline": {"pipeline_name": "__default__", "node_namespaces": ["{namespace}"]},
            "executor": "dynamic_pipelines",
        }
    }
    definitions = (
        session_project / "src" / "spaceflights_dynamic" / "dynamic_definitions.py"
    ).read_text()
    ast.parse(definitions)
    assert f"PROJECT_PATH = {session_project.resolve().as_posix()!r}" in definitions
    assert "ENV = 'local'" in definitions and "KEY = 'dynamic_pipelines'" in definitions
    assert "with selecting(pipelines=[namespace]):" in definitions

    again = dynamic("dagster", "--max-concurrent", "2", "--project-path", "/opt/project")
    assert "Executor 'dynamic_pipelines': at most 2 process(es)." in again.output
    config = yaml.safe_load((session_project / "conf" / "local" / "dagster.yml").read_text())
    assert config["executors"]["dynamic_pipelines"] == {"multiprocess": {"max_concurrent": 2}}
    definitions = (
        session_project / "src" / "spaceflights_dynamic" / "dynamic_definitions.py"
    ).read_text()
    assert "PROJECT_PATH = '/opt/project'" in definitions


def test_dagster_refuses_names_kedro_dagster_would_turn_into_others(sample_session):
    # The committed sample's 'experiments' matrix joins its axes with '__'.
    refused = CliRunner().invoke(commands, ["dynamic", "dagster"])
    assert refused.exit_code == 1
    assert refused.output.endswith(
        "Error: kedro-dagster writes '.' as '__' and reads every '__' back as '.', so these "
        "names would not survive it:\n"
        "  namespace 'experiments': its matrix names 6 combination(s) that kedro-dagster rewrites (e.g. "
        "'model_linear__test_size_0p2'): set 'separator: _x_' at "
        "dynamic_pipelines.experiments.matrix.\n"
        "Nothing was written.\n"
    )
    assert not (sample_session / "conf" / "local" / "dagster.yml").exists()


def test_airflow_refuses_a_dag_whose_tasks_could_not_read_each_others_data(session_project):
    # The reference declaration keeps each namespace's model input table in memory.
    in_memory = CliRunner().invoke(commands, ["dynamic", "airflow"])
    assert in_memory.exit_code == 1
    assert in_memory.output == (
        "Error: the tasks of pipeline '__default__' could not read what other tasks write:\n"
        "  'price_predictor.model_input_table' (written by task 'price-predictor', read by "
        "'price-predictor-variants') is kept in memory, which ends with its task: give it a "
        "catalog entry, a catalog template or a dataset factory.\n"
        "  'reviews_predictor.model_input_table' (written by task 'reviews-predictor', read by "
        "'reviews-predictor-variants') is kept in memory, which ends with its task: give it a "
        "catalog entry, a catalog template or a dataset factory.\n"
        "Nothing was written.\n"
    )
    _persist_model_input_tables(session_project)
    (session_project / "conf" / "base" / "airflow.yml").write_text(
        "default: {shared_disk: false}\n"
    )
    refused = CliRunner().invoke(commands, ["dynamic", "airflow", "-p", "price_predictor"])
    assert refused.exit_code == 1
    lines = refused.output.splitlines()
    assert lines[0] == (
        "Error: the tasks of pipeline 'price_predictor' could not read what other tasks write "
        "(airflow.yml: shared_disk: false):"
    )
    assert lines[-1] == "Nothing was written."
    assert lines[1:-1] == [
        "  '{namespace}.model_input_table' ('price_predictor.model_input_table', written by "
        "task 'price-predictor', read by 'price-predictor-variants') is on a local disk "
        "(data/03_primary/price_predictor/model_input_table.parquet), which other workers do "
        "not see: store it on object storage (s3://, gs://, abfs://) or a database."
    ]
    assert not (session_project / "airflow_dags").exists()

    (session_project / "conf" / "base" / "airflow.yml").write_text("default: {shared_disk: 'no'}\n")
    wrong = CliRunner().invoke(commands, ["dynamic", "airflow"])
    assert wrong.output == (
        "Error: 'shared_disk' in conf/<env>/airflow.yml must be true or false, not 'no'.\n"
    )
