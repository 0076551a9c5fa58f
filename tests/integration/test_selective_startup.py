"""``kedro run`` builds only what its flags can touch (read from its click context)."""

from __future__ import annotations

import logging
from typing import Any

import click
import pytest
from helpers import kedro_run_context
from kedro.framework.project import pipelines
from kedro.framework.session import KedroSession


def _under_kedro_run(
    command: str = "run", parent: str | None = None, **flags: Any
) -> click.Context:
    return kedro_run_context(command, parent, **flags)


def _run(project, ctx: click.Context | None, **selection: Any) -> tuple[dict[str, Any], set[str]]:
    with KedroSession.create(project_path=project) as session:
        if ctx is None:
            outputs = session.run(**selection)
            params = session.load_context().params
        else:
            with ctx:
                outputs = session.run(**selection)
                params = session.load_context().params
    return params, set(outputs)


def test_a_one_variant_run_builds_only_that_variant(session_project, caplog):
    ctx = _under_kedro_run(namespaces=["reviews_predictor"], tags=["test1"])
    with caplog.at_level(logging.INFO, logger="kedro.dynamic_hooks"):
        params, outputs = _run(
            session_project, ctx, namespaces=["reviews_predictor"], tags=["test1"]
        )
    assert "(only what this run's selection can touch)" in caplog.text
    assert set(params["reviews_predictor"]) >= {"test1"}
    assert "base" not in params["reviews_predictor"]
    assert "price_predictor" not in params
    assert "price_predictor.candidate1" not in pipelines
    assert outputs == {"reviews_predictor.test1.metrics"}
    _, full = _run(session_project, None, namespaces=["reviews_predictor"], tags=["test1"])
    assert outputs == full


@pytest.mark.parametrize(
    ("ctx", "why"),
    [
        (
            _under_kedro_run(namespaces=["reviews_predictor"], to_outputs=["x"]),
            "--to-outputs follows the graph",
        ),
        (_under_kedro_run(parent="viz", namespaces=["reviews_predictor"]), "kedro viz run"),
        (None, "KedroSession.run from Python"),
    ],
    ids=["to-outputs", "viz-run", "python"],
)
def test_what_cannot_be_mapped_builds_everything(session_project, caplog, ctx, why):
    # The hook reads the flags from the context; the run itself selects a namespace.
    with caplog.at_level(logging.INFO, logger="kedro.dynamic_hooks"):
        params, _ = _run(session_project, ctx, namespaces=["reviews_predictor"])
    assert "(only what this run's selection can touch)" not in caplog.text, why
    assert {"base", "test1"} <= set(params["reviews_predictor"])
    assert "candidate3" in params["price_predictor"]


def test_selecting_tells_the_hook_what_a_python_run_selects(session_project, caplog):
    from kedro_dynamic_hooks import selecting

    with (
        caplog.at_level(logging.INFO, logger="kedro.dynamic_hooks"),
        selecting(namespaces=["reviews_predictor"], tags=["test1"]),
        KedroSession.create(project_path=session_project) as session,
    ):
        outputs = session.run(namespaces=["reviews_predictor"], tags=["test1"])
        params = session.load_context().params
    assert "(only what this run's selection can touch)" in caplog.text
    assert set(outputs) == {"reviews_predictor.test1.metrics"}
    assert "base" not in params["reviews_predictor"]


def test_a_python_run_that_selects_more_than_announced_is_refused(session_project):
    from kedro_dynamic_hooks import ProjectError, selecting

    with (
        selecting(namespaces=["reviews_predictor.test1"]),
        KedroSession.create(project_path=session_project) as session,
        pytest.raises(ProjectError) as info,
    ):
        session.run(namespaces=["reviews_predictor"])
    assert info.value.detail == (
        "'kedro run --namespaces reviews_predictor' selects reviews_predictor, but only the "
        "variants announced with selecting(...) were built. Give selecting(...) the same "
        "selection as the run."
    )
    assert not (session_project / "ran.json.nodes").exists()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            {"tags": ["candidat1"]},
            "Nothing to run at '--tags': no node carries the tag 'candidat1'. Did you mean "
            "'candidate1'?",
        ),
        (
            {"namespaces": ["price_predictor.candidat1"]},
            "Nothing to run at '--namespaces': no node is in namespace "
            "'price_predictor.candidat1'. Did you mean 'price_predictor.candidate1'?",
        ),
        (
            {"pipelines": ["price_predictor.candidat1"]},
            "Nothing to run at '--pipelines': 'price_predictor.candidat1' is not a registered "
            "pipeline. Did you mean 'price_predictor.candidate1'?",
        ),
    ],
    ids=["tags", "namespaces", "pipelines"],
)
def test_a_typo_in_kedro_runs_flags_is_refused_before_kedro_looks(session_project, flags, message):
    from kedro_dynamic_hooks import SelectionError

    run = {"pipeline_names" if k == "pipelines" else k: v for k, v in flags.items()}
    with (
        KedroSession.create(project_path=session_project) as session,
        _under_kedro_run(**flags),
        pytest.raises(SelectionError) as info,
    ):
        session.run(**run)
    assert str(info.value).startswith(message)
    assert isinstance(info.value, click.ClickException)  # one line under the CLI
    assert not (session_project / "ran.json.nodes").exists()


def test_a_tag_typo_beside_a_real_tag_warns_and_runs_the_rest(session_project, caplog):
    flags = {"tags": ["test1", "candidat1"]}
    with caplog.at_level(logging.WARNING, logger="kedro.dynamic_hooks"):
        _, outputs = _run(session_project, _under_kedro_run(**flags), **flags)
    assert "--tags candidat1: no node carries it. Did you mean 'candidate1'?" in caplog.text
    assert outputs == {"reviews_predictor.test1.metrics"}


def test_a_pipeline_another_hook_adds_is_found_and_that_hook_sees_the_variants(
    session_project, monkeypatch
):
    from kedro.framework.hooks import hook_impl
    from kedro.framework.project import settings

    seen = []

    class AddsAPipeline:
        @hook_impl
        def after_context_created(self, context):
            seen.append("price_predictor.candidate1" in pipelines)  # ours ran first
            pipelines["extra"] = pipelines["reviews_predictor"]

    monkeypatch.setattr(settings, "HOOKS", (*settings.HOOKS, AddsAPipeline()))
    flags = {"pipelines": ["extra"]}
    with KedroSession.create(project_path=session_project) as session, _under_kedro_run(**flags):
        outputs = session.run(pipeline_names=["extra"])
    assert seen == [True]
    assert "reviews_predictor.test1.metrics" in outputs  # it ran


def test_a_projects_own_run_command_gets_a_warning_not_a_refusal(session_project, caplog):
    def own_run(**kwargs):  # a project's cli.py `run`, which may rewrite its flags
        raise AssertionError("not called")

    ctx = kedro_run_context(own_run=own_run, tags=["candidat1"])
    with (
        caplog.at_level(logging.WARNING, logger="kedro.dynamic_hooks"),
        KedroSession.create(project_path=session_project) as session,
        ctx,
        pytest.raises(ValueError, match="Pipeline contains no nodes") as info,
    ):
        session.run(tags=["candidat1"])  # Kedro decides, as without the plugin
    assert not isinstance(info.value, click.ClickException)
    assert (
        "Nothing to run at '--tags': no node carries the tag 'candidat1'. Did you mean "
        "'candidate1'?" in caplog.text
    )
    assert "(this project's own 'run' may change the flags)" in caplog.text
