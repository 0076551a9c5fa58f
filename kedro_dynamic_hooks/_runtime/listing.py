"""The variants of a namespace as the project reads them now: what an Airflow DAG's
listing task returns, so that a mapped task runs over a table written by an
earlier task of the same DAG run."""

from __future__ import annotations

from typing import Any, cast

from .._errors import ProjectError
from .selecting import selecting
from .service import registered
from .tables import pending_tables


def variant_batches(
    namespace: str,
    batch_size: int = 1,
    *,
    project_path: str,
    env: str | None = None,
    conf_source: str | None = None,
) -> list[list[str]]:
    """The variants of ``namespace`` (``ns.variant``), in batches of ``batch_size``,
    as a new session reads the project: a ``variants_from`` table's current rows.

    Args:
        namespace: A declared namespace.
        batch_size: Variants per batch (one mapped task instance each).
        project_path: The project's folder.
        env: The Kedro environment.
        conf_source: Where the configuration is, if not the project's own.

    Raises:
        ProjectError: When the namespace is not declared, or its table does
            not exist (the task that writes it has not run).
    """
    from kedro.framework.session import KedroSession
    from kedro.framework.startup import bootstrap_project

    bootstrap_project(project_path)
    with (
        selecting(namespaces=[namespace]),
        KedroSession.create(project_path=project_path, env=env, conf_source=conf_source) as s,
    ):
        loader = cast(Any, s).load_context().config_loader
        loaded = registered(loader)
        pending = pending_tables(loader)
    declaration = loaded.expansion.declaration if loaded is not None else None
    if declaration is None or namespace not in declaration.namespaces:
        raise ProjectError(
            f"namespace '{namespace}' is not declared: write the DAG again "
            "('kedro dynamic airflow') after changing the declaration.",
            path=namespace,
        )
    if namespace in pending:
        raise ProjectError(
            f"namespace '{namespace}' takes its variants from '{pending[namespace]}', which "
            "does not exist: the task that writes it must run (and succeed) first.",
            path=namespace,
        )
    names = [f"{namespace}.{v}" for v in declaration.namespaces[namespace].variant_overrides]
    return [names[i : i + batch_size] for i in range(0, len(names), max(batch_size, 1))]
