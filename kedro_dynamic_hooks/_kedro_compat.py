"""Every use of a private Kedro name, each behind one function.

Kedro gives no public way to do three things this plugin needs:

- copy a node with renamed datasets while keeping the shape (str, list or
  dict) of its inputs and outputs: ``Node._inputs``/``_outputs``/``_confirms``
  and ``Node._copy``, plus a fast path that fills a new node's ``__dict__``;
- know and change which pipelines the registry loads (Kedro >= 1.5):
  ``pipelines._requested_pipelines`` (read, and written for the duration of
  one ``find_pipelines`` call) next to the public ``pipelines.set_requested``;
- parse ``--params`` like ``kedro run`` does: ``kedro.framework.cli.utils._split_params``;
- read the parameters without ``--params`` and put the run's resolver back:
  ``OmegaConfigLoader._register_runtime_params_resolver``;
- match dataset factory patterns without compiling them again on every call:
  the ``parse`` library, which Kedro's resolver calls (not a Kedro name, but
  Kedro's choice, so it lives here too).

When Kedro changes under one of them, the function says so instead of silently
degrading: a node layout it does not know raises :class:`KedroCompatWarning`
(an error under the test suite's ``filterwarnings = error``) and falls back to
``Node._copy``. ``tests/test_kedro_compat.py`` checks on every supported Kedro
that the fast path is the one taken.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import kedro
from kedro.pipeline.node import Node

Names = str | list[str] | dict[str, str] | None


class KedroCompatWarning(UserWarning):
    """Raised when the installed Kedro differs from what this plugin knows."""


# --- Nodes -------------------------------------------------------------------

# Node.__init__ spends about half its time binding the function's signature to
# the inputs with inspect. A renamed copy keeps the template's input shape, so
# that check cannot fail again: when a node holds exactly these fields, the copy
# is built from them directly (tests compare it with Kedro's own copies).
NODE_FIELDS = frozenset(
    {"_func", "_inputs", "_outputs", "_name", "_namespace", "_tags", "_confirms", "_preview_fn"}
)
# Cached properties Kedro stores in a node's __dict__ once read; never copied.
CACHED = frozenset(
    name for name, value in vars(Node).items() if isinstance(value, functools.cached_property)
)


def _probe() -> bool:
    """Whether a fresh Kedro node holds exactly :data:`NODE_FIELDS`."""
    fields = set(vars(Node(_identity, "a", "b", name="probe"))) - CACHED
    if fields == NODE_FIELDS:
        return True
    warnings.warn(
        f"Kedro {kedro.__version__} stores node fields {sorted(fields)}, not the "
        f"{sorted(NODE_FIELDS)} kedro_dynamic_hooks knows. Nodes are copied with Kedro's "
        "slower Node._copy instead (expansion about 1.5x slower); please report this.",
        KedroCompatWarning,
        stacklevel=2,
    )
    return False


def _identity(value: Any) -> Any:
    return value


FAST_NODE_COPY = _probe()


def node_inputs(node: Node) -> Names:
    """The node's inputs as given (a str, list or dict), not Kedro's flat list."""
    return node._inputs


def node_outputs(node: Node) -> Names:
    """The node's outputs as given (a str, list, dict or None)."""
    return node._outputs


def node_confirms(node: Node) -> Names:
    """The node's confirms as given (a str, list or None)."""
    return node._confirms


def copy_node(
    node: Node,
    *,
    inputs: Names,
    outputs: Names,
    confirms: Names,
    namespace: str,
    tags: set[str],
    func: Callable[..., Any] | None = None,
) -> Node:
    """Copy ``node`` with the given fields; the name, function and preview are kept.

    Takes the fast path when Kedro's node layout is the known one and ``node``
    is a plain :class:`Node` holding only known fields; otherwise ``Node._copy``.
    """
    fields = {
        "_inputs": inputs,
        "_outputs": outputs,
        "_confirms": confirms,
        "_namespace": namespace,
        "_tags": tags,
    }
    if func is None and FAST_NODE_COPY and type(node) is Node:
        state = node.__dict__
        if state.keys() - CACHED == NODE_FIELDS:
            clone = object.__new__(Node)
            clone.__dict__.update({k: v for k, v in state.items() if k in NODE_FIELDS}, **fields)
            return clone
        _warn_unknown_fields(frozenset(state.keys() - CACHED - NODE_FIELDS))
    return node._copy(func=func or node.func, **{key[1:]: value for key, value in fields.items()})


