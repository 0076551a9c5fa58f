"""The selection oracle, fast subset: a selective run sees what the full build sees.

``tests/e2e/test_selection_oracle.py`` runs hundreds of generated projects;
these seeds are the ones where a planted bug was caught first (a template's
own tag ignored, a hand-written node's reads ignored, a node reading
``parameters``, a template used by one namespace only), so the fast tier
still catches each class.
"""

from __future__ import annotations

import pytest
from selection_oracle import hostile_project, judge

WITNESSES = [1, 5, 14, 31, 63]

# Kedro's advice against dotted names when a hand-written node reads a variant's dataset.
pytestmark = pytest.mark.filterwarnings("ignore:One or more dataset names contain")


def test_selective_runs_see_what_full_runs_see(tmp_path, monkeypatch):
    def prepare(project):
        monkeypatch.chdir(project)
        monkeypatch.syspath_prepend(str(project / "src"))

    verdict = judge(WITNESSES, tmp_path, prepare)
    assert verdict.differences == []
    assert verdict.compared == 4 * len(WITNESSES)
    assert verdict.selective >= 5, verdict


def test_the_generator_is_reproducible_and_hostile():
    one, again = hostile_project(63), hostile_project(63)
    assert one.files == again.files and one.selections == again.selections
    traits = " ".join(t for seed in range(40) for t in hostile_project(seed).traits)
    for trait in (
        "template tags",
        "fit reads parameters",
        "factories",
        "catch-all pattern",
        "conf/local drops",
        "registry find",
        "registry starter",
        "registry own",
    ):
        assert trait in traits, trait
