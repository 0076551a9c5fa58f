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

from collections.abc import Iterable, Mapping
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


def _is_ours(name: str, job: Any) -> bool:
    """A per-namespace job as earlier versions of this command wrote it."""
    return bool(job == {"pipeline": {"pipeline_name": name}, "executor": EXECUTOR})


def _runs_everything(job: Any) -> bool:
    """Whether ``job`` runs the whole ``__default__`` pipeline (every namespace's nodes)."""
    if not isinstance(job, Mapping):
        return False
    pipeline = job.get("pipeline") or {}
    filters = {k: v for k, v in pipeline.items() if k != "pipeline_name" and v}
    return bool(pipeline.get("pipeline_name", DEFAULT_PIPELINE) == DEFAULT_PIPELINE) and not filters


def updated_config(
    current: Mapping[str, Any],
    namespaces: Iterable[str],
    *,
    outside: list[str],
    max_concurrent: int,
    replace_executor: bool = False,
) -> DagsterConfig:
    """``current`` with the job factory and its multiprocess executor.

    Args:
        current: The file's mapping.
        namespaces: The declared namespaces.
        outside: The nodes of ``__default__`` outside the declaration: what the
            ``default`` job keeps.
        max_concurrent: The executor's process count.
        replace_executor: Write the executor even when the file has one
            (an explicit ``--max-concurrent``).
    """
    namespaces = list(namespaces)
    config = dict(current)
    jobs = dict(config.get("jobs") or {})
    result = DagsterConfig(config)
    result.removed = [name for name, job in jobs.items() if _is_ours(name, job)]
    for name in result.removed:
        del jobs[name]
    wanted = factory_job()
    result.replaced = FACTORY in jobs and jobs[FACTORY] != wanted
    jobs[FACTORY] = wanted
    if "default" in jobs and _runs_everything(jobs["default"]):
        if outside:
            jobs["default"] = {
                **jobs["default"],
                "pipeline": {"pipeline_name": DEFAULT_PIPELINE, "node_names": outside},
            }
            result.default = "kept for the nodes outside the declaration"
        else:
            del jobs["default"]
            result.default = "removed (every node of it is in a namespace job)"
    result.overlapping = [
        name
        for name, job in jobs.items()
        if name != FACTORY
        and (
            _runs_everything(job)
            or (
                isinstance(job, Mapping)
                and (job.get("pipeline") or {}).get("pipeline_name") in namespaces
            )
        )
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


def _parts(name: str) -> list[str]:
    """The dotted parts of a node or dataset name (``params:`` and ``@...`` aside)."""
    return name.removeprefix("params:").split("@")[0].split(".")


def renamed_by_kedro_dagster(expansion: Expansion, key: str) -> list[str]:
    """One line per name kedro-dagster would not give back as written, with its
    fix: a part of a namespace, variant, node or dataset name holding ``__``, or
    ending in ``_`` (``a_.b`` becomes ``a___b``, then ``a._b``)."""
    problems: list[str] = []
    for namespace, built in expansion.items():
        if _bad(namespace):
            problems.append(f"namespace '{namespace}': rename it at {key}.{namespace}.")
            continue
        spec = expansion.declaration.root[namespace] if expansion.declaration else None
        combined = spec.variant_overrides.keys() - spec.variants.keys() if spec else set()
        matrix = [v for v in built.variants if v in combined and _bad(v)]
        if matrix:
            problems.append(
                f"namespace '{namespace}': its matrix names {len(matrix)} combination(s) with "
                f"'__' (e.g. '{matrix[0]}'): set 'separator: _x_' at {key}.{namespace}.matrix."
            )
        problems.extend(
            f"variant '{namespace}.{variant}': rename it at {key}.{namespace}.variants.{variant}."
            for variant in built.variants
            if variant not in combined and _bad(variant)
        )
        own = {namespace, *built.variants}
        seen: set[str] = set()
        for node in built.nodes:
            for name in (node.name, *node.inputs, *node.outputs):
                for part in _parts(name):
                    if part not in own and part not in seen and _bad(part):
                        seen.add(part)
                        problems.append(f"'{name}' in namespace '{namespace}': rename '{part}'.")
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
