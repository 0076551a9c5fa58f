"""find_dynamic_pipelines(), the registry helper, in a bootstrapped project."""

from __future__ import annotations

import pytest
from kedro.framework.project import pipelines

from kedro_dynamic_hooks import find_dynamic_pipelines
from kedro_dynamic_hooks._kedro_compat import requested_pipelines


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


def test_a_declaration_without_the_hook_is_named_by_the_helper(session_project, monkeypatch):
    from kedro.framework.project import settings
    from kedro.framework.session import KedroSession

    from kedro_dynamic_hooks import ProjectError

    monkeypatch.setattr(settings, "HOOKS", ())  # settings.py without our hook
    with (
        KedroSession.create(project_path=session_project) as session,
        pytest.raises(ProjectError) as info,
    ):
        session.run(namespaces=["price_predictor"])
    assert str(info.value) == (
        "Dynamic pipelines project check failed at 'HOOKS' (in "
        "src/spaceflights_dynamic/settings.py): the parameters declare 'dynamic_pipelines', "
        "but settings.py does not register the hook, so a run would find the variants' "
        "pipelines without their parameters or datasets. Add to settings.py: 'from "
        "kedro_dynamic_hooks import DynamicPipelinesHook' and 'HOOKS = "
        "(DynamicPipelinesHook(),)' (beside any hooks already there)."
    )


def test_a_hook_a_plugin_registers_through_an_entry_point_is_not_refused(
    session_project, monkeypatch
):
    import importlib.metadata
    from types import SimpleNamespace

    from kedro.framework.project import settings

    plugin = SimpleNamespace(value="their_plugin.hooks:DynamicPipelinesHook", dist=None)
    monkeypatch.setattr(settings, "HOOKS", ())
    monkeypatch.setattr(
        importlib.metadata,
        "entry_points",
        lambda group=None: [plugin] if group == "kedro.hooks" else [],
    )
    assert "price_predictor.base" in find_dynamic_pipelines()
