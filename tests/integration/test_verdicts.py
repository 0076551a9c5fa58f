"""The collision check's passing verdict is kept between runs of an unchanged project."""

from __future__ import annotations

import json

import pytest
from helpers import dynamic
from kedro.framework.session import KedroSession
from kedro.runner import SequentialRunner

from kedro_dynamic_hooks import CollisionError
from kedro_dynamic_hooks._runtime import service
from kedro_dynamic_hooks._runtime.verdicts import FILE, checking_everything


@pytest.fixture
def checks(monkeypatch):
    """Counts the collision checks that really run."""
    ran: list[int] = []
    real = service.check_collisions

    def counted(*args, **kwargs):
        ran.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "check_collisions", counted)
    return ran


class _Idle(SequentialRunner):
    """Starts the run (its hooks fire) and runs no node."""

    def run(self, *args, **kwargs):
        return {}


def _load(project):
    """A run that starts: the verdict of its check is kept from then on."""
    with KedroSession.create(project_path=project) as session:
        session.run(runner=_Idle())


def test_an_unchanged_project_is_checked_once(demo_session, checks):
    _load(demo_session)
    _load(demo_session)
    assert len(checks) == 1
    kept = json.loads((demo_session / "data" / ".dynamic_pipelines" / FILE).read_text())
    assert kept["version"] == 1 and len(kept["passed"]) == 1
    catalog = demo_session / "conf" / "base" / "catalog.yml"
    catalog.write_text(
        catalog.read_text() + "extra:\n  type: json.JSONDataset\n  filepath: x.json\n"
    )
    _load(demo_session)
    assert len(checks) == 2  # the catalog changed
    with checking_everything():
        _load(demo_session)
    assert len(checks) == 3
    assert dynamic("validate").exit_code == 0
    assert len(checks) == 4  # validate always checks


def test_a_run_that_does_not_start_keeps_nothing(demo_session, checks):
    with KedroSession.create(project_path=demo_session) as session:
        session.load_context()  # the check passed, but nothing ran
    _load(demo_session)
    assert len(checks) == 2
    assert (demo_session / "data" / ".dynamic_pipelines" / FILE).exists()


def test_a_failing_check_is_never_kept(demo_session, checks):
    catalog = demo_session / "conf" / "base" / "catalog.yml"
    catalog.write_text(
        catalog.read_text()
        + "clash:\n  type: json.JSONDataset\n  filepath: data/models/table.json\n"
    )
    for _ in range(2):
        with pytest.raises(
            CollisionError, match=r"both resolve to filepath 'data/models/table\.json'"
        ):
            _load(demo_session)
    assert len(checks) == 2
    assert not (demo_session / "data" / ".dynamic_pipelines" / FILE).exists()


def test_an_unwritable_state_folder_keeps_nothing_and_runs(demo_session, checks):
    state = demo_session / "data" / ".dynamic_pipelines"
    state.write_text("a file where the folder would be")  # unwritable, even for root
    _load(demo_session)
    _load(demo_session)
    assert len(checks) == 2 and state.is_file()


def test_a_corrupt_verdict_file_counts_as_none(demo_session, checks):
    state = demo_session / "data" / ".dynamic_pipelines"
    state.mkdir(parents=True)
    (state / FILE).write_text("{not json")
    _load(demo_session)
    _load(demo_session)
    assert len(checks) == 1
