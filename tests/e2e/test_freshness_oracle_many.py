"""The freshness oracle over generated projects and every kind of change.

Each seed writes a small real Kedro project (``tests/freshness_oracle.py``),
runs it, applies one mutation of each kind that applies to it, asks
``kedro dynamic status``, runs ``kedro dynamic run --stale`` and asks again, in
this process. Afterwards nothing may be stale, and every persisted output must
equal, byte for byte, what a clean full run of a copy writes. A change that
leaves the data as it was (``touch``, identical bytes) must make nothing
stale. ``FRESHNESS_SEEDS=n`` tries more.
"""

from __future__ import annotations

import os

import pytest
from freshness_oracle import failures, fresh_project, trials

SEEDS = int(os.environ.get("FRESHNESS_SEEDS", "12"))
TRIALS: list = []


@pytest.mark.parametrize("seed", range(SEEDS))
def test_up_to_date_means_a_rerun_changes_nothing(seed, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.dont_write_bytecode", True)  # edited code is read again
    done = trials([seed], tmp_path)
    TRIALS.extend(done)
    assert failures(done) == []


def test_the_oracle_tried_every_kind_of_change():
    if len({t.seed for t in TRIALS}) < SEEDS:
        pytest.skip("run together with test_up_to_date_means_a_rerun_changes_nothing")
    tried = {t.mutation for t in TRIALS}
    assert len(tried) == 14, tried
    # Most changes must really make something stale, or the comparison proves little.
    assert sum(bool(t.stale) for t in TRIALS) >= len(TRIALS) * 0.6
    assert any(fresh_project(s).has("table in memory") for s in range(SEEDS))
    assert any(fresh_project(s).has("fit reads parameters") for s in range(SEEDS))
