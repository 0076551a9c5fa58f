"""The project around a valid declaration: everything a run reads must resolve."""

from __future__ import annotations

import pytest
from kedro.framework.session import KedroSession

from kedro_dynamic_hooks import ProjectError


def _set_parameters(project, old: str, new: str) -> None:
    params = project / "conf" / "base" / "parameters.yml"
    text = params.read_text()
    assert old in text
    params.write_text(text.replace(old, new, 1))


def _run_refused(project, **selection) -> ProjectError:
    with (
        KedroSession.create(project_path=project) as session,
        pytest.raises(ProjectError) as info,
    ):
        session.run(**selection)
    assert not (project / "ran.json.nodes").exists(), "a node ran before the refusal"
    return info.value


def test_a_global_input_not_listed_under_inputs(session_project):
    _set_parameters(
        session_project,
        "  reviews_predictor:\n    shared: [data_processing]\n    pipelines: [data_science]\n"
        "    inputs: [companies, shuttles, reviews]",
        "  reviews_predictor:\n    shared: [data_processing]\n    pipelines: [data_science]\n"
        "    inputs: [shuttles, reviews]",
    )
    error = _run_refused(session_project, pipeline_names=["reviews_predictor"])
    assert error.path == "dynamic_pipelines.reviews_predictor.inputs"
    assert error.source == "conf/base/parameters.yml"
    assert error.detail == (
        "'reviews_predictor.companies' (read by node 'reviews_predictor.preprocess_companies') "
        "is not found: 'companies' exists globally in the catalog, but namespace "
        "'reviews_predictor' reads its own copy. List 'companies' under "
        "'dynamic_pipelines.reviews_predictor.inputs' to read the global one."
    )


def test_a_variant_alone_without_its_persisted_shared_output(session_project):
    error = _run_refused(session_project, namespaces=["reviews_predictor.test1"])
    assert error.path == "dynamic_pipelines.reviews_predictor.catalog"
    assert error.detail == (
        "'reviews_predictor.model_input_table' is read by node "
        "'reviews_predictor.test1.split_data' but produced by node "
        "'reviews_predictor.create_model_input_table', which 'kedro run --namespaces "
        "reviews_predictor.test1' does not run, and it is not persisted, so there is nothing "
        "to read. Persist it with a catalog template "
        "'dynamic_pipelines.reviews_predictor.catalog.model_input_table' (or a dataset factory "
        "in catalog.yml), or run the whole namespace: 'kedro run --namespaces "
        "reviews_predictor'."
    )


def test_the_same_run_with_the_shared_step_is_not_refused(session_project):
    with KedroSession.create(project_path=session_project) as session:
        outputs = session.run(namespaces=["reviews_predictor"], tags=["test1"])
    assert "reviews_predictor.test1.metrics" in outputs
