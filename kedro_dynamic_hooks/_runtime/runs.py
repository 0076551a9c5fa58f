"""Run-scoped state: what the hooks after ``after_context_created`` need, per run.

One hook instance serves every run of a process, and a
``KedroServiceSession`` runs several at once, in threads. Nothing about a run
is kept on the hook itself:

- ``after_context_created`` hands the context's expansion to the run that
  follows it on the same thread (``KedroSession.run`` loads the context, then
  fires ``before_pipeline_run``, on one thread), through a context variable;
- from ``before_pipeline_run`` on, a run's state is found by its run id and its
  catalog, which every node hook is given. The catalog tells apart two runs
  whose generated ids (millisecond timestamps) are equal.
"""

from __future__ import annotations

import contextvars
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kedro.pipeline import Pipeline

    from .._expansion.result import Expansion
    from .._rerun.recorder import RunRecorder


@dataclass(frozen=True)
class Prepared:
    """What ``after_context_created`` prepared for the run that follows it.

    Attributes:
        expansion: The expansion registered for the context.
        loader: The context's config loader, which now holds the expansion.
        verdict: A passing collision check to keep once the run starts.
        catalog: The catalog config the hook registered (kept here: every read
            of ``loader[...]`` makes Kedro register its resolvers again).
    """

    expansion: Expansion
    loader: Any
    verdict: str | None = None
    catalog: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunState:
    """One run, from ``before_pipeline_run`` to its end.

    Attributes:
        pipeline: The pipeline the run executes.
        run_params: Kedro's ``run_params``.
        prepared: The expansion of the run's context, if the project declares one.
        done: The nodes finished so far, in this process.
        recorder: Writes each task group's record as it finishes.
    """

    pipeline: Pipeline
    run_params: dict[str, Any]
    prepared: Prepared | None
    done: set[str] = field(default_factory=set)
    recorder: RunRecorder | None = None


_prepared: contextvars.ContextVar[Prepared | None] = contextvars.ContextVar(
    "kedro_dynamic_hooks_prepared", default=None
)


def prepare(prepared: Prepared | None) -> None:
    """Hand ``prepared`` to the next run on this thread (``None``: nothing to expand)."""
    _prepared.set(prepared)


def prepared_here() -> Prepared | None:
    """What ``after_context_created`` last prepared on this thread."""
    return _prepared.get()


class Runs:
    """The runs in progress in this process, by run id and catalog."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # (run id, id(catalog)) -> (the catalog, kept so its id stays unique; the state)
        self._runs: dict[tuple[str, int], tuple[Any, RunState]] = {}

    def start(self, run_id: Any, catalog: Any, state: RunState) -> None:
        """Begin tracking a run."""
        with self._lock:
            self._runs[(str(run_id), id(catalog))] = (catalog, state)

    def get(self, run_id: Any, catalog: Any) -> RunState | None:
        """The state of a run in progress, or ``None`` (e.g. in a worker process)."""
        with self._lock:
            entry = self._runs.get((str(run_id), id(catalog)))
        return entry[1] if entry is not None and entry[0] is catalog else None

    def finish(self, run_id: Any, catalog: Any) -> RunState | None:
        """Stop tracking a run; its state, or ``None``."""
        with self._lock:
            entry = self._runs.pop((str(run_id), id(catalog)), None)
        return entry[1] if entry is not None else None

    def saved(self, node: str, dataset: str) -> None:
        """Tell the run waiting for ``node``'s output ``dataset`` that it is saved.

        ``after_dataset_saved`` is given no run id or catalog; a node's outputs
        are awaited by the one run that ran it (two concurrent runs of one node
        would write the same file, so either record is true of it).
        """
        with self._lock:
            states = [state for _, state in self._runs.values()]
        for state in states:
            if state.recorder is not None and state.recorder.dataset_saved(node, dataset):
                return

    def __len__(self) -> int:
        with self._lock:
            return len(self._runs)
