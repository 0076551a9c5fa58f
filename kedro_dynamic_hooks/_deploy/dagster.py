"""``kedro dynamic dagster``: a kedro-dagster job per namespace, and definitions
that build only the job a process runs.

kedro-dagster reads its jobs from ``conf/<env>/dagster.yml``. One job factory,
``"{namespace}__dynamic"`` over ``__default__`` filtered by
``node_namespaces: ["{namespace}"]``, gives a job per namespace present in the
pipelines: it runs the shared step once, then the variants (in parallel under
the multiprocess executor this writes), then the collect step. Being a
factory, it never names a namespace that is gone. ``dynamic_definitions.py``
(rendered from ``templates/dagster_definitions.py.j2``) builds each job lazily
under ``selecting``, so a step process expands its own namespace only.

Two kedro-dagster behaviours shape the rest: it turns ``__`` in names into
``.`` when it maps ops back to Kedro nodes (so such names are refused, with
the fix), and two jobs that share a node cannot load together (so
``kedro dagster init``'s ``default`` job keeps only the nodes outside the
declaration, or goes).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .._constants import DEFAULT_PIPELINE
from .._expansion.result import Expansion

EXECUTOR = "dynamic_pipelines"
SUFFIX = "dynamic"  # kedro-dagster's factory keys need a tail after '{namespace}'
FACTORY = f"{{namespace}}__{SUFFIX}"
DEFINITIONS = "dynamic_definitions"
TEMPLATE = Path(__file__).parent / "templates" / "dagster_definitions.py.j2"
KEDRO_DAGSTER_SEPARATOR = "__"  # kedro-dagster's stand-in for '.', turned back into '.'
_SAFE = re.compile(r"[A-Za-z0-9_.]+")  # what kedro-dagster keeps as it is
HEADER = (
    "# The '{namespace}__dynamic' job factory, its executor, and the 'default' job are\n"
    "# written by `kedro dynamic dagster`: run it again after changing the declaration.\n"
)


def factory_job(executor: str = EXECUTOR) -> dict[str, Any]:
    """The kedro-dagster job factory: one job per namespace of ``__default__``."""
    return {
        "pipeline": {"pipeline_name": DEFAULT_PIPELINE, "node_namespaces": ["{namespace}"]},
        "executor": executor,
    }


@dataclass
class DagsterConfig:
    """``dagster.yml`` as ``kedro dynamic dagster`` leaves it, and what changed."""

    config: dict[str, Any]
    replaced: bool = False  # the factory key held another job
    removed: list[str] = field(default_factory=list)  # jobs this command wrote before
    default: str | None = None  # what happened to kedro dagster init's 'default' job
    overlapping: list[str] = field(default_factory=list)  # user jobs sharing our nodes


def _written_before(name: str, job: Any) -> bool:
    """A per-namespace job as earlier versions of this command wrote it."""
    return bool(job == {"pipeline": {"pipeline_name": name}, "executor": EXECUTOR})


def _default_filter(job: Any) -> bool:
    """Whether ``job`` is the ``default`` job this command manages: all of
    ``__default__`` (as ``kedro dagster init`` writes it), or the nodes outside the
    declaration (as this command restricted it)."""
    if not isinstance(job, Mapping):
        return False
    pipeline = job.get("pipeline") or {}
    filters = {k for k, v in pipeline.items() if k != "pipeline_name" and v}
    return pipeline.get("pipeline_name", DEFAULT_PIPELINE) == DEFAULT_PIPELINE and filters <= {
        "node_names"
    }


def _overlaps(job: Any, namespaces: Collection[str], nodes: Collection[str]) -> bool:
    """Whether ``job`` would run a node of a namespace job (so that Dagster
    refuses to load both). Filters it cannot judge (tags, from/to nodes) count as no."""
    if not isinstance(job, Mapping):
        return False
    pipeline = job.get("pipeline") or {}
    name = pipeline.get("pipeline_name", DEFAULT_PIPELINE)
    if name in namespaces:
        return True
    if name != DEFAULT_PIPELINE:
        return False
    filters = {k: v for k, v in pipeline.items() if k != "pipeline_name" and v}
    if not filters:
        return True
    spaces = {str(n).split(".")[0] for n in filters.get("node_namespaces") or ()}
    return bool(spaces & set(namespaces)) or bool(set(filters.get("node_names") or ()) & set(nodes))


def updated_config(
    current: Mapping[str, Any],
    namespaces: Iterable[str],
    *,
    outside: list[str],
    declared_nodes: Collection[str] = (),
    registered: Collection[str] = (),
    max_concurrent: int,
    replace_executor: bool = False,
) -> DagsterConfig:
    """``current`` with the job factory and its multiprocess executor.

    Args:
        current: The file's mapping.
        namespaces: The declared namespaces.
        outside: The nodes of ``__default__`` outside the declaration: what the
            ``default`` job keeps.
        declared_nodes: Every node of the declaration's namespaces.
        registered: The registered pipelines' names: a job an earlier version
            wrote for a name that is neither a namespace nor registered any more
            is removed, others are the user's.
        max_concurrent: The executor's process count.
        replace_executor: Write the executor even when the file has one
            (an explicit ``--max-concurrent``).
    """
    namespaces = list(namespaces)
    config = dict(current)
    jobs = dict(config.get("jobs") or {})
    result = DagsterConfig(config)
    result.removed = [
        name
        for name, job in jobs.items()
        if _written_before(name, job) and (name in namespaces or name not in registered)
    ]
    for name in result.removed:
        del jobs[name]
    wanted = factory_job()
    result.replaced = FACTORY in jobs and jobs[FACTORY] != wanted
    jobs[FACTORY] = wanted
    if "default" in jobs and _default_filter(jobs["default"]):
        before = jobs["default"]
        if outside:
            jobs["default"] = {
                **before,
                "pipeline": {"pipeline_name": DEFAULT_PIPELINE, "node_names": outside},
            }
            if jobs["default"] != before:
                result.default = "restricted to the nodes outside the declaration"
        else:
            del jobs["default"]
            result.default = "removed (every node of it is in a namespace job)"
    result.overlapping = [
        name
        for name, job in jobs.items()
        if name not in (FACTORY, "default") and _overlaps(job, namespaces, declared_nodes)
    ]
    executors = dict(config.get("executors") or {})
    wanted_executor = {"multiprocess": {"max_concurrent": max_concurrent}}
    if replace_executor:
        executors[EXECUTOR] = wanted_executor
    else:
        executors.setdefault(EXECUTOR, wanted_executor)
    config["executors"] = executors
    config["jobs"] = jobs
    return result


def _bad(part: str) -> bool:
    return KEDRO_DAGSTER_SEPARATOR in part or part.endswith("_")


def _dataset_problem(name: str) -> str | None:
    """Why kedro-dagster would not give dataset ``name`` back as written, if so."""
    plain = name.removeprefix("params:")
    if "@" in plain:
        return "a transcoded name ('@'), which kedro-dagster writes with '__'"
    if not _SAFE.fullmatch(plain):
        return "a character kedro-dagster writes as '__'"
    bad = next((part for part in plain.split(".") if _bad(part)), None)
    return f"the part '{bad}'" if bad else None


def renamed_by_kedro_dagster(expansion: Expansion, key: str) -> list[str]:
    """One line per name kedro-dagster would not give back as written, with its
    fix: a namespace, variant or dataset name with ``__`` in a part, a part
    ending in ``_`` (``a_.b`` becomes ``a___b``, then ``a._b``), ``@``, or any
    other character it writes as ``__``. Node names are only written, never
    read back, so they may hold anything Kedro allows."""
    problems: list[str] = []
    for namespace, built in expansion.items():
        if _bad(namespace):
            problems.append(f"namespace '{namespace}': rename it at {key}.{namespace}.")
            continue
        spec = expansion.declaration.root[namespace] if expansion.declaration else None
        combined = spec.variant_overrides.keys() - spec.variants.keys() if spec else set()
        matrix = [v for v in built.variants if v in combined and _bad(v)]
        if matrix and spec is not None and spec.matrix is not None:
            fix = (
                f"set 'separator: _x_' at {key}.{namespace}.matrix"
                if KEDRO_DAGSTER_SEPARATOR in spec.matrix.separator
                else f"give its values labels without '__' or a final '_' at "
                f"{key}.{namespace}.matrix.parameters"
            )
            problems.append(
                f"namespace '{namespace}': its matrix names {len(matrix)} combination(s) that "
                f"kedro-dagster rewrites (e.g. '{matrix[0]}'): {fix}."
            )
        problems.extend(
            f"variant '{namespace}.{variant}': rename it at {key}.{namespace}.variants.{variant}."
            for variant in built.variants
            if variant not in combined and _bad(variant)
        )
        own = {namespace, *built.variants}
        seen: set[str] = set()
        for node in built.nodes:
            for name in (*node.inputs, *node.outputs):
                problem = _dataset_problem(name)
                short = ".".join(p for p in name.split(".") if p not in own)
                if problem and short not in seen and not any(_bad(p) for p in own):
                    seen.add(short)
                    problems.append(
                        f"dataset '{name}' in namespace '{namespace}' has {problem}: rename "
                        f"'{short}' in its template or catalog."
                    )
    return problems


def write_config(path: Path, config: Mapping[str, Any]) -> None:
    """Write ``config`` as YAML (comments of the old file are not kept)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + yaml.safe_dump(dict(config), sort_keys=False), encoding="utf-8")


def read_config(path: Path) -> dict[str, Any]:
    """The YAML mapping in ``path``; empty when the file does not exist.

    Raises:
        ValueError: When the file is not a YAML mapping.
    """
    if not path.exists():
        return {}
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(loaded, dict):
        raise ValueError(f"{path} does not hold a YAML mapping.")
    return loaded


def render_definitions(
    target: Path, *, package: str, env: str, project_path: str, key: str
) -> None:
    """Write ``dynamic_definitions.py``: one lazily built job per namespace."""
    import jinja2
    from markupsafe import Markup

    environment = jinja2.Environment(
        autoescape=True, loader=jinja2.FileSystemLoader(TEMPLATE.parent), keep_trailing_newline=True
    )
    environment.filters["pyrepr"] = lambda value: Markup(repr(value))
    text = environment.get_template(TEMPLATE.name).render(
        env=env,
        project_path=project_path,
        key=key,
        suffix=SUFFIX,
        module=f"{package}.{DEFINITIONS}",
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
