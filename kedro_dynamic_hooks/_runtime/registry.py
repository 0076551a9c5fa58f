"""Kedro's pipeline registry around an expansion: loading templates, registering variants.

Kedro >= 1.5 loads the registry selectively (``pipelines.set_requested``):
under ``kedro run --pipelines ns`` only ``ns`` is asked for, a name no module
defines. Both the hook and :func:`~kedro_dynamic_hooks.find_dynamic_pipelines`
therefore ask for the declaration's templates instead, here, in one place.

The registry is process-wide (Kedro's ``pipelines``), and so is the record of
which nodes an expansion registered: a later expansion replaces exactly those
in ``__default__``, never a user's own namespaced node.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from kedro.pipeline import Pipeline
from kedro.pipeline.node import Node

from .._constants import DEFAULT_PIPELINE
from .._declaration.names import split_name
from .._declaration.schema import Declaration
from .._errors import ProjectError
from .._expansion.result import Expansion
from .._kedro_compat import requested_pipelines, requesting, set_requested
from .reporting import first_line

# Every node an expansion built, by identity. Not a WeakSet: nodes compare by
# value, and an equal node of a newer expansion would be dropped from a WeakSet
# when the older one dies.
_expanded: weakref.WeakValueDictionary[int, Node] = weakref.WeakValueDictionary()
_expanded_lock = threading.Lock()

# Set while the hook loads the registry: the hook expands, the helper must not.
_hook_loading = contextvars.ContextVar("kedro_dynamic_hooks_hook_loading", default=False)


def mark_expanded(nodes: Iterable[Node]) -> None:
    """Remember ``nodes`` as built by an expansion."""
    with _expanded_lock:
        for node in nodes:
            _expanded[id(node)] = node


def is_expanded(node: Node) -> bool:
    """Whether ``node`` itself (not an equal one) was built by an expansion."""
    return _expanded.get(id(node)) is node


@contextlib.contextmanager
def hook_is_loading() -> Iterator[None]:
    """Mark the current context as the hook loading the registry."""
    token = _hook_loading.set(True)
    try:
        yield
    finally:
        _hook_loading.reset(token)


def hook_loading() -> bool:
    """Whether the hook is loading the registry in this context."""
    return _hook_loading.get()


def template_names(declaration: Declaration) -> set[str]:
    """Every registered pipeline a declaration uses as a template."""
    return {name for spec in declaration.namespaces.values() for name in spec.templates}


def needed_names(declaration: Declaration, requested: list[str]) -> list[str]:
    """Replace requested dynamic names (``ns``, ``ns.v``) with their templates."""
    namespaces = declaration.namespaces
    keep = {name for name in requested if split_name(name)[0] not in namespaces}
    return sorted(keep | template_names(declaration))


def load_with_templates(
    declaration: Declaration, load: Callable[[], dict[str, Pipeline]], *, keep: bool
) -> dict[str, Pipeline]:
    """Call ``load`` with the registry asked for the templates the run needs.

    Args:
        declaration: Names the templates.
        load: Reads the registry (or runs ``find_pipelines``).
        keep: Leave the registry asking for the templates afterwards (the hook,
            which registers into it next); otherwise put the request back.

    Returns:
        What ``load`` returned. When a requested name is no module's (a
        template typo), every pipeline, so that the plan can name the
        registered ones with a did-you-mean.
    """
    requested = requested_pipelines()
    if requested is None or DEFAULT_PIPELINE in requested:
        return load()
    narrowed = needed_names(declaration, list(requested))

    def asking(names: list[str] | None) -> contextlib.AbstractContextManager[None]:
        if keep:
            set_requested(names)
            return contextlib.nullcontext()
        return requesting(names)

    try:
        with asking(narrowed):
            return load()
    except ImportError:
        with asking(None):
            return load()


def registered_templates(declaration: Declaration) -> dict[str, Pipeline]:
    """The project's registered pipelines, templates loaded, for the hook to expand.

    Pipelines of an earlier expansion (the hook fired twice) are left out.

    Raises:
        ProjectError: When ``register_pipelines()`` cannot build its pipelines.
    """
    from kedro.framework.project import pipelines

    def load() -> dict[str, Pipeline]:
        with hook_is_loading():
            return dict(pipelines.items())

    try:
        loaded = load_with_templates(declaration, load, keep=True)
    except ImportError:
        raise  # a template module that really does not import: keep its traceback
    except Exception as exc:  # e.g. OutputNotUniqueError from sum() in register_pipelines
        raise ProjectError(
            f"Kedro could not build the project's pipelines: {first_line(exc)} Templates "
            "are not meant to run bare: return them from register_pipelines() without "
            "adding them up (find_dynamic_pipelines() does that).",
            path="register_pipelines",
            source="the pipeline registry",
        ) from exc
    namespaces = declaration.namespaces
    return {name: p for name, p in loaded.items() if not _earlier_expansion(name, p, namespaces)}


def _earlier_expansion(name: str, pipeline: Pipeline, namespaces: Mapping[str, Any]) -> bool:
    """Whether ``name`` is a pipeline that an earlier expansion registered.

    A template of the user's own named like a namespace stays, so that the plan
    reports the clash instead of not finding the template.
    """
    if split_name(name)[0] not in namespaces or not pipeline.nodes:
        return False
    return all(is_expanded(node) for node in pipeline.nodes)


def with_expansion(registry: Mapping[str, Pipeline], expansion: Expansion) -> dict[str, Pipeline]:
    """``registry`` plus the expansion's pipelines, ``__default__`` expanded."""
    return {**registry, **expansion.registry_updates(registry, is_expanded)}


def register(expansion: Expansion) -> None:
    """Write the expansion into Kedro's registry, replacing any earlier one.

    A pipeline made only of expanded nodes that this expansion does not have
    (another environment's variant, say) is removed, so that
    ``--pipelines`` cannot select it.
    """
    from kedro.framework.project import pipelines

    registry = dict(pipelines.items())
    for name, pipeline in registry.items():
        stale = name != DEFAULT_PIPELINE and name not in expansion.pipelines
        if stale and pipeline.nodes and all(is_expanded(n) for n in pipeline.nodes):
            del pipelines[name]
    for name, pipeline in expansion.registry_updates(registry, is_expanded).items():
        pipelines[name] = pipeline
