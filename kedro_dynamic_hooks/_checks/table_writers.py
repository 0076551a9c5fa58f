"""Which node writes a ``variants_from`` table, and what must run for it to be written.

Pure: it needs the declaration and a pipeline. ``kedro dynamic run`` runs
:func:`producing` first; the Airflow writer maps the namespace over the rows
the table has when the DAG runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kedro.pipeline import Pipeline
from kedro.pipeline.node import Node

from .._declaration.schema import Declaration
from .._expansion.nodes import base_name


@dataclass(frozen=True)
class Table:
    """A namespace's ``variants_from`` table and the node that writes it, if any."""

    namespace: str
    dataset: str
    writer: str | None = None


def tables(declaration: Declaration, pipeline: Pipeline | None = None) -> list[Table]:
    """Every namespace's table, with the node of ``pipeline`` that writes it."""
    found = [
        Table(name, spec.variants_from.dataset)
        for name, spec in declaration.namespaces.items()
        if spec.variants_from is not None
    ]
    if pipeline is None or not found:
        return found
    writers = _writers(pipeline.nodes)
    return [Table(t.namespace, t.dataset, writers.get(t.dataset)) for t in found]


def produced(declaration: Declaration, pipeline: Pipeline) -> list[Table]:
    """The tables a node of ``pipeline`` writes."""
    return [t for t in tables(declaration, pipeline) if t.writer is not None]


def producing(pipeline: Pipeline, written: Iterable[Table]) -> Pipeline:
    """What must run for ``written`` to be (re)written: the writers and everything
    upstream of them, none of the variants they list."""
    writers = sorted({t.writer for t in written if t.writer is not None})
    return pipeline.to_nodes(*writers) if writers else Pipeline([])


def _writers(nodes: Iterable[Node]) -> dict[str, str]:
    return {base_name(out): n.name for n in nodes for out in n.outputs}
