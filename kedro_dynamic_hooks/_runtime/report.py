"""What ``kedro dynamic list`` and ``plan`` show, computed from an opened project."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kedro.pipeline import Pipeline

from .._checks.catalog_index import resolve_filepaths, shown_path
from .._checks.groups import task_groups
from .._constants import DEFAULT_PIPELINE, is_parameter
from .._expansion.selection import Selection, startup
from .service import neighbours_of
from .session import Project


class UnknownSelection(ValueError):
    """Raised when ``plan``'s flags name an unknown pipeline or select no node."""


def namespace_summaries(project: Project) -> list[dict[str, Any]]:
    """Per namespace: its kind, node counts by role and each variant's node count."""
    expansion = project.expansion
    summaries = []
    for ns, variants in expansion.variants.items():
        pipeline = expansion.pipelines[ns]
        per_variant = {n for v in variants for n in expansion.pipelines[f"{ns}.{v}"].nodes}
        own = [n for n in pipeline.nodes if n not in per_variant]
        shared = sum(1 for n in own if set(variants) <= n.tags)  # shared: every variant tag
        summaries.append(
            {
                "namespace": ns,
                "kind": expansion.kinds[ns],
                "nodes": len(pipeline.nodes),
                "shared": shared,
                "collect": len(own) - shared,
                "per_variant": len(pipeline.nodes) - len(own),
                "variants": {
                    name: len(expansion.pipelines[f"{ns}.{name}"].nodes) for name in variants
                },
            }
        )
    return summaries


def plan_report(
    project: Project,
    pipeline_names: Sequence[str],
    *,
    tags: Sequence[str] = (),
    namespaces: Sequence[str] = (),
    node_names: Sequence[str] = (),
    from_nodes: Sequence[str] = (),
    to_nodes: Sequence[str] = (),
    groups: bool = False,
) -> dict[str, Any]:
    """What ``kedro run`` with these flags would run, with which parameters, writing
    where, and what its startup builds.

    Raises:
        UnknownSelection: For an unknown pipeline, or flags that leave no node.
        DynamicPipelinesError: When the task groups cannot be ordered.
    """
    names = list(pipeline_names) or [DEFAULT_PIPELINE]
    missing = [name for name in names if name not in project.pipelines]
    if missing:
        raise UnknownSelection(f"Unknown pipeline(s): {', '.join(missing)}.")
    try:
        selected = Pipeline([project.pipelines[name] for name in names]).filter(
            tags=list(tags) or None,
            node_namespaces=list(namespaces) or None,
            node_names=list(node_names) or None,
            from_nodes=list(from_nodes) or None,
            to_nodes=list(to_nodes) or None,
        )
    except ValueError as exc:  # Kedro: no node left after the filters
        known = ", ".join(project.expansion.variants)
        raise UnknownSelection(
            f"{exc} Namespaces: {known}; every variant name is a tag too."
        ) from exc
    result = _what_runs(project, selected)
    selection = Selection.from_flags(
        {
            "pipeline_names": pipeline_names,
            "namespaces": namespaces,
            "tags": tags,
            "node_names": node_names,
            "from_nodes": from_nodes,
            "to_nodes": to_nodes,
        }
    )
    declaration = project.expansion.declaration
    assert declaration is not None  # every expansion of a project carries its declaration
    result["startup"] = startup(
        selection, declaration, neighbours_of(declaration, project.pipelines)
    )
    if groups:
        result["groups"] = [g.as_dict() for g in task_groups(selected, project.expansion)]
    return result


def _what_runs(project: Project, pipeline: Pipeline) -> dict[str, Any]:
    nodes = [n.name for n in pipeline.nodes]
    variants = sorted({v for n in pipeline.nodes if (v := project.variant_of(n.namespace))})
    params = project.loader["parameters"]
    diffs = {}
    for variant in variants:
        ns, name = variant.split(".", 1)
        diffs[variant] = diff(project.base, params[ns][name])
    datasets = sorted(d for d in pipeline.datasets() if not is_parameter(d))
    root = project.project_path.as_posix()
    paths = resolve_filepaths(project.loader["catalog"], datasets, project_path=root)
    return {
        "nodes": nodes,
        "parameters": diffs,
        "datasets": {
            name: shown_path(path, root) for name, path in paths.items() if path is not None
        },
    }


def diff(base: Mapping[str, Any], variant: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flattened ``{dotted.key: [base value, variant value]}`` where they differ."""
    changes: dict[str, Any] = {}
    for key, value in variant.items():
        path = f"{prefix}{key}"
        before = base.get(key) if isinstance(base, Mapping) else None
        if isinstance(value, Mapping) and isinstance(before, Mapping):
            changes.update(diff(before, value, f"{path}."))
        elif value != before:
            changes[path] = [before, value]
    return changes
