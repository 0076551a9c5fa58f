"""Second-order pipelines: a ``variants_from`` table that a node of the project writes.

A namespace's variants are the rows its table had when the project was read.
When a node of the same project writes that table, one ``kedro run`` cannot
both write it and run the variants it lists: Kedro fixes the pipeline before
the first node. So a run that would use an old table, or one not written yet,
is refused before its first node, and ``kedro dynamic run`` runs the writers
first, then the variants, in two sessions.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from kedro.pipeline import Pipeline
from kedro.pipeline.node import Node

from .._checks.table_writers import produced, producing, tables
from .._constants import DEFAULT_PIPELINE
from .._declaration.schema import Declaration
from .._errors import DynamicPipelinesError, ProjectError
from .._expansion.result import Expansion
from .._rerun.journal import state_path
from .._rerun.status import NEVER_RUN, UPSTREAM
from .registry import is_expanded
from .reporting import reported
from .runs import Prepared
from .sources import declaration_source
from .tables import pending_tables

RUN_COMMAND = "kedro dynamic run"


def check_run_tables(
    run: Pipeline, prepared: Prepared, run_params: Mapping[str, Any], *, key: str
) -> None:
    """Refuse a run whose variants would come from an old table, or from none
    (:func:`check_tables`, :func:`check_fresh`), before its first node.

    Raises:
        ReportedError: Naming the namespace, the table and the command to run.
    """
    declaration = prepared.expansion.declaration
    if declaration is None or not any(
        spec.variants_from is not None for spec in declaration.namespaces.values()
    ):
        return
    project = _project_pipeline()
    loader = prepared.loader
    try:
        check_tables(
            run,
            declaration,
            pending_tables(loader),
            project,
            key=key,
            collect=_collect_nodes(prepared.expansion),
        )
        root = run_params.get("project_path")
        if project is not None and root:
            check_fresh(
                run,
                declaration,
                project,
                prepared.expansion,
                prepared.catalog,
                project_path=str(root),
                journal=state_path(root, run_params.get("env")),
                key=key,
            )
    except DynamicPipelinesError as exc:
        raise reported(exc.with_source(declaration_source(loader, key))) from exc


def _project_pipeline() -> Pipeline | None:
    """The registered ``__default__``, if Kedro's registry can give it now."""
    from kedro.framework.project import pipelines

    try:
        return pipelines.get(DEFAULT_PIPELINE)
    except Exception:  # a registry that cannot load now: the run's pipeline will do
        return None


def check_tables(
    run: Pipeline,
    declaration: Declaration,
    pending: Mapping[str, str],
    project: Pipeline | None,
    *,
    key: str,
    collect: Collection[str] = (),
) -> None:
    """Refuse a run whose variants would come from an old table, or from none.

    Args:
        run: The pipeline this run runs.
        declaration: Its namespaces.
        pending: Namespace -> table, for the tables that did not exist.
        project: The project's whole pipeline, to name a writer outside the run.
        key: The declaration's key, for the YAML path.
        collect: The collect steps' node names.

    Raises:
        ProjectError: Naming the namespace, the table, its writer and
            ``kedro dynamic run``.
    """
    involved = _namespaces_in(run.nodes, collect)
    here = {t.namespace: t for t in tables(declaration, run)}
    for table in tables(declaration, project):
        if table.namespace not in involved:
            continue
        path = f"{key}.{table.namespace}.variants_from.dataset"
        writer = here[table.namespace].writer
        if table.namespace in pending:
            fix = (
                f"node '{table.writer}' writes it. Run '{RUN_COMMAND}': it runs that node "
                "first, then the variants of what it wrote."
                if table.writer is not None
                else "no node writes it. Create it, or fix its catalog entry."
            )
            raise ProjectError(
                f"namespace '{table.namespace}' takes its variants from '{table.dataset}', "
                f"which does not exist yet: {fix}",
                path=path,
            )
        if writer is not None:
            raise ProjectError(
                f"namespace '{table.namespace}' takes its variants from '{table.dataset}', "
                f"which node '{writer}' writes in this same run: the variants would be the "
                f"rows the table had before it. Run '{RUN_COMMAND}' with the same flags: it "
                f"runs '{writer}' first, then the variants of what it wrote.",
                path=path,
            )


def check_fresh(
    run: Pipeline,
    declaration: Declaration,
    project: Pipeline,
    expansion: Expansion,
    catalog: Mapping[str, Any],
    *,
    project_path: str,
    journal: Path,
    key: str,
) -> None:
    """Refuse a run of a namespace whose table's writer has changed since it last
    wrote the table: parameters, code or the data it reads (see ``status``).

    Raises:
        ProjectError: Naming the namespace, the table, why and the command.
    """
    involved = _namespaces_in(run.nodes, _collect_nodes(expansion))
    written = [t for t in produced(declaration, project) if t.namespace in involved]
    if not written:
        return
    from .._rerun.stale import group_statuses

    for table in written:
        found = group_statuses(
            producing(project, [table]),
            expansion,
            expansion.parameters,
            catalog,
            project_path=project_path,
            journal=journal,
        )
        # A group never recorded (a table made by hand, a journal elsewhere) says
        # nothing: only a recorded run that no longer matches does.
        why = [
            f"{s.group.name}: {r}"
            for s in found
            for r in s.reasons
            if r != NEVER_RUN and not r.startswith(UPSTREAM)
        ]
        if why:
            raise ProjectError(
                f"namespace '{table.namespace}' takes its variants from '{table.dataset}', "
                f"which may be out of date: what writes it changed since it last ran "
                f"({why[0]}). Run '{RUN_COMMAND}': it rewrites the table first, then "
                "runs the variants of what it wrote.",
                path=f"{key}.{table.namespace}.variants_from.dataset",
            )


def table_notes(
    declaration: Declaration, project: Pipeline, pending: Mapping[str, str], *, key: str
) -> tuple[list[ProjectError], list[str]]:
    """What ``validate`` says of the tables: a missing one nothing writes is an
    error; a table a node writes is a note, with the command that runs it."""
    errors: list[ProjectError] = []
    notes: list[str] = []
    for table in tables(declaration, project):
        missing = table.namespace in pending
        if table.writer is None:
            if missing:
                errors.append(
                    ProjectError(
                        f"namespace '{table.namespace}' takes its variants from "
                        f"'{table.dataset}', which does not exist yet: no node writes it. "
                        "Create it, or fix its catalog entry.",
                        path=f"{key}.{table.namespace}.variants_from.dataset",
                    )
                )
            continue
        state = (
            "does not exist yet (checked with one stand-in variant: the templates, the "
            "catalog templates, the columns' parameter paths)"
            if missing
            else "exists"
        )
        notes.append(
            f"{table.namespace}: '{table.dataset}' {state}; node '{table.writer}' writes it. "
            f"'{RUN_COMMAND}' runs that node first, then the variants ('kedro run' of both "
            "is refused)."
        )
    return errors, notes


def _collect_nodes(expansion: Expansion) -> set[str]:
    return {name for ns in expansion.values() for name in ns.collect}


def _namespaces_in(nodes: Iterable[Node], collect: Collection[str] = ()) -> set[str]:
    """The declared namespaces with a variant's node, or a collect step's, among
    ``nodes``: what depends on the rows. A shared step does not, and may run
    before (or while) its table is written."""
    return {
        n.namespace.split(".")[0]
        for n in nodes
        if n.namespace and is_expanded(n) and ("." in n.namespace or n.name in collect)
    }
