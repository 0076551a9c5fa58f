"""The checks before a run's first node: nothing it reads may be missing.

``before_pipeline_run`` fires after the catalog exists and before the runner,
outside the ``try`` that fires ``on_pipeline_error``: refusing there stops the
run before its first node, with one line instead of Kedro's traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kedro.io import DatasetError
from kedro.pipeline import Pipeline

from .._checks.catalog_index import dataset_origin_path
from .._checks.folders import folder_reads_before_writes
from .._checks.inputs import (
    check_pipeline,
    check_produced,
    outside_the_run,
    written_elsewhere,
)
from .._constants import DEFAULT_PIPELINE
from .._errors import DynamicPipelinesError, ProjectError, combine
from .._expansion.result import Expansion
from .._expansion.selection import Selection, needed
from .config import original
from .reporting import first_line, reported
from .selecting import describe_run
from .sources import declaration_source


def check_run(
    pipeline: Pipeline,
    run_params: Mapping[str, Any],
    catalog: Any,
    catalog_config: Mapping[str, Any],
    expansion: Expansion,
    loader: Any,
    *,
    key: str,
) -> None:
    """Refuse a run that reads what nothing provides, or whose datasets cannot be made.

    Raises:
        ReportedError: Naming the node, the YAML path and the fix.
    """
    run = describe_run(run_params)
    if expansion.partial:
        _refuse_uncovered(expansion, run_params)
    errors = check_pipeline(
        pipeline, run, lambda name: name in catalog, expansion, key=key, source=None
    )
    problem: DynamicPipelinesError | None = combine(errors)
    if problem is not None:
        if problem.source is None:
            problem = problem.with_source(declaration_source(loader, key))
        raise reported(problem)
    unwritten = check_produced(
        pipeline, run, lambda name: _exists(catalog, name), expansion, key=key, source=None
    )
    if unwritten is not None:  # the file is named only now: finding it reads YAML
        raise reported(unwritten.with_source(declaration_source(loader, key)))
    _refuse_unwritten_elsewhere(pipeline, run, catalog, expansion)
    project = run_params.get("project_path")
    early = combine(
        folder_reads_before_writes(
            pipeline, catalog_config, project_path=str(project or "."), run=run
        )
    )
    if early is not None:
        raise reported(early)
    # Kedro creates every dataset of the run before the first node, and stops
    # with a traceback if one cannot be (a misspelt type); create them first.
    for name in sorted(pipeline.datasets()):
        try:
            catalog.get(name)
        except DatasetError as exc:
            where = dataset_origin_path(name, expansion, key)
            config = original(loader, "catalog").get(name) or expansion.catalog.get(name)
            kind = f" (type '{config['type']}')" if isinstance(config, Mapping) else ""
            raise reported(
                ProjectError(
                    f"dataset '{name}'{kind} cannot be created: {first_line(exc)}",
                    path=where,
                    source=declaration_source(loader, key) if where != name else "the catalog",
                )
            ) from exc


def _refuse_uncovered(expansion: Expansion, run_params: Mapping[str, Any]) -> None:
    """Refuse a run that selects variants the partial build left out.

    ``kedro run`` builds from its own flags, so this cannot happen there;
    with :func:`selecting`, a ``session.run`` that asks for more than was
    announced would otherwise skip nodes silently.
    """
    declared = expansion.declared_variants or {}
    wanted = needed(
        Selection.from_flags(run_params), declared, chains=(), neighbours=expansion.neighbours
    )
    built = {name: set(ns.variants) for name, ns in expansion.items()}
    missing = [
        name
        for name, variants in ({"every namespace": None} if wanted is None else wanted).items()
        if name not in built
        or (variants is None and built[name] != set(declared[name]))
        or (variants is not None and not variants <= built[name])
    ]
    if missing:
        raise reported(
            ProjectError(
                f"'{describe_run(run_params)}' selects {', '.join(sorted(missing))}, but "
                "only the variants announced with selecting(...) were built. Give "
                "selecting(...) the same selection as the run.",
                path="selecting",
                source="the run",
            )
        )


def _refuse_unwritten_elsewhere(
    pipeline: Pipeline, run: str, catalog: Any, expansion: Expansion
) -> None:
    """Refuse a run that reads what only a pipeline outside it writes, not written yet
    (a global step left out of ``__default__``): Kedro would stop with a traceback."""
    from kedro.framework.project import pipelines

    skip = {*expansion.templates, *expansion.pipelines, DEFAULT_PIPELINE}
    elsewhere = written_elsewhere(pipeline, dict(pipelines.items()), skip)
    for name, (reader, *writer) in elsewhere.items():
        if not _exists(catalog, name):
            raise reported(outside_the_run(name, reader, (writer[0], writer[1]), run, missing=True))


def _exists(catalog: Any, name: str) -> bool:
    """Whether the dataset has data; ``True`` when its type cannot tell."""
    # No warnings.catch_warnings() here: it is process-wide (not thread-safe) and
    # resets the warning registry, so every warning already shown shows again.
    try:
        return bool(catalog.exists(name))
    except Exception:  # an exists() that fails is for the run to report
        return True
