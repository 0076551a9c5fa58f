"""Side-by-side benchmark: our expansion vs raw Kedro construction vs the hand recipe.

Run: python benchmarks/bench_expansion.py [--sizes 10 100 1000] [--repeat 3]

Every row is measured in this one process, so read the ratios, not the seconds.
- raw: node() for each namespaced node, then one Pipeline() of all of them.
  This is the floor inside Kedro for the same nodes.
- ours: kedro_dynamic_hooks.expand(): nodes, one pipeline per namespace and per
  variant, parameters and catalog entries.
- recipe: the hand-written recipe, pipeline(template, namespace=...) per variant
  and sum() of them; skipped above --max-sum (it is quadratic).
- params: resolving every variant's parameters, ours vs an OmegaConf 'merge'
  resolver per variant (the recipe's parameters.yml).
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from typing import Any

from kedro.pipeline import Pipeline, node, pipeline
from omegaconf import OmegaConf

from kedro_dynamic_hooks._expand import expand
from kedro_dynamic_hooks._merge import deep_merge
from kedro_dynamic_hooks._schema import parse_declaration


def split(data: Any, options: Any) -> tuple[Any, Any]:
    return data, options


def train(x: Any, y: Any, options: Any) -> Any:
    return x


def predict(model: Any, x: Any) -> Any:
    return x


def evaluate(pred: Any, y: Any) -> Any:
    return pred


TEMPLATE = [
    (split, ["model_input_table", "params:model_options"], ["X", "y"], "split"),
    (train, ["X", "y", "params:model_options"], "regressor", "train"),
    (predict, ["regressor", "X"], "predictions", "predict"),
    (evaluate, ["predictions", "y"], "metrics", "evaluate"),
]
BASE = {"model_options": {"test_size": 0.2, "random_state": 3, "model": "a.B", "model_params": {}}}


def template() -> Pipeline:
    return Pipeline([node(f, i, o, name=n) for f, i, o, n in TEMPLATE])


def declaration(n: int) -> dict[str, Any]:
    variants = {f"v{i}": {"overrides": {"model_options": {"random_state": i}}} for i in range(n)}
    return {"ns": {"pipelines": ["science"], "inputs": ["model_input_table"], "variants": variants}}


def raw(n: int) -> Pipeline:
    nodes = []
    for i in range(n):
        p = f"ns.v{i}"

        def r(x: Any, p: str = p) -> Any:
            if isinstance(x, list):
                return [r(e) for e in x]
            if x == "model_input_table":
                return x
            if x.startswith("params:"):
                return f"params:{p}.{x[7:]}"
            return f"{p}.{x}"

        nodes.extend(
            node(f, r(i_), r(o), name=name, namespace=p, tags=["ns", f"v{i}"])
            for f, i_, o, name in TEMPLATE
        )
    return Pipeline(nodes)


def ours(n: int, templates: dict[str, Pipeline], params: dict[str, Any]) -> Any:
    return expand(parse_declaration(params["dynamic_pipelines"]), templates, params)


def recipe(n: int, t: Pipeline) -> Pipeline:
    return sum(
        (
            pipeline(t, namespace=f"ns.v{i}", inputs={"model_input_table"}, tags=["ns", f"v{i}"])
            for i in range(n)
        ),
        start=Pipeline([]),
    )


def params_recipe(n: int) -> dict[str, Any]:
    if not OmegaConf.has_resolver("merge"):
        OmegaConf.register_new_resolver(
            "merge", lambda a, b: deep_merge(OmegaConf.to_container(a), OmegaConf.to_container(b))
        )
    conf: dict[str, Any] = {**BASE, "ns": {}}
    for i in range(n):
        conf["ns"][f"v{i}"] = {
            "_overrides": {"model_options": {"random_state": i}},
            "model_options": "${merge:${model_options},${._overrides.model_options}}",
        }
    return OmegaConf.to_container(OmegaConf.create(conf), resolve=True)  # type: ignore[return-value]


def best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--max-sum", type=int, default=300, help="largest N for the quadratic sum() recipe"
    )
    parser.add_argument(
        "--check",
        type=float,
        default=None,
        metavar="RATIO",
        help="exit 1 if ours/raw exceeds RATIO at any size (CI runs this as a speed guard)",
    )
    args = parser.parse_args()
    worst = 0.0

    t = template()
    templates = {"science": t}
    print(
        f"{'N':>6} | {'raw s':>8} | {'ours s':>8} | {'ours/raw':>8} | {'recipe s':>9} | {'recipe/ours':>11} | {'params ours s':>13} | {'params recipe s':>15} | {'recipe/ours':>11}"
    )
    print("-" * 112)
    for n in args.sizes:
        params = {**BASE, "dynamic_pipelines": declaration(n)}
        t_raw = best(lambda: raw(n), args.repeat)
        t_ours = best(lambda: ours(n, templates, params), args.repeat)
        if n <= args.max_sum:
            t_recipe = best(lambda: recipe(n, t), 1)
            recipe_cols = f"{t_recipe:9.3f} | {t_recipe / t_ours:10.1f}x"
        else:
            recipe_cols = f"{'skipped':>9} | {'(quadratic)':>11}"
        decl = parse_declaration(params["dynamic_pipelines"])
        p_ours = best(lambda: expand(decl, templates, params).parameters, args.repeat) - 0.0
        p_recipe = best(lambda: params_recipe(n), args.repeat)
        worst = max(worst, t_ours / t_raw)
        print(
            f"{n:>6} | {t_raw:8.3f} | {t_ours:8.3f} | {t_ours / t_raw:7.2f}x | {recipe_cols} | "
            f"{p_ours:13.3f} | {p_recipe:15.3f} | {p_recipe / p_ours:10.1f}x"
        )
    print(
        "\n'params ours' times the whole expand() (it includes the node copies), so its ratio is a lower bound."
    )
    if args.check is not None:
        verdict = "OK" if worst <= args.check else "TOO SLOW"
        print(f"speed guard: worst ours/raw {worst:.2f}x, limit {args.check:.2f}x: {verdict}")
        if worst > args.check:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
