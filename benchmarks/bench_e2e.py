"""End-to-end benchmark: one variant's ``kedro run`` as the number of variants grows.

Run: python benchmarks/bench_e2e.py [--sizes 6 1000 10000] [--repeat 3]

For each N it generates a throwaway Kedro project whose declaration has N
variants of a 4-node template (plus one shared node), then times whole
``kedro run --namespaces ns.v0`` processes: wall time and peak RSS, measured
from a parent process with ``resource.getrusage(RUSAGE_CHILDREN)``. Ratios are
against the 6-variant project measured in the same run. The hook's own share is
read from its log line ("Expanded ... in X s").
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import yaml

PACKAGE = "bench_project"

NODES = """
def make_table(size):
    return list(range(size))


def split(table, options):
    cut = int(len(table) * (1 - options["test_size"]))
    return table[:cut], table[cut:]


def train(train_rows, options):
    return sum(train_rows) / max(len(train_rows), 1) + options["random_state"]


def predict(model, test_rows):
    return [model for _ in test_rows]


def evaluate(predictions, test_rows):
    return {"mae": sum(abs(p - t) for p, t in zip(predictions, test_rows)) / max(len(test_rows), 1)}
"""

REGISTRY = """
from kedro.pipeline import Pipeline, node

from .nodes import evaluate, make_table, predict, split, train


def register_pipelines():
    shared = Pipeline([node(make_table, "params:size", "table", name="make_table")])
    science = Pipeline(
        [
            node(split, ["table", "params:model_options"], ["train_rows", "test_rows"], name="split"),
            node(train, ["train_rows", "params:model_options"], "model", name="train"),
            node(predict, ["model", "test_rows"], "predictions", name="predict"),
            node(evaluate, ["predictions", "test_rows"], "metrics", name="evaluate"),
        ]
    )
    return {"__default__": Pipeline([]), "shared": shared, "science": science}
"""

SETTINGS = """
from kedro_dynamic_hooks import DynamicPipelinesHook

HOOKS = (DynamicPipelinesHook(),)
"""

# Runs one command in a child and prints its wall time and peak RSS as JSON.
MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - start
rss_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"wall": wall, "rss_mib": rss_kib / 1024, "rc": proc.returncode,
                  "out": proc.stdout[-20000:] + proc.stderr[-20000:]}))
"""


def make_project(root: Path, n: int, *, matrix: bool = False) -> Path:
    """Write a minimal Kedro project with ``n`` variants under ``root``.

    Named variants take about four YAML nodes each; ``matrix=True`` declares the
    same number of variants as one list, which isolates Kedro's YAML parsing.
    """
    package = root / "src" / PACKAGE
    package.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""
            [tool.kedro]
            package_name = "{PACKAGE}"
            project_name = "bench"
            kedro_init_version = "1.7.0"
            source_dir = "src"
            """
        )
    )
    (package / "__init__.py").write_text("")
    (package / "nodes.py").write_text(NODES)
    (package / "pipeline_registry.py").write_text(REGISTRY)
    (package / "settings.py").write_text(SETTINGS)
    conf = root / "conf"
    (conf / "base").mkdir(parents=True)
    (conf / "local").mkdir()
    variants = {f"v{i}": {"overrides": {"model_options": {"random_state": i}}} for i in range(n)}
    declared: dict[str, object] = {"variants": variants}
    if matrix:
        declared = {
            "matrix": {"max_size": n, "parameters": {"model_options.random_state": list(range(n))}}
        }
    parameters = {
        "size": 100,
        "model_options": {"test_size": 0.2, "random_state": 0},
        "dynamic_pipelines": {
            "ns": {
                "shared": ["shared"],
                "pipelines": ["science"],
                "parameters": ["size"],
                "catalog": {
                    "table": {
                        "type": "pickle.PickleDataset",
                        "filepath": "data/{namespace}/table.pkl",
                    }
                },
                **declared,
            }
        },
    }
    (conf / "base" / "parameters.yml").write_text(yaml.safe_dump(parameters, sort_keys=False))
    (conf / "base" / "catalog.yml").write_text("{}\n")
    data = root / "data" / "ns"
    data.mkdir(parents=True)
    (data / "table.pkl").write_bytes(pickle.dumps(list(range(100))))
    return root


def measure(project: Path, args: list[str]) -> dict[str, float]:
    env = {
        **os.environ,
        "KEDRO_DISABLE_TELEMETRY": "1",
        "PYTHONPATH": str(project / "src"),
        "KEDRO_LOGGING_CONFIG": str(project / "logging.yml"),
        # OmegaConf >= 2.4 refuses YAML files of more than 10,000 nodes by default;
        # 10,000 named variants are about 40,000.
        "OMEGACONF_MAX_YAML_EXPANDED_NODES": "1000000",
    }
    (project / "logging.yml").write_text(
        "version: 1\ndisable_existing_loggers: false\n"
        "handlers: {console: {class: logging.StreamHandler, stream: ext://sys.stdout}}\n"
        "loggers: {kedro_dynamic_hooks: {level: INFO}}\n"
        "root: {level: WARNING, handlers: [console]}\n"
    )
    cmd = [sys.executable, "-c", MEASURE, sys.executable, "-m", "kedro", *args]
    result = json.loads(
        subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True, check=True).stdout
    )
    if result["rc"] != 0:
        raise SystemExit(f"kedro {' '.join(args)} failed in {project}:\n{result['out']}")
    hook = re.search(r"node\(s\) in ([0-9.]+)s", result["out"])
    result["hook"] = float(hook.group(1)) if hook else float("nan")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[6, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--matrix", action="store_true", help="also measure matrix declarations")
    args = parser.parse_args()
    sizes = sorted({6, *args.sizes})
    cases = [(n, False) for n in sizes] + (
        [(n, True) for n in sizes if n > 6] if args.matrix else []
    )
    print(
        f"{'N':>13} | {'wall s':>7} | {'wall / 6':>8} | {'peak RSS MiB':>12} | {'RSS / 6':>7} | "
        f"{'hook s':>7}"
    )
    print("-" * 72, flush=True)
    base: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n, matrix in cases:
            project = make_project(Path(tmp) / f"n{n}{'m' * matrix}", n, matrix=matrix)
            first = "ns.random_state_0" if matrix else "ns.v0"
            measure(project, ["run", "--namespaces", first])  # warm-up: bytecode, caches
            runs = [measure(project, ["run", "--namespaces", first]) for _ in range(args.repeat)]
            row = {
                "wall": min(r["wall"] for r in runs),
                "rss": max(r["rss_mib"] for r in runs),
                "hook": min(r["hook"] for r in runs),
            }
            base = base or row  # the first case is the 6-variant project
            label = f"{n} (matrix)" if matrix else str(n)
            print(
                f"{label:>13} | {row['wall']:7.2f} | {row['wall'] / base['wall']:7.2f}x | "
                f"{row['rss']:12.0f} | {row['rss'] / base['rss']:6.2f}x | {row['hook']:7.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
