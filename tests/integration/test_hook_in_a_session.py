"""The hook inside a real, in-process KedroSession."""

from __future__ import annotations

import json

from helpers import load_context_error, session_hooks
from kedro.framework.project import pipelines
from kedro.framework.session import KedroSession

from kedro_dynamic_hooks import DeclarationError


def test_programmatic_session_sees_variants_and_is_idempotent(session_project):
    with KedroSession.create(project_path=session_project) as session:
        context = session.load_context()
        params = context.params
        assert (
            params["price_predictor"]["candidate2"]["model_options"].model
            == "sklearn.linear_model.Ridge"
        )
        before = {name: sorted(n.name for n in p.nodes) for name, p in pipelines.items()}
        catalog_before = dict(context.config_loader["catalog"])
        # Fire the hook again on the same context, as kedro-dagster does.
        session_hooks(session).hook.after_context_created(context=context)
        after = {name: sorted(n.name for n in p.nodes) for name, p in pipelines.items()}
        assert before == after
        assert context.config_loader["catalog"] == catalog_before
        assert "price_predictor.candidate3" in after and len(after["__default__"]) == 30


def test_session_run_with_selective_loading(session_project):
    with KedroSession.create(project_path=session_project) as session:
        session.run(pipeline_names=["reviews_predictor"])
    ran = json.loads((session_project / "ran.json").read_text())
    assert len(ran) == 3 + 2 * 4 and all(n.startswith("reviews_predictor.") for n in ran)


def test_another_plugin_reading_params_runs_after_ours(session_project):
    from kedro.framework.hooks import hook_impl

    seen = {}

    class ReadsParams:
        @hook_impl
        def after_context_created(self, context):
            seen["params"] = context.params

    with KedroSession.create(project_path=session_project) as session:
        session_hooks(session).register(ReadsParams())
        session.run(pipeline_names=["reviews_predictor"])
    assert "test1" in seen["params"]["reviews_predictor"]


def test_session_error_names_the_parameters_file(session_project):
    params = session_project / "conf" / "base" / "parameters.yml"
    params.write_text(
        params.read_text().replace("pipelines: [data_science]", "pipelines: [data_sciense]", 1)
    )
    (session_project / "conf" / "local" / "parameters.yml").write_text("other: 1\n")
    error = load_context_error(session_project, DeclarationError)
    assert error.source == "conf/base/parameters.yml"
    assert error.path == "dynamic_pipelines.price_predictor.pipelines"
    assert "Did you mean 'data_science'?" in str(error)


def test_a_namespace_named_like_its_own_template_is_reported_as_such(session_project):
    params = session_project / "conf" / "base" / "parameters.yml"
    params.write_text(params.read_text().replace("  reviews_predictor:", "  data_science:", 1))
    error = load_context_error(session_project, DeclarationError)
    assert error.path == "dynamic_pipelines.data_science"
    assert "namespace 'data_science' has the same name as a registered pipeline" in str(error)
    # The second time in one process too (the first expansion's pipelines are left out).
    again = load_context_error(session_project, DeclarationError)
    assert again.path == "dynamic_pipelines.data_science"


def test_without_a_declaration_the_hook_warns_and_changes_nothing(session_project, caplog):
    (session_project / "conf" / "base" / "parameters.yml").write_text(
        "model_options: {test_size: 0.2}\n"
    )
    with KedroSession.create(project_path=session_project) as session:
        context = session.load_context()
    assert "parameters have no 'dynamic_pipelines' key" in caplog.text
    assert context.config_loader["parameters"] == {"model_options": {"test_size": 0.2}}


def test_keys_added_under_an_empty_mapping_are_named_before_the_first_node(session_project, caplog):
    import logging

    from kedro.framework.session import KedroSession

    with (
        caplog.at_level(logging.INFO),
        KedroSession.create(project_path=session_project) as session,
    ):
        session.run(pipeline_names=["price_predictor"])
    [line] = [r.getMessage() for r in caplog.records if "empty base mapping" in r.getMessage()]
    assert line.startswith(
        "Keys added under an empty base mapping, not checked for typos: "
        "dynamic_pipelines.price_predictor.variants.candidate2.overrides.model_options."
        "model_params.alpha"
    )
    assert "A misspelt one reaches the node as is" in line
    # Said before the first node ran: Kedro logs each node after the warning.
    first = next(i for i, r in enumerate(caplog.records) if "empty base mapping" in r.getMessage())
    completed = [i for i, r in enumerate(caplog.records) if "Completed" in r.getMessage()]
    assert completed and min(completed) > first


def test_the_added_keys_line_stays_short():
    from kedro_dynamic_hooks._runtime.hook import added_keys_warning

    line = added_keys_warning([f"p.k{i}" for i in range(8)])
    assert "p.k0, p.k1, p.k2, p.k3, p.k4 and 3 more." in line


def test_a_run_reads_each_config_group_once_besides_kedros_own_reading(
    session_project, monkeypatch
):
    # Every loader[...] makes Kedro register its OmegaConf resolvers again, which
    # OmegaConf >= 2.4 warns about: one read more than bare Kedro is one warning more.
    from collections import Counter

    from kedro.config import OmegaConfigLoader
    from kedro.framework.session import KedroSession

    reads: Counter[str] = Counter()
    read = OmegaConfigLoader.__getitem__

    def counting(self, key):
        reads[key] += 1
        return read(self, key)

    monkeypatch.setattr(OmegaConfigLoader, "__getitem__", counting)
    with KedroSession.create(project_path=session_project) as session:
        session.run(pipeline_names=["price_predictor"])
    # Kedro's own read of each, and the hook's one reading of the files.
    assert reads["parameters"] == 2, reads
    assert reads["catalog"] == 2, reads
