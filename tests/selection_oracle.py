"""The selection oracle: hostile projects, and a run's view of them built two ways.

A selective run must see exactly what the full expansion, filtered by Kedro,
gives: the same nodes, the same value of every parameter a node reads, the
same resolved catalog entry of every dataset, and the same refusal (except
that under ``kedro run`` the hook refuses a flag that names nothing with its
own one-line error, where the full build reaches Kedro's ``ValueError``). :func:`hostile_project` writes a small real Kedro project from a seed,
with the things that broke selection before: tags equal to variant or
namespace names on template and hand-written nodes, hand-written namespaced
nodes reading variants' data, a template only one namespace uses in a registry
whose ``__default__`` sums everything, nodes reading ``parameters``, collect
and chain steps, an environment that changes the declaration,
``find_dynamic_pipelines`` registries and dataset factories. :func:`observe`
runs a real ``KedroSession`` on it, with ``kedro run``'s click context (the
selective path) or without (everything built), and records what the runner
would get.
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from helpers import bootstrap, dataset_description, kedro_run_context, skeleton_files

PACKAGE = "hostile"

NODES = """
def f(*args):
    return args[0] if args else 1
"""


@dataclass
class Hostile:
    """A generated project and the selections to try on it.

    Attributes:
        seed: What generated it (``hostile_project(seed)`` gives it again).
        files: Path relative to the project -> text.
        selections: ``kedro run`` flags, as click gives them to the run command.
        traits: What is hostile about it, for the report of a failure.
    """

    seed: int
    files: dict[str, str]
    selections: list[dict[str, list[str]]]
    traits: list[str] = field(default_factory=list)

    def write(self, root: Path) -> Path:
        """Write the project under ``root``; return its folder."""
        for relative, text in self.files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return root


def _pick(rng: random.Random, pool: list[str], low: int, high: int) -> list[str]:
    return rng.sample(pool, rng.randint(low, min(high, len(pool))))


def hostile_project(seed: int) -> Hostile:
    """A small Kedro project, hostile to selective startup in ways the seed picks."""
    rng = random.Random(seed)
    traits: list[str] = []
    names = _pick(rng, ["alpha", "beta", "al", "gamma"], 1, 3)
    tag_pool = ["v1", "v2", "alpha", "beta", "audit", "extra", "q"]
    node_tags = {
        name: _pick(rng, tag_pool, 0, 2)
        for name in ("make_table", "fit", "score", "compare", "step")
    }
    if any(node_tags.values()):
        traits.append(f"template tags {node_tags}")
    whole = rng.random() < 0.12
    if whole:
        traits.append("fit reads parameters")
    declaration: dict[str, Any] = {}
    collect_owner = rng.choice(names) if rng.random() < 0.7 else None
    chain_owner = rng.choice(names) if rng.random() < 0.25 else None
    factories = rng.random() < 0.5
    traits.append("factories" if factories else "catalog templates")
    declared: dict[str, list[str]] = {}
    for ns in names:
        if ns == chain_owner:
            variants = [f"m{i}" for i in range(1, rng.randint(2, 4))]
            declaration[ns] = {
                "pipelines": ["monthly"],
                "inputs": ["raw"],
                "chain": {"input": "previous_state", "output": "state", "initial": "initial_state"},
                "variants": {v: {"overrides": {"month": i + 1}} for i, v in enumerate(variants)},
                "catalog": {
                    "state": {
                        "type": "json.JSONDataset",
                        "filepath": "data/{namespace}/{variant}/state.json",
                    }
                },
            }
            declared[ns] = variants
            continue
        spec: dict[str, Any] = {"pipelines": ["science"], "inputs": ["raw"]}
        if rng.random() < 0.6:
            spec["shared"] = ["prep"]
            spec["parameters"] = ["size"]
        else:
            spec["pipelines"] = ["prep", "science"]
            spec["parameters"] = ["size"]
        if ns == collect_owner:
            spec["collect"] = {"pipeline": "report", "input": "metrics"}
        variants = _pick(rng, ["v1", "v2", "v3", "q", "extra"], 1, 3)
        spec["variants"] = {
            v: ({"overrides": {"options": {"alpha": i + 2}}} if i else {})
            for i, v in enumerate(variants)
        }
        if rng.random() < 0.3:
            spec["matrix"] = {"parameters": {"options.beta": [1, 2]}}
            variants = [*variants, "beta_1", "beta_2"]
        if not factories:
            per_variant = ["metrics", "model"] + ([] if "shared" in spec else ["table"])
            spec["catalog"] = {
                name: {
                    "type": "json.JSONDataset",
                    "filepath": f"data/{{namespace}}/{{variant}}/{name}.json",
                }
                for name in per_variant
                if name == "metrics" or rng.random() < 0.9
            }
            if "shared" in spec and rng.random() < 0.9:
                spec["catalog"]["table"] = {
                    "type": "json.JSONDataset",
                    "filepath": "data/{namespace}/table.json",
                }
            if ns == collect_owner:
                spec["catalog"]["comparison"] = {
                    "type": "json.JSONDataset",
                    "filepath": "data/{namespace}/comparison.json",
                }
        declaration[ns] = spec
        declared[ns] = variants
    parameters: dict[str, Any] = {
        "size": 3,
        "month": 0,
        "options": {"alpha": 1, "beta": 0},
        "dynamic_pipelines": declaration,
    }
    local: dict[str, Any] = {}
    if rng.random() < 0.25:
        # The local environment drops a variant and changes a root parameter.
        changed = json.loads(json.dumps(declaration))
        ns = rng.choice([n for n in names if n != chain_owner] or names)
        dropped = list(changed[ns]["variants"])[-1]
        if len(changed[ns]["variants"]) > 1 or "matrix" in changed[ns]:
            del changed[ns]["variants"][dropped]
            declared[ns] = [v for v in declared[ns] if v != dropped]
            traits.append(f"conf/local drops {ns}.{dropped}")
        local = {"size": 5, "dynamic_pipelines": changed}
    catalog: dict[str, Any] = {
        "source": {"type": "json.JSONDataset", "filepath": "data/raw/source.json"},
        "raw": {"type": "json.JSONDataset", "filepath": "data/raw/raw.json"},
        "initial_state": {"type": "json.JSONDataset", "filepath": "data/raw/initial_state.json"},
    }
    if factories:
        for name in ("metrics", "model", "table"):
            catalog[f"{{ns}}.{{variant}}.{name}"] = {
                "type": "json.JSONDataset",
                "filepath": f"data/{{ns}}/{{variant}}/{name}.json",
            }
        for name in ("comparison", "table"):
            catalog[f"{{ns}}.{name}"] = {
                "type": "json.JSONDataset",
                "filepath": f"data/{{ns}}/{name}.json",
            }
        if rng.random() < 0.3:
            catalog["{anything}"] = {
                "type": "pickle.PickleDataset",
                "filepath": "data/other/{anything}.pkl",
            }
            traits.append("catch-all pattern")

    # What the hand-written nodes read: any variant's dataset or parameters.
    readable = ["raw", "params:size"]
    for ns, variants in declared.items():
        for v in variants:
            readable += [f"{ns}.{v}.metrics", f"params:{ns}.{v}"]
        if ns == collect_owner:
            readable.append(f"{ns}.comparison")
        readable.append(f"params:{ns}")
    if rng.random() < 0.1:
        readable.append("parameters")
    audit_reads = _pick(rng, readable, 1, 2)
    summary_reads = _pick(rng, readable, 1, 2)
    audit_tags = _pick(rng, tag_pool, 0, 2)
    summary_tags = _pick(rng, tag_pool, 0, 2)
    traits.append(
        f"audit reads {audit_reads} tags {audit_tags}; summary reads {summary_reads} tags {summary_tags}"
    )
    style = rng.choice(["own", "starter", "find"])
    traits.append(f"registry {style}")

    def node_source(name: str, inputs: list[str], outputs: Any) -> str:
        return f"node(f, {inputs!r}, {outputs!r}, name={name!r}, tags={node_tags.get(name, [])!r})"

    fit_inputs = ["table", "params:options"] + (["parameters"] if whole else [])
    pipelines_source = {
        "prep": f"Pipeline([{node_source('make_table', ['raw', 'params:size'], 'table')}])",
        "science": (
            f"Pipeline([{node_source('fit', fit_inputs, 'model')}, "
            f"{node_source('score', ['model', 'table'], 'metrics')}])"
        ),
        "report": f"Pipeline([{node_source('compare', ['metrics'], 'comparison')}])",
        "monthly": (
            "Pipeline(["
            + node_source(
                "step", ["previous_state", "raw", "params:month"], ["state", "month_metrics"]
            )
            + "])"
        ),
        "audit": (
            f"pipeline([node(f, {audit_reads!r}, 'audit_out', name='check', tags={audit_tags!r})], "
            f"namespace='audit', inputs={set(n for n in audit_reads if not n.startswith('param'))!r} or None, "
            f"parameters={set(n for n in audit_reads if n.startswith('params:'))!r} or None)"
        ),
        "summary": f"Pipeline([node(f, {summary_reads!r}, 'summary_out', name='summary', tags={summary_tags!r})])",
        "ingest": "Pipeline([node(f, 'source', 'raw', name='ingest')])",
    }
    files: dict[str, str] = {
        **skeleton_files(PACKAGE, "hostile", NODES),
        "conf/base/parameters.yml": yaml.safe_dump(parameters),
        "conf/base/catalog.yml": yaml.safe_dump(catalog),
        "conf/local/parameters.yml": yaml.safe_dump(local) if local else "",
        "data/raw/source.json": "1",
        "data/raw/raw.json": "1",
        "data/raw/initial_state.json": "{}",
    }
    header = "from kedro.pipeline import Pipeline, node, pipeline\n\nfrom {dots}nodes import f\n"
    unused = {"report": collect_owner, "monthly": chain_owner}
    if style == "find":
        for name, source in pipelines_source.items():
            if not (unused.get(name, True) or rng.random() < 0.2):
                continue
            files[f"src/{PACKAGE}/pipelines/{name}/__init__.py"] = (
                "from .pipeline import create_pipeline\n"
            )
            files[f"src/{PACKAGE}/pipelines/{name}/pipeline.py"] = (
                header.format(dots="...")
                + f"\n\ndef create_pipeline(**kwargs):\n    return {source}\n"
            )
        files[f"src/{PACKAGE}/pipelines/__init__.py"] = ""
        files[f"src/{PACKAGE}/pipeline_registry.py"] = (
            "from kedro_dynamic_hooks import find_dynamic_pipelines\n\n\n"
            "def register_pipelines():\n    return find_dynamic_pipelines(raise_errors=True)\n"
        )
    else:
        body = "".join(f"    {name} = {source}\n" for name, source in pipelines_source.items())
        summed = [n for n in pipelines_source if unused.get(n, True) or rng.random() < 0.2]
        everything = " + ".join(summed) if style == "starter" else "audit + summary + ingest"
        files[f"src/{PACKAGE}/pipeline_registry.py"] = (
            header.format(dots=".")
            + "\n\ndef register_pipelines():\n"
            + body
            + f"    found = {{{', '.join(f'{n!r}: {n}' for n in pipelines_source)}}}\n"
            + f"    return {{**found, '__default__': {everything}}}\n"
        )
    # Every persisted dataset has data, so that runs of part of a graph can start.
    for ns, variants in declared.items():
        for v in variants:
            for name in ("metrics", "model", "table", "state"):
                files[f"data/{ns}/{v}/{name}.json"] = "{}"
        files[f"data/{ns}/comparison.json"] = "{}"
        files[f"data/{ns}/table.json"] = "{}"

    # Selections: names the run can be given, the hostile ones included.
    pipelines_pool = ["__default__", "audit", "science"]
    namespaces_pool = ["audit", "al"] + (["nosuch"] if rng.random() < 0.2 else [])
    node_pool = ["summary", "audit.check"]
    for ns, variants in declared.items():
        pipelines_pool += [ns, *(f"{ns}.{v}" for v in variants)]
        namespaces_pool += [ns, *(f"{ns}.{v}" for v in variants)]
        spec = declaration[ns]
        own = ["step"] if ns == chain_owner else ["fit", "score"]
        if "prep" in spec["pipelines"]:
            own.append("make_table")
        node_pool += [f"{ns}.{v}.{name}" for v in variants for name in own]
        node_pool += [f"{ns}.make_table"] if "prep" in spec.get("shared", []) else []
        node_pool += [f"{ns}.compare"] if ns == collect_owner else []
    tags_all = sorted({*tag_pool, *names, *(v for vs in declared.values() for v in vs)})
    datasets_pool = ["raw", *(r for r in readable if not r.startswith("param"))]
    selections = []
    for number in range(4):
        flags: dict[str, list[str]] = {}
        for flag, pool, chance in (
            ("pipelines", pipelines_pool, 0.25),
            ("namespaces", namespaces_pool, 0.45),
            ("tags", tags_all, 0.4),
            ("node_names", node_pool, 0.15),
            ("to_nodes", node_pool, 0.04),
        ):
            if rng.random() < chance:
                flags[flag] = _pick(rng, pool, 1, 2)
        # The graph-following flags, from a source of their own, so that the
        # draws above (and the witness seeds) stay as they were.
        graph = random.Random(seed * 1_000_003 + number)
        for flag, pool in (
            ("from_nodes", node_pool),
            ("from_inputs", datasets_pool),
            ("to_outputs", datasets_pool),
        ):
            if graph.random() < 0.04:
                flags[flag] = _pick(graph, pool, 1, 1)
        selections.append(flags)
    # Sometimes one more: an earlier selection with a typo in one value, which
    # both paths must refuse (the selective one with the hook's own message).
    # A source of its own, so the selections above stay as they were.
    typo = random.Random(seed * 2_000_029)
    named = [f for f in selections if {"pipelines", "namespaces", "tags", "node_names"} & f.keys()]
    if named and typo.random() < 0.3:
        flags = {k: list(v) for k, v in typo.choice(named).items()}
        flag = typo.choice(sorted({"pipelines", "namespaces", "tags", "node_names"} & flags.keys()))
        flags[flag][-1] = _misspelt(flags[flag][-1], typo)
        selections.append(flags)
    return Hostile(seed, files, selections, traits)


def _misspelt(name: str, rng: random.Random) -> str:
    """``name`` with two neighbouring letters of its last part swapped (or doubled)."""
    head, dot, last = name.rpartition(".")
    if len(last) < 2:
        return f"{name}x"
    i = rng.randrange(len(last) - 1)
    swapped = last[:i] + last[i + 1] + last[i] + last[i + 2 :]
    if swapped == last:
        swapped = last[: i + 1] + last[i:]
    return f"{head}{dot}{swapped}"


@dataclass
class Observation:
    """What a run of one selection gets, or how it was refused.

    Attributes:
        refused: The error's type and first line, or ``""``.
        nodes: Node name -> (inputs, outputs, tags).
        values: Each parameter input -> its value.
        datasets: Each other dataset -> its resolved type and config.
        selective: Whether the hook built only part of the declaration.
    """

    refused: str = ""
    nodes: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    datasets: dict[str, Any] = field(default_factory=dict)
    selective: bool = False

    def same_as(self, other: Observation) -> bool:
        """Whether a run would notice no difference."""
        return (self.refused, self.nodes, self.values, self.datasets) == (
            other.refused,
            other.nodes,
            other.values,
            other.datasets,
        )


def _runner() -> Any:
    from kedro.runner import SequentialRunner

    class Observing(SequentialRunner):
        """Records what the runner is handed; runs nothing."""

        seen: Any = None

        def run(self, pipeline: Any, catalog: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
            self.seen = (pipeline, catalog)
            return {}

    return Observing()


def observe(project: Path, flags: dict[str, list[str]], *, selective: bool) -> Observation:
    """Run ``KedroSession.run`` with ``flags`` on a bootstrapped ``project``, with
    the hook reading them from ``kedro run``'s context (``selective``) or not."""
    import contextlib

    from kedro.framework.session import KedroSession

    from kedro_dynamic_hooks import DynamicPipelinesError

    runner = _runner()
    ctx = kedro_run_context(**flags) if selective else contextlib.nullcontext()
    seen = Observation()
    try:
        with KedroSession.create(project_path=project) as session, ctx:
            session.run(
                pipeline_names=flags.get("pipelines") or None,
                namespaces=flags.get("namespaces") or None,
                tags=flags.get("tags") or None,
                node_names=flags.get("node_names") or None,
                to_nodes=flags.get("to_nodes") or None,
                from_nodes=flags.get("from_nodes") or None,
                from_inputs=flags.get("from_inputs") or None,
                to_outputs=flags.get("to_outputs") or None,
                runner=runner,
            )
    except (DynamicPipelinesError, ValueError, KeyError) as error:
        seen.refused = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        return seen
    from kedro_dynamic_hooks._runtime.runs import prepared_here

    prepared = prepared_here()
    seen.selective = bool(prepared and prepared.expansion.partial)
    pipeline, catalog = runner.seen
    for node in sorted(pipeline.nodes, key=lambda n: n.name):
        seen.nodes[node.name] = (node.inputs, node.outputs, sorted(node.tags), node.namespace)
    for name in sorted(pipeline.datasets()):
        if name == "parameters" or name.startswith("params:"):
            seen.values[name] = catalog.load(name)
        else:
            seen.datasets[name] = dataset_description(catalog, name)
    return seen


