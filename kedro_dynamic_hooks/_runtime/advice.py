"""What to do when a variant fails: which variant, and the commands that finish the run."""

from __future__ import annotations

from kedro.pipeline import Pipeline
from kedro.pipeline.node import Node

from .._declaration.names import split_name
from .._expansion.result import Expansion
from .runs import RunState
from .selecting import describe_run


def failure_advice(node: Node, error: Exception, run: RunState | None) -> str | None:
    """The log line for a failed node of a variant, or ``None`` for other nodes."""
    namespace, variant, _ = split_name(node.namespace)
    if not variant or not {namespace, variant} <= node.tags:
        return None  # not a node of one of our variants
    roots = _rerun_roots(run, namespace, variant)
    rerun = f"'kedro run --from-nodes {','.join(roots or [node.name])}'"
    unfinished = _unfinished(run, roots or [node.name])
    if unfinished:
        # --from-nodes alone would stop at a collect step missing other variants.
        advice = (
            f"first complete the rest of this run with '{unfinished} "
            f"--only-missing-outputs', then, if this variant had outputs from an earlier "
            f"run, re-run it and what depends on it with {rerun}"
        )
    else:
        advice = f"re-run this variant and what depends on it with {rerun}"
    return (
        f"Variant '{namespace}.{variant}' failed in node '{node.name}': "
        f"{str(error).rstrip('.')}.{_unchecked(run, namespace, variant)} Outputs that other "
        "variants already saved are untouched. After fixing it, 'kedro dynamic run --stale' "
        "re-runs exactly what is stale: this variant, what reads its outputs, and what this "
        f"run did not reach. By hand: {advice}."
    )


def _unchecked(run: RunState | None, namespace: str, variant: str) -> str:
    """The variant's keys added under an empty base mapping (a typo there reaches
    the node unchecked, e.g. as an unexpected keyword argument), as a sentence."""
    if run is None or run.prepared is None:
        return ""
    expansion = run.prepared.expansion
    keys = [k for k in expansion.added_keys if _applies(k, expansion, namespace, variant)]
    if not keys:
        return ""
    return (
        " Its parameters add keys under an empty base mapping, which nothing checks for "
        f"typos: {', '.join(k.rsplit('.', 1)[-1] for k in keys)} ({keys[0]}"
        f"{' and more' if len(keys) > 1 else ''})."
    )


def _applies(key: str, expansion: Expansion, namespace: str, variant: str) -> bool:
    """Whether an added key (a YAML path, or ``--params <path>``) reaches the variant."""
    declaration = expansion.declaration
    spec = declaration.namespaces.get(namespace) if declaration is not None else None
    if key.startswith("--params "):
        top, _, rest = key[len("--params ") :].partition(".")
        if declaration is None or top not in declaration.namespaces:
            return True  # a root parameter: every variant inherits it
        second = rest.partition(".")[0]
        return top == namespace and (second == variant or second not in expansion.variants[top])
    named = spec is not None and variant in spec.variants
    return (
        f".{namespace}.variants.{variant}." in key
        or f".{namespace}.overrides." in key
        or (f".{namespace}.matrix." in key and not named)
    )


def _rerun_roots(run: RunState | None, namespace: str, variant: str) -> list[str]:
    """The first nodes of the failed variant and, in a chain, of every later month.

    A later month's first node need not read the earlier month's state, so
    ``--from-nodes`` of the failed month alone would leave part of them out.
    """
    if run is None or run.prepared is None or namespace not in run.prepared.expansion:
        return []
    expansion = run.prepared.expansion[namespace]
    later = list(expansion.variants)
    start = later.index(variant) if variant in later else 0
    months = later[start:] if expansion.kind == "chain" else [variant]
    pipelines = expansion.pipelines
    return [name for m in months for name in _roots(pipelines.get(f"{namespace}.{m}"))]


def _unfinished(run: RunState | None, roots: list[str]) -> str | None:
    """The run's command when nodes other than the re-run's have not finished."""
    if run is None:
        return None
    try:
        rerun = {n.name for n in run.pipeline.from_nodes(*roots).nodes}
    except ValueError:  # the variant's first nodes are not in this run
        rerun = set()
    left = {n.name for n in run.pipeline.nodes} - run.done - rerun
    return describe_run(run.run_params) if left else None


def _roots(pipeline: Pipeline | None) -> list[str]:
    """The nodes of a variant that read nothing the variant itself produces."""
    if pipeline is None:
        return []
    produced = {o for n in pipeline.nodes for o in n.outputs}
    return [n.name for n in pipeline.nodes if not set(n.inputs) & produced]
