"""The Kedro hook: lifecycle glue around the pure expansion core.

Kedro facts this module relies on (checked against Kedro 1.3 and 1.7):

- ``KedroSession.run`` calls ``pipelines.set_requested(...)`` and then
  ``load_context()``, which fires ``after_context_created``; the pipelines are
  read from the registry only after that, and the catalog after that.
- ``config_loader[key] = value`` is returned as is by later reads, so writing
  the expanded parameters there is what ``context.params``, ``params:`` inputs
  and Kedro's parameter validation see. Runtime params are merged only when
  files are read, so the expansion re-applies them.
- Reading ``context.params`` here would validate and cache the unexpanded
  parameters, so the expansion reads ``config_loader["parameters"]`` instead.
- ``before_pipeline_run`` and every node hook receive the run id and the
  run's catalog, which find the run's own state (see ``runs.py``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from kedro.framework.hooks import hook_impl

from .._constants import DEFAULT_KEY, LOGGER
from .._errors import DynamicPipelinesError, SelectionError
from .._rerun.journal import state_path
from .._rerun.recorder import Paths, RunRecorder
from .advice import failure_advice
from .config import missing_environment
from .flags import check_registered
from .prerun import check_run
from .producers import check_run_tables
from .registry import register
from .reporting import reported
from .runs import Prepared, Runs, RunState, prepare, prepared_here
from .selecting import flags_are_kedros, run_selection
from .service import load_expansion, read_declaration, remember
from .stack import on_fresh_stack
from .verdicts import remember_pass

if TYPE_CHECKING:
    from kedro.framework.context import KedroContext
    from kedro.pipeline import Pipeline
    from kedro.pipeline.node import Node

logger = logging.getLogger(LOGGER)


class DynamicPipelinesHook:
    """Expands the ``dynamic_pipelines`` declaration of a project's parameters.

    Register an instance in ``settings.py``::

        from kedro_dynamic_hooks import DynamicPipelinesHook

        HOOKS = (DynamicPipelinesHook(),)

    One instance serves every run of the process, concurrent ones included:
    it keeps no state of its own about a run.

    Args:
        key: The top-level parameters key that holds the declaration.
    """

    def __init__(self, key: str = DEFAULT_KEY) -> None:
        self.key = key
        self._runs = Runs()

    @hook_impl(wrapper=True)
    def after_context_created(self, context: KedroContext) -> Generator[None, None, None]:
        """Validate the declaration, then register pipelines, parameters and datasets;
        once every other hook has run, check that the run's flags name something."""
        # A wrapper: the expansion runs before every other hook's after_context_created
        # (they see the variants), the flag check after them all (a hook may add a
        # pipeline that --pipelines names). Its loops (Kedro's config parse, the
        # expansion) run far from the edge of a frame chunk (see stack.py); what it
        # prepared goes to this thread's run.
        prepare(None)  # a context that fails to expand leaves nothing for a run
        prepared = on_fresh_stack(self._expand, context)
        prepare(prepared)
        result = yield
        if prepared is not None:
            self._check_flags(prepared)
        return result

    def _check_flags(self, prepared: Prepared) -> None:
        """Refuse ``kedro run`` flags that name nothing, before Kedro's traceback.

        Only under Kedro's own ``run`` (or ``selecting``); a project's own ``run``
        command may rewrite its flags before the run, so there it is a warning.
        """
        selection = run_selection()
        declaration = prepared.expansion.declaration
        if selection is None or declaration is None:
            return
        try:
            warnings = check_registered(selection, declaration)
        except SelectionError as exc:
            if not flags_are_kedros():
                logger.warning("%s (this project's own 'run' may change the flags)", exc)
                return
            raise reported(exc) from exc
        for warning in warnings:
            logger.warning("%s", warning)

    def _expand(self, context: KedroContext) -> Prepared | None:
        started = time.perf_counter()
        loader = context.config_loader
        try:
            read = read_declaration(loader, self.key, context.project_path)
            if read is None:
                if missing_environment(loader) is None:  # else Kedro reports the environment
                    logger.warning(
                        "DynamicPipelinesHook is registered but the parameters have no '%s' "
                        "key: nothing to expand.",
                        self.key,
                    )
                return None
            declaration, parameters = read
            selection = run_selection()
            loaded = load_expansion(
                loader,
                declaration,
                parameters,
                key=self.key,
                project_path=str(context.project_path),
                selection=selection,
            )
            loader["parameters"] = loaded.expansion.parameters
            loader["catalog"] = loaded.catalog
            register(loaded.expansion)
        except DynamicPipelinesError as exc:
            raise reported(exc) from exc
        remember(loader, loaded)
        expansion = loaded.expansion
        logger.info(
            "Expanded %d namespace(s) into %d variant(s) and %d node(s) in %.2fs%s.",
            len(expansion.variants),
            sum(len(v) for v in expansion.variants.values()),
            len(expansion.nodes),
            time.perf_counter() - started,
            " (only what this run's selection can touch)" if expansion.partial else "",
        )
        return Prepared(expansion, loader, loaded.verdict, loaded.catalog)

    @hook_impl
    def before_pipeline_run(
        self, run_params: dict[str, Any], pipeline: Pipeline, catalog: Any
    ) -> None:
        """Refuse to start a run whose pipeline reads a dataset nothing provides.

        Kedro would stop on it too, but with a traceback; this names the node,
        the YAML path and the fix (persist it, or list it under ``inputs``).
        """
        prepared = prepared_here()
        state = RunState(pipeline, run_params, prepared)
        run_id = run_params.get("run_id") or run_params.get("session_id")
        if prepared is not None:
            expansion, loader = prepared.expansion, prepared.loader
            check_run(
                pipeline, run_params, catalog, prepared.catalog, expansion, loader, key=self.key
            )
            check_run_tables(pipeline, prepared, run_params, key=self.key)
            if expansion.added_keys:
                logger.warning("%s", added_keys_warning(expansion.added_keys))
            if prepared.verdict is not None and run_params.get("project_path"):
                remember_pass(str(run_params["project_path"]), prepared.verdict)
            state.recorder = _recorder(pipeline, prepared, run_params)
        self._runs.start(run_id, catalog, state)

    @hook_impl
    def after_node_run(
        self, node: Node, catalog: Any, outputs: dict[str, Any], run_id: str
    ) -> None:
        """Count the node as done, for the advice after a failure; its task group
        is recorded once all of the group's nodes have saved their outputs."""
        state = self._runs.get(run_id, catalog)
        if state is None:
            return  # a worker process of ParallelRunner: the parent records
        state.done.add(node.name)
        if state.recorder is not None:
            state.recorder.node_ran(node.name, outputs)

    @hook_impl
    def after_dataset_saved(self, dataset_name: str, node: Node) -> None:
        """Count an output as saved (Kedro saves after ``after_node_run``)."""
        self._runs.saved(node.name, dataset_name)

    @hook_impl
    def on_node_error(self, error: Exception, node: Node, catalog: Any, run_id: str) -> None:
        """Name the failing variant and the commands that finish the run once fixed."""
        state = self._runs.get(run_id, catalog)
        if state is not None and state.recorder is not None:
            state.recorder.node_failed(node.name)
        advice = failure_advice(node, error, state)
        if advice is not None:
            logger.error("%s", advice)

    @hook_impl
    def after_pipeline_run(self, run_params: dict[str, Any], catalog: Any) -> None:
        """Record the groups whose nodes ran in worker processes (ParallelRunner)."""
        state = self._runs.finish(run_params.get("run_id") or run_params.get("session_id"), catalog)
        if state is not None and state.recorder is not None:
            state.recorder.run_succeeded()

    @hook_impl
    def on_pipeline_error(self, run_params: dict[str, Any], catalog: Any) -> None:
        """Forget a failed run (its failed groups are recorded already)."""
        self._runs.finish(run_params.get("run_id") or run_params.get("session_id"), catalog)


def added_keys_warning(paths: list[str], most: int = 5) -> str:
    """The one line that lists override keys added under an empty base mapping."""
    shown = ", ".join(paths[:most]) + (
        f" and {len(paths) - most} more" if len(paths) > most else ""
    )
    return (
        f"Keys added under an empty base mapping, not checked for typos: {shown}. A "
        "misspelt one reaches the node as is ('kedro dynamic validate' lists them all)."
    )


def _recorder(
    pipeline: Pipeline, prepared: Prepared, run_params: dict[str, Any]
) -> RunRecorder | None:
    """The recorder of this run's task groups, or ``None`` without a project path."""
    project = run_params.get("project_path")
    if not project:
        return None
    return RunRecorder(
        pipeline,
        prepared.expansion,
        prepared.expansion.parameters,
        Paths(prepared.catalog, str(project)),  # what the hook registered
        state_path(project, run_params.get("env")),
        str(run_params.get("run_id") or run_params.get("session_id") or "unknown"),
    )
