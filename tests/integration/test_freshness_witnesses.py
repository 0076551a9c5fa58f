"""The freshness oracle, fast subset: one project with every trait (a folder
input, a shared output kept in memory, versioned outputs, a collect step, a
chain) and the mutations whose planted bugs it caught first: a run --stale that
left out the producer of an in-memory input, identities by size and mtime
alone (``touch`` made everything stale), and no record of the outputs as
written (a tampered output and a deleted version passed as up to date).
``tests/e2e/test_freshness_oracle_many.py`` tries every mutation on many seeds.
"""

from __future__ import annotations

from freshness_oracle import MUTATIONS, failures, fresh_project, trial

SEED = 27
WITNESSES = (
    "a variant's parameter",
    "a file inside a folder input",
    "an output rewritten by hand",
    "the latest version deleted",
    "touch",
)


def test_up_to_date_means_a_rerun_changes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fresh = fresh_project(SEED)
    assert all(fresh.has(t) for t in ("events", "table in memory", "versioned", "chain"))
    chosen = [m for m in MUTATIONS if m.name in WITNESSES]
    assert len(chosen) == len(WITNESSES)
    done = [trial(fresh, m, tmp_path / str(i)) for i, m in enumerate(chosen)]
    assert failures(done) == []
    by_name = {t.mutation: t.stale for t in done}
    assert by_name["touch"] == []
    assert any("outputs changed since written" in s for s in by_name["an output rewritten by hand"])
    assert any("input changed (events)" in s for s in by_name["a file inside a folder input"])
