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

from kedro_dynamic_hooks._checks.catalog_index import CatalogIndex
from kedro_dynamic_hooks._checks.collisions import check_collisions
from kedro_dynamic_hooks._checks.inputs import check_pipeline
from kedro_dynamic_hooks._checks.policy import check_registry
from kedro_dynamic_hooks._checks.types import check_types
from kedro_dynamic_hooks._declaration.merge import deep_merge
from kedro_dynamic_hooks._declaration.schema import parse_declaration
from kedro_dynamic_hooks._expansion.expand import expand


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


def declaration(n: int, catalog: bool = False) -> dict[str, Any]:
    variants = {f"v{i}": {"overrides": {"model_options": {"random_state": i}}} for i in range(n)}
    spec: dict[str, Any] = {
        "pipelines": ["science"],
        "inputs": ["model_input_table"],
        "variants": variants,
    }
    if catalog:  # persisted per-variant outputs, as a real project has
        spec["catalog"] = {
            name: {
                "type": "pickle.PickleDataset",
                "filepath": f"data/{{namespace}}/{{variant}}/{name}.pkl",
            }
            for name in ("regressor", "metrics")
        }
    return {"ns": spec}


GLOBAL_CATALOG = {"model_input_table": {"type": "pandas.ParquetDataset", "filepath": "data/mit.pq"}}


def checks(expansion: Any, params: dict[str, Any], *, validate: bool) -> None:
    """The project check: what every run does (collisions, the run's inputs),
    and with ``validate`` every expanded pipeline and every dataset type."""
    catalog = {**expansion.catalog, **GLOBAL_CATALOG}
    check_collisions(
        catalog,
        expansion.datasets,
        project_path="/project",
        datasets=expansion.dataset_names,
        written=expansion.written,
    )
    index = CatalogIndex(catalog)
    if validate:
        check_registry(
            expansion.pipelines,
            expansion,
            catalog,
            expansion.parameters,
            key="dynamic_pipelines",
            source=None,
        )
        check_types(catalog, expansion, key="dynamic_pipelines", source=None)
    else:
        known = lambda name: name.startswith("params:") or index(name)  # noqa: E731
        check_pipeline(
            expansion.pipelines["ns"],
            "kedro run",
            known,
            expansion,
            key="dynamic_pipelines",
            source=None,
        )


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
    check_rows: list[tuple[int, float, float, float]] = []

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
        checked_params = {**BASE, "dynamic_pipelines": declaration(n, catalog=True)}
        checked = ours(n, templates, checked_params)
        t_checked = best(lambda: ours(n, templates, checked_params), args.repeat)
        t_run_checks = best(lambda: checks(checked, checked_params, validate=False), args.repeat)
        t_validate_checks = best(
            lambda: checks(checked, checked_params, validate=True), args.repeat
        )
        check_rows.append((n, t_checked, t_run_checks, t_validate_checks))
        print(
            f"{n:>6} | {t_raw:8.3f} | {t_ours:8.3f} | {t_ours / t_raw:7.2f}x | {recipe_cols} | "
            f"{p_ours:13.3f} | {p_recipe:15.3f} | {p_recipe / p_ours:10.1f}x"
        )
    print(
        "\n'params ours' times the whole expand() (it includes the node copies), so its ratio is a lower bound."
    )
    print(
        "\nThe project check against the expansion it checks (per-variant catalog templates):\n"
        f"{'N':>6} | {'expand s':>8} | {'run checks s':>12} | {'run/expand':>10} | {'validate checks s':>17} | {'validate/expand':>15}"
    )
    for n, t_exp, t_run, t_val in check_rows:
        print(
            f"{n:>6} | {t_exp:8.3f} | {t_run:12.3f} | {t_run / t_exp:9.1%} | {t_val:17.3f} | {t_val / t_exp:14.1%}"
        )
    if args.check is not None:
        verdict = "OK" if worst <= args.check else "TOO SLOW"
        print(f"speed guard: worst ours/raw {worst:.2f}x, limit {args.check:.2f}x: {verdict}")
        if worst > args.check:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
