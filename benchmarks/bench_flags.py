"""Benchmark: what checking ``kedro run``'s flags costs, beside what Kedro spends on them.

Run: python benchmarks/bench_flags.py [--variants 1000 10000] [--repeat 5]

For N variants of a 4-node template in one namespace (``__default__`` holds
4 N nodes), it times, side by side in one process, for a few flag sets:

- Kedro: ``Pipeline.filter`` with the same flags, which ``KedroSession.run``
  applies after the hook (the work a run pays anyway);
- ours: ``check_flags``, which the hook runs first so that a typo gets one
  line instead of a traceback.

Best of ``--repeat``, in milliseconds, with the ratio ours / Kedro.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from kedro.pipeline import Pipeline, node

from kedro_dynamic_hooks._expansion.selection import Selection
from kedro_dynamic_hooks._runtime.flags import check_flags

STEPS = ("split", "train", "predict", "evaluate")


def _step(x: object) -> object:
    return x


def registry(variants: int) -> dict[str, Pipeline]:
    nodes = []
    for v in range(variants):
        namespace = f"models.v{v}"
        previous = "table"
        for step in STEPS:
            output = f"models_v{v}_{step}"
            nodes.append(
                node(
                    _step,
                    previous,
                    output,
                    name=step,
                    namespace=namespace,
                    tags=["models", f"v{v}"],
                )
            )
            previous = output
    return {"__default__": Pipeline(nodes)}


def best(call: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'variants':>8}  {'flags':<34} {'Kedro filter ms':>15} {'check ms':>9} {'ratio':>6}")
    for n in args.variants:
        found = registry(n)
        pipeline = found["__default__"]
        declared = ["models", *(f"models.v{v}" for v in range(n))]
        for flags in (
            {"tags": ("models",)},
            {"namespaces": ("models",)},
            {"namespaces": (f"models.v{n - 1}",), "tags": (f"v{n - 1}",)},
        ):
            selection = Selection(**flags)  # type: ignore[arg-type]
            kedro = best(
                lambda: pipeline.filter(
                    tags=list(selection.tags) or None,
                    node_namespaces=list(selection.namespaces) or None,
                ),
                args.repeat,
            )
            ours = best(
                lambda: check_flags(selection, found, lambda: declared, lambda: list(found)),
                args.repeat,
            )
            shown = " ".join(f"--{k} {','.join(v)}" for k, v in flags.items())
            print(f"{n:>8}  {shown:<34} {kedro:>15.1f} {ours:>9.1f} {ours / kedro:>6.2f}")


if __name__ == "__main__":
    main()
