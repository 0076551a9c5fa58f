"""The link step: after expansion, everything a pipeline reads must resolve.

A free input of a pipeline (one no node of it produces) must be a parameter or
a catalog entry (explicit, from a dataset factory, or rendered from a
``catalog`` template). Otherwise Kedro stops the run with a long traceback, or,
worse, a later run reads a file an earlier run left behind. This module finds
those inputs and explains each one: the YAML path to change and the fix.

The same functions serve ``kedro dynamic validate`` (every registered
pipeline that holds expanded nodes, against the catalog configuration) and
the hook (the pipeline a run is about to execute, against the run's catalog).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from kedro.pipeline import Pipeline

from .._constants import ALL_PARAMETERS, PARAMS, is_parameter
from .._declaration.names import split_name
from .._errors import ProjectError
from .._expansion.nodes import base_name
from .._expansion.result import Expansion

Known = Callable[[str], bool]


def parameter_known(name: str, parameters: Mapping[str, Any]) -> bool:
    """Whether ``params:a.b`` names a parameter (``parameters`` always exists)."""
    if name == ALL_PARAMETERS:
        return True
    value: Any = parameters
    for part in name[len(PARAMS) :].split("."):
        if not isinstance(value, Mapping) or part not in value:
            return False
        value = value[part]
    return True


def unresolved_inputs(pipeline: Pipeline, known: Known) -> dict[str, list[str]]:
    """Free inputs of ``pipeline`` that ``known`` does not find -> the nodes reading them."""
    missing = sorted(name for name in pipeline.inputs() if not known(name))
    if not missing:
        return {}
    wanted = set(missing)
    readers: dict[str, list[str]] = {name: [] for name in missing}
    for node in pipeline.nodes:
        for name in node.inputs:
            if name in wanted and node.name not in readers[name]:
                readers[name].append(node.name)
    return readers


def explain(
    name: str,
    readers: list[str],
    pipeline_name: str,
    expansion: Expansion | None,
    known: Known,
    *,
    key: str,
    source: str | None,
) -> ProjectError:
    """One unresolved input as a readable error with the fix."""
    reader = readers[0] if readers else "?"
    ns, _, rest = name.partition(".")
    if expansion is not None and ns in expansion and rest:
        producers = _producers(expansion, name)
        template = base_name(rest.rsplit(".", 1)[-1])
        if producers:
            return ProjectError(
                f"'{name}' is read by node '{reader}' but produced by node '{producers[0]}', "
                f"which '{pipeline_name}' does not run, and it is not persisted, so there is "
                "nothing to read. Persist it with a catalog template "
                f"'{key}.{ns}.catalog.{template}' (or a dataset factory in catalog.yml), or run "
                f"the whole namespace: 'kedro run --namespaces {ns}'.",
                path=f"{key}.{ns}.catalog",
                source=source,
            )
        if known(rest.rsplit(".", 1)[-1]):
            return ProjectError(
                f"'{name}' (read by node '{reader}') is not found: '{template}' exists globally "
                f"in the catalog, but namespace '{ns}' reads its own copy. List '{template}' "
                f"under '{key}.{ns}.inputs' to read the global one.",
                path=f"{key}.{ns}.inputs",
                source=source,
            )
    origins = expansion.datasets if expansion is not None else {}
    copies = sorted(d for d, o in origins.items() if o.template == name)
    if copies and "." not in name:
        return ProjectError(
            f"'{name}' (read by node '{reader}' in '{pipeline_name}') is an output of the "
            f"declaration's templates, which run only as namespaced copies "
            f"({', '.join(repr(c) for c in copies[:3])}{', ...' if len(copies) > 3 else ''}): "
            "nothing writes it. Read a namespaced copy, or declare this pipeline in a "
            "namespace (under 'shared' or 'collect'); if it is a template already, run it "
            "through its namespace ('kedro run --pipelines <namespace>').",
            path=reader,
            source="the pipeline registry",
        )
    chains = [ns for ns in (expansion or {}).values() if ns.chain_initial == name]
    if chains:
        return ProjectError(
            f"'{name}', the dataset the chain's first variant reads ('chain.initial'), has no "
            "catalog entry and no node produces it. Name a dataset of catalog.yml there, or "
            "add an entry for it.",
            path=f"{key}.{chains[0].name}.chain.initial",
            source=source,
        )
    if is_parameter(name):
        return ProjectError(
            f"parameter '{name[len(PARAMS) :]}' (read by node '{reader}' in "
            f"'{pipeline_name}') is not defined. Define it in parameters.yml.",
            path=name,
            source="the parameters",
        )
    return ProjectError(
        f"dataset '{name}' (read by node '{reader}' in '{pipeline_name}') is produced by no "
        "node that runs and has no catalog entry. Add an entry (or a dataset factory) for it "
        "in catalog.yml, or run what produces it too.",
        path=name,
        source="the catalog",
    )


def _producers(expansion: Expansion, name: str) -> list[str]:
    return [n.name for n in expansion.nodes if name in n.outputs]


def check_pipeline(
    pipeline: Pipeline,
    pipeline_name: str,
    known: Known,
    expansion: Expansion | None,
    *,
    key: str,
    source: str | None,
) -> list[ProjectError]:
    """Every unresolved input of one pipeline, explained."""
    return [
        explain(name, readers, pipeline_name, expansion, known, key=key, source=source)
        for name, readers in unresolved_inputs(pipeline, known).items()
    ]


def check_produced(
    pipeline: Pipeline,
    run: str,
    exists: Known,
    expansion: Expansion,
    *,
    key: str,
    source: str | None,
) -> ProjectError | None:
    """Refuse a run that reads an expanded dataset no earlier run has written yet.

    Only inputs that some expanded node produces are checked (a shared step's
    table, a previous month's state): a run that skips their producer can only
    read what an earlier run left, and there is nothing yet.
    """
    producers = {o: n.name for n in expansion.nodes for o in n.outputs}
    for name, readers in unresolved_inputs(pipeline, lambda d: d not in producers).items():
        if exists(name):
            continue
        namespace = split_name(name)[0]
        return ProjectError(
            f"'{name}' is read by node '{readers[0]}' but produced by node "
            f"'{producers[name]}', which '{run}' does not run, and no earlier run has written "
            f"it yet. Run its producer first, e.g. 'kedro run --namespaces {namespace}'.",
            path=f"{key}.{namespace}",
            source=source,
        )
    return None


def written_elsewhere(
    pipeline: Pipeline, registry: Mapping[str, Pipeline], skip: Collection[str]
) -> dict[str, tuple[str, str, str]]:
    """Free inputs of ``pipeline`` that a registered pipeline outside it writes.

    Args:
        pipeline: What runs.
        registry: Every registered pipeline.
        skip: Pipelines not to count as writers (templates, expansions).

    Returns:
        Dataset -> (the node reading it, the writing pipeline, its node).
    """
    free = {name for name in pipeline.inputs() if not is_parameter(name)}
    if not free:
        return {}
    running = {node.name for node in pipeline.nodes}
    found: dict[str, tuple[str, str, str]] = {}
    for name in sorted(registry):
        if name in skip:
            continue
        for node in registry[name].nodes:
            if node.name in running:
                continue
            for output in node.outputs:
                if output in free and output not in found:
                    found[output] = ("", name, node.name)
    for node in pipeline.nodes:
        for name in node.inputs:
            if name in found and not found[name][0]:
                found[name] = (node.name, *found[name][1:])
    return found


def outside_the_run(
    dataset: str, reader: str, writer: tuple[str, str], run: str, *, missing: bool
) -> ProjectError:
    """A dataset the run reads and only a pipeline outside it writes."""
    pipeline_name, node_name = writer
    state = (
        "nothing has written it yet"
        if missing
        else "the run reads whatever an earlier run of it left (or fails if none did)"
    )
    return ProjectError(
        f"'{dataset}' (read by node '{reader}' in '{run}') is written by node '{node_name}' "
        f"of pipeline '{pipeline_name}', which '{run}' does not run, and {state}. Run it "
        f"first ('kedro run --pipelines {pipeline_name}'), or put it in __default__ (with "
        "find_dynamic_pipelines, pass default=...).",
        path=dataset,
        source="the pipeline registry",
    )