def fresh(project: Path) -> None:
    """Bootstrap ``project`` in this process, its package imported afresh."""
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]
    bootstrap(project)


@dataclass
class Verdict:
    """The oracle's verdict on some seeds.

    Attributes:
        compared: Selections compared.
        selective: Of those, how many the hook built selectively.
        refused: Of those, how many both paths refused alike.
        typos: Of those, how many the hook refused on the selective path for a
            flag that names nothing (``SelectionError``).
        differences: One line per selection whose two views differ.
    """

    compared: int = 0
    selective: int = 0
    refused: int = 0
    typos: int = 0
    differences: list[str] = field(default_factory=list)


def _difference(full: Observation, part: Observation) -> str:
    if full.refused != part.refused:
        # Under `kedro run` the hook refuses a flag that names nothing with its own
        # message (SelectionError), where the full build reaches Kedro's ValueError.
        typo = "SelectionError" in part.refused.split(":")[0]
        if not (typo and full.refused.startswith(("ValueError", "KeyError"))):
            return f"full build: {full.refused or 'runs'}; selective: {part.refused or 'runs'}"
    if full.refused:
        return ""
    nodes = sorted(set(full.nodes) ^ set(part.nodes))
    if nodes:
        return f"nodes only one of them runs: {nodes}"
    for kind in ("nodes", "values", "datasets"):
        one, other = getattr(full, kind), getattr(part, kind)
        for name in sorted(set(one) | set(other)):
            if one.get(name) != other.get(name):
                return (
                    f"{kind[:-1]} {name!r}: full {one.get(name)!r}, selective {other.get(name)!r}"
                )
    return ""


def judge(seeds: list[int], root: Path, prepare: Any) -> Verdict:
    """Compare both views of every selection of every seed's project.

    Args:
        seeds: Which projects to generate.
        root: A folder to write them under.
        prepare: Called with each project's folder to bootstrap it in this
            process (chdir, ``sys.path``), before :func:`fresh`.
    """
    verdict = Verdict()
    for seed in seeds:
        hostile = hostile_project(seed)
        project = hostile.write(root / f"seed{seed}")
        prepare(project)
        fresh(project)
        for flags in hostile.selections:
            full = observe(project, flags, selective=False)
            part = observe(project, flags, selective=True)
            verdict.compared += 1
            verdict.selective += part.selective
            verdict.refused += bool(full.refused)
            verdict.typos += "SelectionError" in part.refused.split(":")[0]
            problem = _difference(full, part)
            if problem:
                verdict.differences.append(
                    f"seed {seed}, kedro run {flags}: {problem} [{'; '.join(hostile.traits)}]"
                )
    return verdict
