"""Expansion inside ``register_pipelines()``, for the surfaces that fire no hooks.

``kedro registry list/describe`` and ``kedro viz`` (without ``--include-hooks``)
read the pipeline registry without creating a context, so the hook never runs
for them. A project that wants them to show the variants calls
:func:`find_dynamic_pipelines` instead of ``find_pipelines`` in
``pipeline_registry.py``::

    from kedro_dynamic_hooks import find_dynamic_pipelines

    def register_pipelines():
        return find_dynamic_pipelines(raise_errors=True)

It reads the declaration through a standalone config loader (the ``base``
environment plus ``KEDRO_ENV``; it cannot see ``--env`` or ``--params``, which do
not change the structure anyway). When the registry is loaded by the hook, it
returns the plain templates and lets the hook expand them, so nothing is ever
expanded twice.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from kedro.framework.project import find_pipelines, settings
from kedro.pipeline import Pipeline
from kedro.utils import find_kedro_project

from .._constants import DEFAULT_KEY, DEFAULT_PIPELINE
from .._declaration.names import split_name
from .._declaration.schema import Declaration, parse_declaration
from .._errors import DynamicPipelinesError
from .._expansion.expand import expand
from .._expansion.result import Expansion
from .._kedro_compat import requested_pipelines, requesting
from .reporting import reported

# Set while the hook loads the registry: the hook expands, the helper must not.
_hook_loading = contextvars.ContextVar("kedro_dynamic_hooks_hook_loading", default=False)


@contextlib.contextmanager
def hook_is_loading() -> Iterator[None]:
    """Mark the current context as the hook loading the registry."""
    token = _hook_loading.set(True)
    try:
        yield
    finally:
        _hook_loading.reset(token)


def template_names(declaration: Declaration) -> set[str]:
    """Every registered pipeline a declaration uses as a template."""
    return {name for spec in declaration.namespaces.values() for name in spec.templates}


def needed_names(declaration: Declaration, requested: list[str]) -> list[str]:
    """Replace requested dynamic names (``ns``, ``ns.v``) with their templates."""
    namespaces = declaration.namespaces
    keep = {name for name in requested if split_name(name)[0] not in namespaces}
    return sorted(keep | template_names(declaration))


def load_declaration(key: str = DEFAULT_KEY) -> tuple[Declaration, dict[str, Any]] | None:
    """Read the declaration with a standalone config loader, or ``None`` if absent."""
    project = find_kedro_project(Path.cwd())
    if project is None:
        return None
    loader = settings.CONFIG_LOADER_CLASS(
        conf_source=str(project / settings.CONF_SOURCE),
        env=os.environ.get("KEDRO_ENV"),
        **settings.CONFIG_LOADER_ARGS,
    )
    parameters: dict[str, Any] = dict(loader["parameters"])
    if key not in parameters:
        return None
    return parse_declaration(parameters[key], key=key), parameters


def find_dynamic_pipelines(
    raise_errors: bool = False, *, key: str = DEFAULT_KEY, default: Pipeline | None = None
) -> dict[str, Pipeline]:
    """``find_pipelines`` plus the expansion of the declaration.

    Args:
        raise_errors: Passed to ``find_pipelines``.
        key: The declaration's top-level parameters key.
        default: The ``__default__`` pipeline before expansion; empty by default,
            since templates are not meant to run bare.

    Returns:
        The templates and, unless the hook is loading the registry, every
        ``<ns>`` and ``<ns>.<variant>`` pipeline with ``__default__`` expanded.
    """
    try:
        return _find(raise_errors, key, default)
    except DynamicPipelinesError as exc:
        # Called from register_pipelines() under Kedro's CLI: one line, exit 1.
        raise reported(exc) from exc


def _find(raise_errors: bool, key: str, default: Pipeline | None) -> dict[str, Pipeline]:
    loaded = None if _hook_loading.get() else load_declaration(key)
    requested = requested_pipelines()
    if loaded is not None and requested is not None and DEFAULT_PIPELINE not in requested:
        # `kedro registry describe <ns>` asks for a name no module defines: look
        # for the templates instead, then put the caller's request back.
        try:
            with requesting(needed_names(loaded[0], requested)):
                found = find_pipelines(raise_errors=raise_errors)
        except ImportError:
            # A template name no module defines: look at every pipeline, so that
            # the expansion names it with the registered ones.
            with requesting(None):
                found = find_pipelines(raise_errors=raise_errors)
    else:
        found = find_pipelines(raise_errors=raise_errors)
    found[DEFAULT_PIPELINE] = default if default is not None else Pipeline([])
    if loaded is None:
        return found
    return expand_registry(found, *loaded, key=key)


def expand_registry(
    registry: Mapping[str, Pipeline],
    declaration: Declaration,
    parameters: Mapping[str, Any],
    *,
    key: str = DEFAULT_KEY,
) -> dict[str, Pipeline]:
    """Return ``registry`` plus the declaration's expansion."""
    expansion: Expansion = expand(declaration, registry, parameters, key=key)
    return {**registry, **expansion.registry_updates(registry)}
