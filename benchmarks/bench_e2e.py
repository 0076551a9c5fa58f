"""End-to-end benchmark: one variant's run as the declaration grows (selective startup).

Run: python benchmarks/bench_e2e.py [--sizes 1000 10000] [--repeat 3]
     [--selections namespaces tags pipelines nodes session.run] [--named-only] [--table]
     [--catalogs templates factories literal catch-all credentials overlay]

For each size N it generates throwaway Kedro projects declaring N variants of a
4-node template (plus one shared node): as named variants, as one matrix axis of
N values and, when N is a square, as a two-axis matrix (with ``--table``: as
the N rows of a CSV that ``variants_from`` reads, against a 6-row one). It then times whole
processes that run one variant, selected five ways: ``kedro run --namespaces``,
``--tags``, ``--pipelines``, ``--nodes``, and ``KedroSession.run`` from Python
inside ``selecting(...)``. Wall time and peak RSS are measured from a parent
process (``resource.getrusage(RUSAGE_CHILDREN)``); ratios are against the
6-variant project with the same selection, measured in the same run.

``--catalogs`` says where the per-variant datasets' config comes from: the
declaration's catalog templates, or dataset factory patterns in catalog.yml
(with ``{namespace}``, naming the namespace, with a catch-all pattern, with a
credentials entry, or with one pattern overridden in ``conf/local``); each
style's ratios are against its own 6-variant project. "first s" is the first
run of a project, which pays the whole collision check; later runs of the
unchanged project find its passing verdict kept (``_runtime/verdicts.py``).
``--validate`` also times ``kedro dynamic validate`` (which always checks in
full) against ``kedro dynamic list`` on each project.

"parse s" is Kedro's own time to read the project's parameters (OmegaConf), in
a separate process; any way of declaring N variants in parameters.yml pays it.
"ours s" is the hook's time without it (the hook logs "Expanded ... in X s" and
is the first to read the parameters). "net / 6" is (wall - parse) / the
6-variant wall: what the run costs beyond reading the declaration.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import re
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
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


# How the per-variant datasets get their catalog config (``--catalogs``).
CATALOGS = {
    "templates": "the declaration's catalog templates",
    "factories": "dataset factory patterns with {namespace}",
    "literal": "dataset factory patterns naming the namespace",
    "catch-all": "factory patterns and a catch-all pattern",
    "credentials": "factory patterns with a credentials entry",
    "overlay": "factory patterns, one overridden in conf/local",
}
PER_VARIANT = "{namespace}.{variant}.{name}"


def _factories(style: str) -> dict[str, dict[str, object]]:
    """catalog.yml's patterns for a catalog style."""
    ns = "ns" if style == "literal" else "{namespace}"
    patterns: dict[str, dict[str, object]] = {
        f"{ns}.table": {"type": "pickle.PickleDataset", "filepath": f"data/{ns}/table.pkl"},
        f"{ns}.{{variant}}.{{name}}": {
            "type": "pickle.PickleDataset",
            "filepath": f"data/{ns}/{{variant}}/{{name}}.pkl",
        },
    }
    if style == "catch-all":
        patterns["{anything}"] = {
            "type": "pickle.PickleDataset",
            "filepath": "data/other/{anything}.pkl",
        }
    if style == "credentials":
        patterns[f"{ns}.{{variant}}.{{name}}"]["credentials"] = "bench_store"
    return patterns


