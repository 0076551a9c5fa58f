"""A cheap regression guard on expansion speed: ratios at small N, generous margins.

The real figures come from benchmarks/bench_expansion.py; this only catches a
change that makes expansion several times slower than Kedro's own node
construction, or no longer linear in the number of variants.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from helpers import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import bench_expansion as bench


def _best(fn: Callable[[], Any], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _ours(n: int) -> float:
    templates = {"science": bench.template()}
    params = {**bench.BASE, "dynamic_pipelines": bench.declaration(n)}
    return _best(lambda: bench.ours(n, templates, params))


def test_expansion_stays_close_to_raw_node_construction():
    raw = _best(lambda: bench.raw(200))
    assert _ours(200) / raw < 2.5  # measured about 1.0x


def test_expansion_stays_linear_in_the_number_of_variants():
    assert _ours(400) / _ours(100) < 8  # linear is 4x, quadratic 16x
