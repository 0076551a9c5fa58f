"""A run whose journal cannot be written still runs, unrecorded, with one warning."""

from __future__ import annotations

import logging

from kedro.framework.session import KedroSession


def test_an_unwritable_journal_folder_warns_once_and_the_run_completes(demo_session, caplog):
    # Root ignores permission bits, so the folder is made unwritable by a file
    # standing where it should be (a read-only mount gives the same OSError).
    (demo_session / "data" / ".dynamic_pipelines").write_text("not a folder")
    logger = logging.getLogger("kedro.dynamic_hooks")
    logger.addHandler(caplog.handler)  # the project's logging config may not propagate
    try:
        with KedroSession.create(project_path=demo_session) as session:
            session.run()
    finally:
        logger.removeHandler(caplog.handler)
    assert (demo_session / "data" / "models" / "comparison.json").exists()
    # One record (it may reach caplog's handler twice: directly and through root).
    records = {id(r): r for r in caplog.records if "re-run journal" in r.getMessage()}
    warnings = [r.getMessage() for r in records.values()]
    assert len(warnings) == 1, warnings
    assert "Cannot write the re-run journal" in warnings[0]
    assert "this run goes on unrecorded" in warnings[0]