@functools.cache
def _warn_unknown_fields(unknown: frozenset[str]) -> None:
    warnings.warn(
        f"A Kedro node holds fields {sorted(unknown)} that kedro_dynamic_hooks does not know "
        "(a newer Kedro caches more on nodes?). It is copied with Kedro's slower Node._copy; "
        "please report this.",
        KedroCompatWarning,
        stacklevel=3,
    )


# --- Pipeline registry ---------------------------------------------------------

# Kedro >= 1.5 loads pipelines selectively: `set_requested(names)` stores the
# names in a private attribute that `find_pipelines` reads. Older Kedro has
# neither and always loads every pipeline. Looked up by name for both.
_REQUESTED = "_requested_pipelines"


def requested_pipelines() -> list[str] | None:
    """The pipeline names Kedro was asked to load (``None`` means all)."""
    from kedro.framework.project import pipelines

    requested: list[str] | None = getattr(pipelines, _REQUESTED, None)
    return requested


def set_requested(names: list[str] | None) -> None:
    """Ask the registry to load ``names`` next (Kedro >= 1.5; a no-op before)."""
    from kedro.framework.project import pipelines

    method = getattr(pipelines, "set_requested", None)
    if method is not None:
        method(names)


@contextlib.contextmanager
def requesting(names: list[str] | None) -> Iterator[None]:
    """Let ``find_pipelines`` look for ``names`` without resetting the registry.

    ``set_requested`` would also drop the registry's loaded pipelines; inside
    ``register_pipelines`` that is what is being built, so only the attribute
    that ``find_pipelines`` reads is swapped, and put back after.
    """
    from kedro.framework.project import pipelines

    saved = requested_pipelines()
    setattr(pipelines, _REQUESTED, names)
    try:
        yield
    finally:
        setattr(pipelines, _REQUESTED, saved)


# --- Config loader -----------------------------------------------------------------


def parameters_without_runtime(loader: Any) -> dict[str, Any]:
    """The parameters as the files alone give them, without ``--params``.

    Reads them through a copy of the loader with no runtime params, then
    re-registers the run's ``runtime_params`` resolver, which the copy replaced
    (OmegaConf resolvers are global).
    """
    clone = copy.copy(loader)
    clone.runtime_params = {}
    clone.data = {k: v for k, v in getattr(loader, "data", {}).items() if k != "parameters"}
    try:
        return dict(clone["parameters"])
    finally:
        register = getattr(loader, "_register_runtime_params_resolver", None)
        if register is not None:
            register()


# --- CLI -------------------------------------------------------------------------


def split_params(ctx: Any, param: Any, value: Any) -> Any:
    """``kedro run``'s ``--params`` callback: ``a.b=1,c=x`` -> ``{"a": {"b": 1}, ...}``."""
    from kedro.framework.cli.utils import _split_params

    return _split_params(ctx, param, value)


# --- Dataset factories -------------------------------------------------------------


def compile_pattern(pattern: str) -> Any:
    """A dataset factory pattern compiled once, as Kedro matches it.

    Kedro's ``CatalogConfigResolver`` calls ``parse(pattern, name)`` (the
    ``parse`` library, a dependency of Kedro) for every pattern at every
    lookup, and ``parse`` compiles the pattern again each time: resolving
    50,000 names took seconds. ``parse.compile(pattern).parse(name)`` is the
    same match, compiled once.
    """
    import parse  # type: ignore[import-untyped]

    return parse.compile(pattern)


def absolute_paths(project_path: Any, config: dict[str, Any]) -> dict[str, Any]:
    """``config`` (a catalog) with relative filepaths made absolute under
    ``project_path``, as ``KedroContext`` makes the run's catalog:
    ``kedro.framework.context.context._convert_paths_to_absolute_posix``."""
    from pathlib import Path

    from kedro.framework.context.context import _convert_paths_to_absolute_posix

    return _convert_paths_to_absolute_posix(Path(project_path), copy.deepcopy(config))
