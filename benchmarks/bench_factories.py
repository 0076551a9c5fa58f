"""Benchmark: resolving dataset names through factory patterns, Kedro's way and ours.

Run: python benchmarks/bench_factories.py [--variants 1000 10000] [--repeat 3]

For N variants of a 5-dataset template (5 N names, the collision check's
load at N declared variants) and a catalog of four patterns, it times, side by
side in one process:

- Kedro's ``CatalogConfigResolver``: ``match_dataset_pattern`` then
  ``resolve_pattern`` per name, which is what the check did before; Kedro
  compiles every pattern again at each call (the ``parse`` library);
- our ``CatalogIndex``: the same matches, each pattern compiled once;
- the whole collision check over every name (``check_collisions``), as a
  run pays it when no passing verdict is kept.

Best of ``--repeat``, in seconds, with the ratio Kedro / ours.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable

from kedro.io.catalog_config_resolver import DEFAULT_RUNTIME_PATTERN, CatalogConfigResolver

from kedro_dynamic_hooks._checks.catalog_index import CatalogIndex
from kedro_dynamic_hooks._checks.collisions import check_collisions
from kedro_dynamic_hooks._expansion.result import DatasetOrigin

TEMPLATE = ["train_rows", "test_rows", "model", "predictions", "metrics"]
PATTERNS = {
    "{namespace}.table": {"type": "pickle.PickleDataset", "filepath": "data/{namespace}/t.pkl"},
    "{namespace}.{variant}.metrics": {
        "type": "json.JSONDataset",
        "filepath": "data/{namespace}/{variant}/metrics.json",
    },
    "{namespace}.{variant}.{name}": {
        "type": "pickle.PickleDataset",
        "filepath": "data/{namespace}/{variant}/{name}.pkl",
    },
    "{anything}": {"type": "pickle.PickleDataset", "filepath": "data/other/{anything}.pkl"},
}


def best(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--variants", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("kedro.io.catalog_config_resolver").disabled = True  # catch-all warnings
    print(
        f"{'variants':>8} | {'names':>6} | {'Kedro s':>7} | {'ours s':>6} | {'Kedro/ours':>10} | {'check s':>7}"
    )
    print("-" * 62, flush=True)
    for n in args.variants:
        origins = {
            f"ns.v{i}.{t}": DatasetOrigin("ns", f"v{i}", t) for i in range(n) for t in TEMPLATE
        }
        names = list(origins)

        def kedro_way() -> None:
            resolver = CatalogConfigResolver(
                config=PATTERNS, default_runtime_patterns=DEFAULT_RUNTIME_PATTERN
            )
            for name in names:
                resolver.match_dataset_pattern(name)
                resolver.resolve_pattern(name)

        def ours() -> None:
            index = CatalogIndex(PATTERNS)
            for name in names:
                index.resolved(name)

        kedro = best(args.repeat, kedro_way)
        fast = best(args.repeat, ours)
        check = best(
            args.repeat,
            lambda: check_collisions(PATTERNS, origins, project_path="/p", written=names),
        )
        print(
            f"{n:>8} | {len(names):>6} | {kedro:7.2f} | {fast:6.2f} | {kedro / fast:9.1f}x | "
            f"{check:7.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
