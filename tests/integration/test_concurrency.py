"""Concurrent sessions: each run sees its own parameters and the same expansion."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from kedro.framework.project import pipelines
from kedro.framework.session import KedroSession


def test_service_session_runs_concurrently_with_per_request_params(session_project):
    service = pytest.importorskip(
        "kedro.framework.session.service_session", reason="KedroServiceSession is Kedro >= 1.5"
    )
    session = service.KedroServiceSession.create(project_path=session_project, serving_mode=True)
    sizes = [0.15, 0.25, 0.35, 0.45]

    retries = []

    def run(size: float) -> tuple[float, float]:
        params = {"reviews_predictor": {"test1": {"model_options": {"test_size": size}}}}
        for _ in range(3):
            try:
                result = session.run(namespaces=["reviews_predictor"], runtime_params=params)
                break
            except ValueError as exc:
                # Kedro 1.7's own race under concurrent service-session runs: a
                # raw input of catalog.yml is sometimes missing from the run's
                # catalog. It happens in a plain project without this plugin too
                # (docs/limits.md); our pre-run check then reports it as missing.
                race = ("not found in the DataCatalog", "and has no catalog entry")
                if not any(text in str(exc) for text in race):
                    raise
                retries.append(str(exc))
        return (
            result["reviews_predictor.test1.metrics"].load()["test_size"],
            result["reviews_predictor.base.metrics"].load()["test_size"],
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, sizes * 2))
    assert results == [(size, 0.2) for size in sizes * 2]
    assert len(pipelines["__default__"].nodes) == 30  # expanded once, not once per run
    assert len(retries) < len(sizes * 2), retries


def test_two_sessions_in_threads_do_not_corrupt_each_other(session_project):
    # Kedro's pipeline registry is one per process: sessions that differ in
    # --pipelines race on it (see README, Limits). Selections by namespace and
    # tag share it safely.
    def run(selection: dict[str, list[str]]) -> set[str]:
        with KedroSession.create(project_path=session_project) as session:
            result = session.run(**selection)
        return {name.rsplit(".", 1)[0] for name in result}

    selections = [{"namespaces": ["reviews_predictor"]}, {"tags": ["test1"]}]
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcome = list(pool.map(run, selections * 2))
    assert (
        outcome
        == [
            {"reviews_predictor.base", "reviews_predictor.test1"},
            {"reviews_predictor.test1"},
        ]
        * 2
    )


def test_concurrent_service_session_runs_each_keep_their_records(demo_session):
    # Per-run state keyed by run id and catalog: four runs at once in one
    # process, one hook instance, each leaves its own group's record.
    from kedro_dynamic_hooks._rerun.journal import read_state, state_path

    service = pytest.importorskip(
        "kedro.framework.session.service_session", reason="KedroServiceSession is Kedro >= 1.5"
    )
    with KedroSession.create(project_path=demo_session) as session:
        session.run(namespaces=["models"])  # the shared table, for the variants to read
    journal = state_path(demo_session, None)
    journal.unlink()
    serving = service.KedroServiceSession.create(project_path=demo_session, serving_mode=True)
    variants = ["small", "exact", "large", "tiny"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda v: serving.run(namespaces=[f"models.{v}"]), variants))
    recorded = read_state(journal)
    assert {f"models.{v}" for v in variants} <= set(recorded), sorted(recorded)
    assert all(recorded[f"models.{v}"]["ok"] for v in variants)
