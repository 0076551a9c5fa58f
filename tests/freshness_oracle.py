"""The freshness oracle: after any change, ``status`` then ``run --stale`` give what a clean run gives.

"Up to date" must mean that a re-run would change nothing. :func:`fresh_project`
writes a small real Kedro project from a seed (a shared step that may keep its
output in memory, a folder input, versioned outputs, a collect step, a chain,
a template node reading ``parameters``), and :data:`MUTATIONS` holds one change of each kind a user makes: a parameter,
``--params``, an environment, a dataset's config, an input file, a file inside
a folder input, an output tampered with (by hand, or by a run under another
environment), a deleted version, a node's code; and the changes that must not
make anything stale (``touch``, identical bytes). :func:`trial` runs the
project, applies one mutation, asks ``status``, runs ``run --stale``, asks
``status`` again (it must say everything is up to date), and compares every
persisted output, byte for byte, with a clean full run of a copy.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from helpers import bootstrap, dynamic, skeleton_files

PACKAGE = "freshpkg"
STATE = Path("data") / ".dynamic_pipelines"

NODES = """
def make_table(sales, size, *events):
    extra = 0
    for partitions in events:
        for key in sorted(partitions):
            extra += sum(partitions[key]().values()) * (len(key) + 1)
    total = sum(sales.values()) + extra
    return [{"x": i, "y": 2 * i + 1 + total % 7} for i in range(size)]


def fit(table, options, *everything):
    import json

    seen = len(json.dumps(everything, sort_keys=True)) % 3  # reads every variant's parameters
    return {"slope": options["alpha"] * 2.0, "intercept": 1.0 + len(table) / 100 + seen}


def score(model, table):
    errors = [abs(model["slope"] * r["x"] + model["intercept"] - r["y"]) for r in table]
    return {"mae": round(sum(errors) / len(errors), 6)}


def compare(metrics):
    return sorted([name, m["mae"]] for name, m in metrics.items())


def step(previous_state, sales, month):
    total = previous_state["total"] + sales[str(month)]
    return {"total": total, "month": month}, {"mae": abs(total - 10 * month)}
"""

REGISTRY = """
from kedro.pipeline import Pipeline, node

from .nodes import compare, fit, make_table, score, step


def register_pipelines():
    return {{
        "__default__": Pipeline([]),
        "prep": Pipeline([node(make_table, {prep_inputs!r}, "table", name="make_table")]),
        "science": Pipeline(
            [
                node(fit, {fit_inputs!r}, "model", name="fit"),
                node(score, ["model", "table"], "metrics", name="score"),
            ]
        ),
        "report": Pipeline([node(compare, "metrics", "comparison", name="compare")]),
        "monthly": Pipeline(
            [node(step, ["previous_state", "sales", "params:month"], ["state", "metrics"], name="step")]
        ),
    }}
