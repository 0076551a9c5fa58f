"""The selection oracle over hundreds of generated hostile projects.

Each seed writes a small real Kedro project (``tests/selection_oracle.py``)
and tries four selections on it (five in about a third of them: one with a typo) with real ``KedroSession`` runs: once with
``kedro run``'s click context, so the hook builds only what the flags can
touch, and once without, so it builds everything and Kedro's filters alone
select. Both must give the runner the same nodes, the same value of every
parameter input, the same resolved dataset of every other input and output,
and the same refusal (the hook's own for a typo, where the full build gets
Kedro's). ``ORACLE_SEEDS=n`` tries more.
"""

from __future__ import annotations

import os

import pytest
from selection_oracle import judge

SEEDS = int(os.environ.get("ORACLE_SEEDS", "200"))
CHUNK = 25
VERDICTS: list = []

pytestmark = pytest.mark.filterwarnings("ignore:One or more dataset names contain")


@pytest.mark.parametrize("first", range(0, SEEDS, CHUNK))
def test_selective_runs_see_what_full_runs_see(first, tmp_path, monkeypatch):
    def prepare(project):
        monkeypatch.chdir(project)
        monkeypatch.syspath_prepend(str(project / "src"))

    verdict = judge(list(range(first, min(first + CHUNK, SEEDS))), tmp_path, prepare)
    VERDICTS.append(verdict)
    assert verdict.differences == []


def test_the_oracle_compared_enough_selective_runs():
    if len(VERDICTS) < -(-SEEDS // CHUNK):
        pytest.skip("run together with test_selective_runs_see_what_full_runs_see")
    compared = sum(v.compared for v in VERDICTS)
    selective = sum(v.selective for v in VERDICTS)
    typos = sum(v.typos for v in VERDICTS)
    assert 4 * SEEDS <= compared <= 5 * SEEDS
    # The hook's own refusal of a typo (before Kedro's) must be exercised too.
    assert typos >= SEEDS // 10, (compared, typos)
    # A fifth of them at least must really be built selectively to mean anything.
    assert selective >= compared // 5, (compared, selective)
