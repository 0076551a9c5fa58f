"""``kedro dynamic list``, ``plan``, ``validate`` and ``schema`` in-process, on the
reference declaration (subprocess tests: tests/e2e/test_surfaces.py)."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner
from helpers import FACTORY, dynamic
from kedro.framework.session import KedroSession

from kedro_dynamic_hooks import DeclarationError
from kedro_dynamic_hooks._cli import commands


def test_list_plan_validate_schema_in_process(session_project):
    listed = dynamic("list")
    assert listed.exit_code == 0, listed.output
    assert (
        "reviews_predictor  variants: 2 variant(s), 11 node(s) = 3 shared + 0 collect + 8 per variant"
        in listed.output
    )

    planned = dynamic("plan", "--tags", "test1", "--json")
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

    table = dynamic("plan", "-p", "reviews_predictor.test1")
    assert "4 node(s), in run order" in table.output and "Persisted datasets" in table.output

    out = session_project / "plan.json"
    assert dynamic("plan", "-ns", "price_predictor", "-o", str(out)).exit_code == 0
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
    warned = dynamic("validate")
    assert warned.exit_code == 0
    assert "Runs of one variant or of another pipeline that would fail" in warned.output
    assert f"  {expected}" in warned.output
    refused = CliRunner().invoke(commands, ["dynamic", "validate", "--strict"])
    assert refused.exit_code == 1
    assert f"Error: {expected}" in refused.output
    with (session_project / "conf/base/catalog.yml").open("a") as f:
        f.write(FACTORY)
    validated = dynamic("validate").output
    assert "OK: 2 namespace(s), 6 variant(s), 30 node(s)." in validated
    assert (
        "Keys added under an empty base mapping (allowed, but not checked for typos):" in validated
    )
    assert (
        "  dynamic_pipelines.price_predictor.variants.candidate2.overrides.model_options.model_params.alpha"
        in validated
    )

    assert dynamic("schema", "-o", "-").output.startswith('{\n  "$schema"')
    written = dynamic("schema", "-o", str(session_project / "s.json"))
    assert "yaml-language-server: $schema=" in written.output
    assert json.loads((session_project / "s.json").read_text())["type"] == "object"


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
    planned = dynamic(
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
    planned = dynamic("plan", "--namespaces", "price_predictor.candidate1", "--json")
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
    table = dynamic("plan", "--tags", "candidate1,test1")
    assert (
        "Startup: selective, kedro run with these flags builds 2 of 6 declared variant(s) "
        "(price_predictor: candidate1; reviews_predictor: test1)." in table.output
    )
    shared_only = dynamic("plan", "--nodes", "price_predictor.preprocess_companies")
    assert "builds 4 of 6 declared variant(s) (price_predictor: all)." in shared_only.output
    graph = dynamic("plan", "--from-nodes", "price_predictor.candidate1.split_data")
    assert graph.exit_code == 0, graph.output
    assert (
        "Startup: kedro run with these flags builds every variant (6): --from-nodes, "
        "--to-nodes, --from-inputs and --to-outputs follow the graph." in graph.output
    )
    everything = dynamic("plan")
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
    assert "Did you mean 'reviews_predictor.test1'?" in result.output


def test_commands_open_the_projects_session_class_and_close_it(session_project, monkeypatch):
    from kedro.framework.project import settings

    closed = []

    class RecordingSession(KedroSession):
        def close(self) -> None:
            closed.append(self.session_id)
            super().close()

    monkeypatch.setattr(settings, "SESSION_CLASS", RecordingSession)
    assert dynamic("list").exit_code == 0
    assert len(closed) == 1


def test_plan_groups_lists_the_task_graph(session_project):
    planned = dynamic("plan", "--namespaces", "price_predictor", "--groups", "--json")
    result = json.loads(planned.output[planned.output.index("{") :])
    assert [g["name"] for g in result["groups"]] == [
        "price_predictor",
        *(f"price_predictor.{v}" for v in ("base", "candidate1", "candidate2", "candidate3")),
    ]
    assert result["groups"][1]["dependencies"] == ["price_predictor"]
    table = dynamic("plan", "--groups")
    assert "8 task group(s), the units an orchestrator runs, in dependency order" in table.output
    assert "price_predictor.candidate1" in table.output


def test_plan_folds_long_cells_instead_of_cutting_them_on_a_narrow_terminal(session_project):
    result = CliRunner().invoke(
        commands,
        ["dynamic", "plan", "--namespaces", "price_predictor", "--tags", "candidate2"],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    assert "…" not in result.output  # rich's ellipsis: a cut cell
    assert "Ridge" in result.output and "alpha" in result.output  # folded, not cut