"""


@dataclass
class Fresh:
    """A generated project.

    Attributes:
        seed: What generated it.
        files: Path relative to the project -> text.
        variants: The ``models`` namespace's variants.
        traits: What the seed chose, for the report of a failure.
    """

    seed: int
    files: dict[str, str]
    variants: list[str]
    traits: list[str] = field(default_factory=list)

    def has(self, trait: str) -> bool:
        """Whether the project has ``trait`` (``events``, ``versioned``, ``chain``...)."""
        return trait in self.traits


def fresh_project(seed: int) -> Fresh:
    """A small project whose outputs depend on every input, parameter and line of code."""
    rng = random.Random(seed)
    traits = []
    variants = rng.sample(["small", "exact", "large", "tiny"], rng.randint(2, 3))
    events = rng.random() < 0.6
    table_in_memory = rng.random() < 0.3
    model = rng.choice(["memory", "plain", "versioned"])
    collect = rng.random() < 0.7
    chain = rng.random() < 0.5
    traits += [
        "events" if events else "no events",
        "table in memory" if table_in_memory else "table persisted",
        f"model {model}",
        "collect" if collect else "no collect",
        "chain" if chain else "no chain",
    ]
    if model != "memory":
        traits.append("model persisted")
    # From a source of its own, so that the draws above (and the witness seed) stay.
    whole = random.Random(seed * 7919 + 1).random() < 0.25
    if whole:
        traits.append("fit reads parameters")
    if model == "versioned":
        traits.append("versioned")
    catalog: dict[str, Any] = {
        "metrics": {
            "type": "json.JSONDataset",
            "filepath": "data/{namespace}/{variant}/metrics.json",
        },
    }
    if not table_in_memory:
        catalog["table"] = {"type": "json.JSONDataset", "filepath": "data/{namespace}/table.json"}
    if model != "memory":
        catalog["model"] = {
            "type": "json.JSONDataset",
            "filepath": "data/{namespace}/{variant}/model.json",
            **({"versioned": True} if model == "versioned" else {}),
        }
    models: dict[str, Any] = {
        "shared": ["prep"],
        "pipelines": ["science"],
        "parameters": ["size"],
        "inputs": ["sales", *(["events"] if events else [])],
        "catalog": catalog,
        "variants": {
            v: ({"overrides": {"options": {"alpha": 0.25 * (i + 1)}}} if i else {})
            for i, v in enumerate(variants)
        },
    }
    if collect:
        models["collect"] = {"pipeline": "report", "input": "metrics"}
        catalog["comparison"] = {
            "type": "json.JSONDataset",
            "filepath": "data/{namespace}/comparison.json",
        }
    declaration: dict[str, Any] = {"models": models}
    if chain:
        declaration["forecast"] = {
            "pipelines": ["monthly"],
            "inputs": ["sales"],
            "chain": {"input": "previous_state", "output": "state", "initial": "initial_state"},
            "catalog": {
                name: {
                    "type": "json.JSONDataset",
                    "filepath": f"data/{{namespace}}/{{variant}}/{name}.json",
                }
                for name in ("state", "metrics")
            },
            "variants": {f"m{i}": {"overrides": {"month": i}} for i in (1, 2, 3)},
        }
    parameters = {
        "size": rng.randint(5, 9),
        "options": {"alpha": 1.0},
        "month": 1,
        "dynamic_pipelines": declaration,
    }
    project_catalog: dict[str, Any] = {
        "sales": {"type": "json.JSONDataset", "filepath": "data/raw/sales.json"},
        "initial_state": {"type": "json.JSONDataset", "filepath": "data/raw/initial_state.json"},
    }
    if events:
        project_catalog["events"] = {
            "type": "partitions.PartitionedDataset",
            "path": "data/raw/events",
            "dataset": "json.JSONDataset",
            "filename_suffix": ".json",
        }
    files = {
        **skeleton_files(PACKAGE, "fresh", NODES),
        f"src/{PACKAGE}/pipeline_registry.py": REGISTRY.format(
            prep_inputs=["sales", "params:size", *(["events"] if events else [])],
            fit_inputs=["table", "params:options", *(["parameters"] if whole else [])],
        ),
        "conf/base/parameters.yml": yaml.safe_dump(parameters),
        "conf/base/catalog.yml": yaml.safe_dump(project_catalog),
        "conf/local/.keep": "",
        "conf/other/parameters.yml": yaml.safe_dump(
            {"options": {"alpha": 3.0}, "size": parameters["size"] + 2}
        ),
        "data/raw/sales.json": json.dumps({"1": 9, "2": 12, "3": 8}),
        "data/raw/sales_b.json": json.dumps({"1": 4, "2": 15, "3": 2}),
        "data/raw/initial_state.json": json.dumps({"total": 0, "month": 0}),
    }
    if events:
        for day in range(1, rng.randint(2, 4)):
            files[f"data/raw/events/day{day}.json"] = json.dumps({"n": day * 3})
    return Fresh(seed, files, variants, traits)


# --- Mutations: each changes the project (or its data) as a user would ---


@dataclass(frozen=True)
class Mutation:
    """One kind of change.

    Attributes:
        name: What it changes.
        applies: Whether the project has what it changes.
        apply: Changes the project in place (the random source picks details).
        params: ``--params`` given to status, run --stale and the clean run.
        noop: The change leaves the data as it was: nothing may be stale.
    """

    name: str
    applies: Callable[[Fresh], bool]
    apply: Callable[[Path, Fresh, random.Random], None]
    params: str = ""
    noop: bool = False


def _edit_yaml(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = yaml.safe_load(path.read_text()) or {}
    change(data)
    path.write_text(yaml.safe_dump(data))


def _variant_alpha(project: Path, fresh: Fresh, rng: random.Random) -> None:
    variant = rng.choice(fresh.variants)

    def change(data: dict[str, Any]) -> None:
        spec = data["dynamic_pipelines"]["models"]["variants"][variant] or {}
        spec.setdefault("overrides", {}).setdefault("options", {})["alpha"] = 7.5
        data["dynamic_pipelines"]["models"]["variants"][variant] = spec

    _edit_yaml(project / "conf/base/parameters.yml", change)


def _size(project: Path, fresh: Fresh, rng: random.Random) -> None:
    _edit_yaml(project / "conf/base/parameters.yml", lambda d: d.update(size=d["size"] + 3))


def _local_env(project: Path, fresh: Fresh, rng: random.Random) -> None:
    (project / "conf/local/parameters.yml").write_text(yaml.safe_dump({"options": {"alpha": 1.5}}))


def _input_content(project: Path, fresh: Fresh, rng: random.Random) -> None:
    (project / "data/raw/sales.json").write_text(json.dumps({"1": 1, "2": 2, "3": 30}))


def _input_config(project: Path, fresh: Fresh, rng: random.Random) -> None:
    def change(data: dict[str, Any]) -> None:
        data["sales"]["filepath"] = "data/raw/sales_b.json"

    _edit_yaml(project / "conf/base/catalog.yml", change)


def _output_config(project: Path, fresh: Fresh, rng: random.Random) -> None:
    def change(data: dict[str, Any]) -> None:
        metrics = data["dynamic_pipelines"]["models"]["catalog"]["metrics"]
        metrics["save_args"] = {"indent": 3}

    _edit_yaml(project / "conf/base/parameters.yml", change)


def _partition(project: Path, fresh: Fresh, rng: random.Random) -> None:
    folder = project / "data/raw/events"
    files = sorted(folder.glob("*.json"))
    how = rng.choice(["rewrite", "add", "remove"] if len(files) > 1 else ["rewrite", "add"])
    if how == "rewrite":
        files[rng.randrange(len(files))].write_text(json.dumps({"n": 100}))
    elif how == "add":
        (folder / "day9.json").write_text(json.dumps({"n": 5}))
    else:
        files[-1].unlink()


def _tamper(project: Path, fresh: Fresh, rng: random.Random) -> None:
    variant = rng.choice(fresh.variants)
    (project / f"data/models/{variant}/metrics.json").write_text(json.dumps({"mae": -1.0}))


def _other_env_run(project: Path, fresh: Fresh, rng: random.Random) -> None:
    run_project(project, env="other")


def _delete_version(project: Path, fresh: Fresh, rng: random.Random) -> None:
    folder = project / f"data/models/{fresh.variants[0]}/model.json"  # no override: 9.0 before
    shutil.rmtree(sorted(folder.iterdir())[-1])


def _code(project: Path, fresh: Fresh, rng: random.Random) -> None:
    nodes = project / f"src/{PACKAGE}/nodes.py"
    old, new = rng.choice(
        [
            ("1.0 + len(table) / 100", "2.0 + len(table) / 100"),
            ("len(errors), 6)", "len(errors), 2)"),
            ("total % 7", "total % 5"),
        ]
    )
    text = nodes.read_text()
    assert old in text, old
    nodes.write_text(text.replace(old, new))
    # Same size, maybe the same second: never let Python take the old bytecode.
    shutil.rmtree(nodes.parent / "__pycache__", ignore_errors=True)


def _touch(project: Path, fresh: Fresh, rng: random.Random) -> None:
    later = 10**9 * (int(os.stat(project).st_mtime) + 60)
    for path in (project / "data").rglob("*"):
        if path.is_file() and STATE.name not in path.parts:
            os.utime(path, ns=(later, later))


def _identical(project: Path, fresh: Fresh, rng: random.Random) -> None:
    for path in (project / "data").rglob("*.json"):
        if path.is_file() and STATE.name not in path.parts:
            text = path.read_bytes()
            path.unlink()  # a new file: another inode, another mtime
            path.write_bytes(text)


def _always(fresh: Fresh) -> bool:
    return True


MUTATIONS = [
    Mutation("a variant's parameter", _always, _variant_alpha),
    Mutation("a shared parameter", _always, _size),
    Mutation("--params", _always, lambda p, f, r: None, params="size=4"),
    Mutation("a local environment overlay", _always, _local_env),
    Mutation("an input file's content", _always, _input_content),
    Mutation("an input's catalog entry", _always, _input_config),
    Mutation("an output's save_args", _always, _output_config),
    Mutation("a file inside a folder input", lambda f: f.has("events"), _partition),
    Mutation("an output rewritten by hand", _always, _tamper),
    Mutation("outputs rewritten by a run under another --env", _always, _other_env_run),
    Mutation("the latest version deleted", lambda f: f.has("versioned"), _delete_version),
    Mutation("a node's code", _always, _code),
    Mutation("touch", _always, _touch, noop=True),
    Mutation("identical bytes written again", _always, _identical, noop=True),
]


# --- Running and judging ---


def activate(project: Path) -> None:
    """Bootstrap ``project`` in this process, its package (and code) imported afresh."""
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]
    bootstrap(project)


def run_project(project: Path, *, env: str | None = None, params: str = "") -> None:
    """A full ``kedro run`` of the project, in this process."""
    from kedro.framework.session import KedroSession

    from kedro_dynamic_hooks._kedro_compat import split_params

    runtime = split_params(None, None, params) if params else None
    os.chdir(project)
    with KedroSession.create(project_path=project, env=env, runtime_params=runtime) as session:
        session.run()


def stale_groups(project: Path, params: str) -> list[str]:
    """The groups ``kedro dynamic status`` calls stale."""
    os.chdir(project)
    out = project / "status.json"
    result = dynamic("status", "--json", "-o", str(out), *(["--params", params] if params else []))
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text())
    return sorted(f"{r['group']} ({'; '.join(r['reasons'])})" for r in rows if r["stale"])


def outputs(project: Path) -> dict[str, bytes]:
    """Every persisted output, by path; a versioned dataset's latest version only."""
    found: dict[str, bytes] = {}
    data = project / "data"
    for path in sorted(data.rglob("*")):
        relative = path.relative_to(data)
        if not path.is_file() or relative.parts[0] in ("raw", STATE.name):
            continue
        parts = list(relative.parts)
        # <name>/<version>/<name>: keep the latest version under <name>.
        if len(parts) >= 3 and parts[-3] == parts[-1]:
            key = "/".join([*parts[:-2]])
            versions = sorted((path.parent.parent).iterdir())
            if path.parent != versions[-1]:
                continue
        else:
            key = "/".join(parts)
        found[key] = path.read_bytes()
    return found


