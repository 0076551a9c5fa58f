"""What a failing node's message advises to re-run, from a loaded project."""

from __future__ import annotations

from kedro.framework.project import pipelines
from kedro.framework.session import KedroSession

from kedro_dynamic_hooks._runtime.advice import failure_advice
from kedro_dynamic_hooks._runtime.runs import Prepared, RunState
from kedro_dynamic_hooks._runtime.service import registered


def test_failure_advice_names_the_variants_first_nodes(session_project, caplog):
    with KedroSession.create(project_path=session_project) as session:
        loader = session.load_context().config_loader
    variant = pipelines["price_predictor.candidate2"]
    run = RunState(variant, {}, Prepared(registered(loader).expansion, loader))
    advice = failure_advice(variant.nodes[1], ValueError("boom"), run)
    assert "'kedro run --from-nodes price_predictor.candidate2.split_data'" in advice


def test_failure_advice_for_a_chain_month_re_runs_every_later_month(sample_session):
    with KedroSession.create(project_path=sample_session) as session:
        loader = session.load_context().config_loader
    failing = next(n for n in pipelines["forecast.m2024_04"].nodes)
    run = RunState(pipelines["forecast"], {}, Prepared(registered(loader).expansion, loader))
    text = failure_advice(failing, ValueError("bad month"), run) or ""
    firsts = [
        n.name
        for month in ("m2024_04", "m2024_05", "m2024_06")
        for n in pipelines[f"forecast.{month}"].nodes
        if not set(n.inputs) & {o for m in pipelines[f"forecast.{month}"].nodes for o in m.outputs}
    ]
    assert f"'kedro run --from-nodes {','.join(firsts)}'" in text
    assert "forecast.m2024_03" not in text.split("--from-nodes")[1]


def test_failure_advice_names_the_variants_unchecked_keys(session_project):
    # A typo under `model_params: {}` reaches the node as an unexpected keyword.
    with KedroSession.create(project_path=session_project) as session:
        loader = session.load_context().config_loader
    expansion = registered(loader).expansion
    run = RunState(pipelines["price_predictor"], {}, Prepared(expansion, loader))
    train = next(n for n in pipelines["price_predictor.candidate2"].nodes if "train" in n.name)
    error = TypeError("Ridge.__init__() got an unexpected keyword argument 'alhpa'")
    text = failure_advice(train, error, run) or ""
    assert (
        "unexpected keyword argument 'alhpa'. Its parameters add keys under an empty base "
        "mapping, which nothing checks for typos: alpha (dynamic_pipelines.price_predictor."
        "variants.candidate2.overrides.model_options.model_params.alpha)." in text
    )
    base = next(iter(pipelines["price_predictor.base"].nodes))
    assert "empty base mapping" not in (failure_advice(base, error, run) or "")


def test_failure_advice_names_a_params_key_added_under_an_empty_mapping(session_project):
    given = {"price_predictor": {"candidate2": {"model_options": {"model_params": {"alpah": 3}}}}}
    with KedroSession.create(project_path=session_project, runtime_params=given) as session:
        loader = session.load_context().config_loader
    run = RunState(pipelines["price_predictor"], {}, Prepared(registered(loader).expansion, loader))
    train = next(n for n in pipelines["price_predictor.candidate2"].nodes if "train" in n.name)
    error = TypeError("Ridge.__init__() got an unexpected keyword argument 'alpah'")
    assert "which nothing checks for typos: alpha, alpah (" in (
        failure_advice(train, error, run) or ""
    )


def test_which_added_keys_reach_which_variant(session_project):
    from kedro_dynamic_hooks._runtime.advice import _applies

    with KedroSession.create(project_path=session_project) as session:
        loader = session.load_context().config_loader
    expansion = registered(loader).expansion
    own = "dynamic_pipelines.price_predictor.variants.candidate2.overrides.model_options.x"
    cases = [
        (own, "price_predictor", "candidate2", True),
        (own, "price_predictor", "base", False),
        ("--params model_options.model_params.x", "reviews_predictor", "test1", True),
        (
            "--params price_predictor.candidate2.model_options.x",
            "price_predictor",
            "candidate2",
            True,
        ),
        (
            "--params price_predictor.candidate2.model_options.x",
            "price_predictor",
            "candidate3",
            False,
        ),
        ("--params price_predictor.report_options.x", "price_predictor", "base", True),
        ("--params price_predictor.report_options.x", "reviews_predictor", "base", False),
        # a matrix key reaches the matrix's combinations, not the named variants
        ("dynamic_pipelines.price_predictor.matrix.parameters.x", "price_predictor", "base", False),
    ]
    assert [_applies(k, expansion, ns, v) for k, ns, v, _ in cases] == [c[3] for c in cases]


def test_root_params_added_under_an_empty_mapping_are_listed(session_project):
    given = {"model_options": {"model_params": {"alph": 1}}}
    with KedroSession.create(project_path=session_project, runtime_params=given) as session:
        loader = session.load_context().config_loader
    expansion = registered(loader).expansion
    assert expansion.runtime_added == ("--params model_options.model_params.alph",)
    assert expansion.added_keys[-1] == "--params model_options.model_params.alph"