def make_project(root: Path, n: int, *, axes: int = 0, catalog: str = "templates") -> Path:
    """Write a minimal Kedro project with ``n`` variants under ``root``.

    ``axes=0`` declares ``n`` named variants (about four YAML nodes each);
    ``axes=1`` declares them as one matrix axis of ``n`` values; ``axes=2`` as
    a ``sqrt(n)`` x ``sqrt(n)`` matrix, a few hundred YAML values in all.
    ``catalog`` is one of :data:`CATALOGS`: where the datasets' config comes from.
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
    (root / "run_one.py").write_text(RUN_ONE)
    conf = root / "conf"
    (conf / "base").mkdir(parents=True)
    (conf / "local").mkdir()
    declared: dict[str, object] = {
        "variants": {
            f"v{i}": {"overrides": {"model_options": {"random_state": i}}} for i in range(n)
        }
    }
    if axes == TABLE:
        declared = {"variants_from": {"dataset": "variant_table", "name": "name"}}
    elif axes == 1:
        declared = {
            "matrix": {"max_size": n, "parameters": {"model_options.random_state": list(range(n))}}
        }
    elif axes == 2:
        side = math.isqrt(n)
        declared = {
            "matrix": {
                "max_size": n,
                "parameters": {
                    "model_options.random_state": list(range(side)),
                    "model_options.test_size": {
                        f"t{i}": 0.1 + i / (10 * side) for i in range(side)
                    },
                },
            }
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
    user_catalog: dict[str, object] = {}
    if catalog != "templates":
        del parameters["dynamic_pipelines"]["ns"]["catalog"]  # type: ignore[index]
        user_catalog = _factories(catalog)
    if catalog == "credentials":
        (conf / "local" / "credentials.yml").write_text("bench_store: {}\n")
    if catalog == "overlay":
        (conf / "local" / "catalog.yml").write_text(
            yaml.safe_dump(
                {
                    "{namespace}.{variant}.metrics": {
                        "type": "json.JSONDataset",
                        "filepath": "data/{namespace}/{variant}/metrics.json",
                    }
                }
            )
        )
    if axes == TABLE:  # one row per variant, in a CSV read through Kedro's catalog
        user_catalog["variant_table"] = {
            "type": "pandas.CSVDataset",
            "filepath": "data/01_raw/variants.csv",
        }
        (root / "data" / "01_raw").mkdir(parents=True)
        (root / "data" / "01_raw" / "variants.csv").write_text(
            "name,model_options.random_state\n" + "".join(f"v{i},{i}\n" for i in range(n))
        )
    (conf / "base" / "parameters.yml").write_text(yaml.safe_dump(parameters, sort_keys=False))
    (conf / "base" / "catalog.yml").write_text(
        yaml.safe_dump(user_catalog) if user_catalog else "{}\n"
    )
    data = root / "data" / "ns"
    data.mkdir(parents=True)
    (data / "table.pkl").write_bytes(pickle.dumps(list(range(100))))
    return root


TABLE = -1  # ``axes`` for a declaration whose variants are a table's rows


def first_variant(axes: int) -> str:
    """The name of the variant every case runs."""
    return {TABLE: "v0", 0: "v0", 1: "random_state_0", 2: "random_state_0__test_size_t0"}[axes]


# One selection of one variant, five ways; the last one from Python.
SELECTIONS: dict[str, Callable[[str], list[str]]] = {
    "namespaces": lambda v: ["-m", "kedro", "run", "--namespaces", f"ns.{v}"],
    "tags": lambda v: ["-m", "kedro", "run", "--tags", v],
    "pipelines": lambda v: ["-m", "kedro", "run", "--pipelines", f"ns.{v}"],
    "nodes": lambda v: [
        "-m",
        "kedro",
        "run",
        "--nodes",
        ",".join(f"ns.{v}.{n}" for n in ("split", "train", "predict", "evaluate")),
    ],
    "session.run": lambda v: ["run_one.py", f"ns.{v}"],
}

# `KedroSession.run` from Python, told its selection with `selecting`.
RUN_ONE = """
import sys
from collections.abc import Callable
from pathlib import Path

from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

from kedro_dynamic_hooks import selecting

bootstrap_project(Path.cwd())
with selecting(namespaces=[sys.argv[1]]):
    with KedroSession.create(project_path=Path.cwd()) as session:
        session.run(namespaces=[sys.argv[1]])
"""

# Kedro's own reading of the parameters (OmegaConf), best of 3, in a fresh process.
PARSE = """
import time
from kedro.config import OmegaConfigLoader
best = min(
    (lambda t: (OmegaConfigLoader("conf", base_env="base", default_run_env="local")["parameters"],
                time.perf_counter() - t)[1])(time.perf_counter())
    for _ in range(3)
)
print(best)
"""


def environment(project: Path) -> dict[str, str]:
    return {
        **os.environ,
        "KEDRO_DISABLE_TELEMETRY": "1",
        "PYTHONPATH": str(project / "src"),
        "KEDRO_LOGGING_CONFIG": str(project / "logging.yml"),
        # OmegaConf >= 2.4 refuses YAML files of more than 10,000 nodes by default;
        # 10,000 named variants are about 40,000.
        "OMEGACONF_MAX_YAML_EXPANDED_NODES": "1000000",
    }


def measure(project: Path, args: list[str]) -> dict[str, float]:
    """Run ``python *args`` in ``project``; wall time, peak RSS and the hook's time."""
    (project / "logging.yml").write_text(
        "version: 1\ndisable_existing_loggers: false\n"
        "handlers: {console: {class: logging.StreamHandler, stream: ext://sys.stdout}}\n"
        "loggers: {kedro.dynamic_hooks: {level: INFO}}\n"
        "root: {level: WARNING, handlers: [console]}\n"
    )
    cmd = [sys.executable, "-c", MEASURE, sys.executable, *args]
    result = json.loads(
        subprocess.run(
            cmd, cwd=project, env=environment(project), capture_output=True, text=True, check=True
        ).stdout
    )
    if result["rc"] != 0:
        raise SystemExit(f"{' '.join(args)} failed in {project}:\n{result['out']}")
    hook = re.search(r"node\(s\) in ([0-9.]+)s", result["out"])
    result["hook"] = float(hook.group(1)) if hook else float("nan")
    return result