def _clean_copy(project: Path, target: Path) -> Path:
    shutil.copytree(project, target)
    for child in (target / "data").iterdir():
        if child.name != "raw":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    return target


@dataclass
class Trial:
    """One mutation on one project, and what went wrong (``problems``)."""

    seed: int
    mutation: str
    stale: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def trial(fresh: Fresh, mutation: Mutation, root: Path) -> Trial:
    """Run, mutate, ``status``, ``run --stale``, ``status``; compare with a clean run."""
    rng = random.Random(f"{fresh.seed}:{mutation.name}")
    project = root / "project"
    for relative, text in fresh.files.items():
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        (project / relative).write_text(text)
    result = Trial(fresh.seed, mutation.name)
    activate(project)
    if mutation.apply is _delete_version:  # an older version with other data first
        run_project(project, params="options.alpha=9.0")
    run_project(project)
    mutation.apply(project, fresh, rng)
    activate(project)
    result.stale = stale_groups(project, mutation.params)
    if mutation.noop and result.stale:
        result.problems.append(f"stale after a change that changes no data: {result.stale}")
    ran = dynamic("run", "--stale", *(["--params", mutation.params] if mutation.params else []))
    if ran.exit_code != 0:
        result.problems.append(f"run --stale failed: {ran.output[-600:]}")
    still = stale_groups(project, mutation.params)
    if still:
        result.problems.append(f"still stale after run --stale: {still}")
    reference = _clean_copy(project, root / "reference")
    activate(reference)
    run_project(reference, params=mutation.params)
    mine, clean = outputs(project), outputs(reference)
    if mine.keys() != clean.keys():
        result.problems.append(f"outputs differ in name: {sorted(mine.keys() ^ clean.keys())}")
    differ = sorted(k for k in mine.keys() & clean.keys() if mine[k] != clean[k])
    if differ:
        result.problems.append(
            f"after status said {result.stale or 'nothing is stale'} and run --stale, these "
            f"outputs differ from a clean run: {differ}"
        )
    return result


def trials(seeds: list[int], root: Path) -> list[Trial]:
    """Every mutation that applies, on each seed's project."""
    done = []
    for seed in seeds:
        fresh = fresh_project(seed)
        for number, mutation in enumerate(m for m in MUTATIONS if m.applies(fresh)):
            done.append(trial(fresh, mutation, root / f"seed{seed}" / str(number)))
    return done


def failures(done: list[Trial]) -> list[str]:
    """One line per trial that went wrong, with the project's traits."""
    return [
        f"seed {t.seed}, {t.mutation} [{'; '.join(fresh_project(t.seed).traits)}]: "
        + " | ".join(t.problems)
        for t in done
        if t.problems
    ]