def parse_time(project: Path) -> float:
    """Kedro's own time to read this project's parameters, in a fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", PARSE],
        cwd=project,
        env=environment(project),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(out.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--selections",
        nargs="+",
        choices=list(SELECTIONS),
        default=list(SELECTIONS),
        help="how the one variant is selected (default: all five)",
    )
    parser.add_argument("--named-only", action="store_true", help="skip the matrix declarations")
    parser.add_argument(
        "--table",
        action="store_true",
        help="declare the variants as the rows of a CSV (variants_from) instead; "
        "ratios against a 6-row table",
    )
    parser.add_argument(
        "--catalogs",
        nargs="+",
        choices=list(CATALOGS),
        default=["templates", "factories"],
        help="where the per-variant datasets' config comes from (default: templates factories)",
    )
    parser.add_argument(
        "--validate",
        action="store_true",
        help="also time 'kedro dynamic validate' against 'kedro dynamic list' per project",
    )
    args = parser.parse_args()
    cases = [(6, TABLE if args.table else 0)]
    for n in sorted(set(args.sizes) - {6}):
        cases.append((n, TABLE if args.table else 0))
        if not args.named_only and not args.table:
            cases += [(n, 1)] + ([(n, 2)] if math.isqrt(n) ** 2 == n else [])
    print(
        f"{'declaration':>20} | {'catalog':>11} | {'selection':>11} | {'first s':>7} | "
        f"{'wall s':>6} | {'/ 6':>6} | {'RSS MiB':>7} | {'/ 6':>6} | {'parse s':>7} | "
        f"{'ours s':>6} | {'net / 6':>7}"
    )
    print("-" * 128, flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for style in args.catalogs:
            base: dict[str, dict[str, float]] = {}
            for n, axes in cases:
                _case(Path(tmp) / f"{style}n{n}a{axes}", n, axes, style, args, base)


def _case(root: Path, n: int, axes: int, style: str, args: argparse.Namespace, base: dict) -> None:
    """Measure one project (``n`` variants, ``axes``, catalog ``style``) and print its rows."""
    project = make_project(root, n, axes=axes, catalog=style)
    variant = first_variant(axes)
    base.setdefault("axes", axes)
    parse = parse_time(project)
    label = {
        TABLE: f"{n:,} table rows",
        0: f"{n:,} named",
        1: f"{n:,} matrix, 1 axis",
        2: f"{n:,} matrix, 2 axes",
    }[axes]
    # The first run pays the whole collision check (and writes bytecode); later
    # runs of the unchanged project find its verdict kept.
    first = measure(project, SELECTIONS["namespaces"](variant))["wall"]
    six_project = base.setdefault("project", {}).setdefault(style, project)  # the first case
    for name in args.selections:
        command = SELECTIONS[name](variant)
        runs, again = [], []
        for _ in range(args.repeat):
            # The 6-variant project again, run for run: drift on a busy machine
            # (seen: +-20% between minutes) falls on both sides of the ratio.
            if six_project is not project and six_project.exists():
                again.append(measure(six_project, SELECTIONS[name](first_variant(base["axes"]))))
            runs.append(measure(project, command))
        row = {
            "wall": min(r["wall"] for r in runs),
            "rss": max(r["rss_mib"] for r in runs),
            "hook": min(r["hook"] for r in runs),
        }
        six = base.setdefault(name, row)  # the 6-variant project comes first
        if again:
            six = {**six, "wall": min(six["wall"], *(r["wall"] for r in again))}
        # The hook is first to read the parameters, so its time includes Kedro's parse.
        ours = row["hook"] - parse
        net = (row["wall"] - parse) / six["wall"]
        print(
            f"{label:>20} | {style:>11} | {name:>11} | {first:7.2f} | {row['wall']:6.2f} | "
            f"{row['wall'] / six['wall']:5.2f}x | {row['rss']:7.0f} | "
            f"{row['rss'] / six['rss']:5.2f}x | {parse:7.3f} | {ours:6.3f} | {net:6.2f}x",
            flush=True,
        )
        first = float("nan")  # the first run is that of the first selection only
    if args.validate:
        # Both expand every variant; validate also checks every path in full.
        listed = min(
            measure(project, ["-m", "kedro", "dynamic", "list"])["wall"] for _ in range(args.repeat)
        )
        validated = min(
            measure(project, ["-m", "kedro", "dynamic", "validate"])["wall"]
            for _ in range(args.repeat)
        )
        print(
            f"{label:>20} | {style:>11} | list {listed:.2f} s, validate {validated:.2f} s: "
            f"validate - list {validated - listed:.2f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
