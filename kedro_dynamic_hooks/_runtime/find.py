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

import os
from pathlib import Path
from typing import Any

from kedro.framework.project import find_pipelines, settings
from kedro.pipeline import Pipeline
from kedro.utils import find_kedro_project

from .._constants import DEFAULT_KEY, DEFAULT_PIPELINE
from .._errors import DynamicPipelinesError, ProjectError
from .registry import hook_loading, load_with_templates, with_expansion
from .reporting import reported
from .service import load_expansion, read_declaration


def standalone_loader() -> tuple[Any, Path] | None:
    """The project's config loader as ``settings.py`` makes it, for ``KEDRO_ENV``,
    and the project's folder; ``None`` outside a Kedro project."""
    project = find_kedro_project(Path.cwd())
    if project is None:
        return None
    loader = settings.CONFIG_LOADER_CLASS(
        conf_source=str(project / settings.CONF_SOURCE),
        env=os.environ.get("KEDRO_ENV"),
        **settings.CONFIG_LOADER_ARGS,
    )
    return loader, project


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


def _hook_registered() -> bool:
    """Whether ``settings.HOOKS`` holds a :class:`DynamicPipelinesHook`, or a
    plugin's ``kedro.hooks`` entry point may register one (read by name only:
    loading it would import the plugin)."""
    from importlib.metadata import entry_points

    from .hook import DynamicPipelinesHook

    hooks = getattr(settings, "HOOKS", ()) or ()
    if any(isinstance(hook, DynamicPipelinesHook) for hook in hooks):
        return True
    disabled = set(getattr(settings, "DISABLE_HOOKS_FOR_PLUGINS", ()) or ())
    return any(
        "DynamicPipelinesHook" in ep.value or "kedro_dynamic_hooks" in ep.value
        for ep in entry_points(group="kedro.hooks")
        if (ep.dist.name if ep.dist else "") not in disabled
    )


def _settings_file() -> str:
    from kedro.framework.project import PACKAGE_NAME

    return f"src/{PACKAGE_NAME}/settings.py" if PACKAGE_NAME else "settings.py"


def _find(raise_errors: bool, key: str, default: Pipeline | None) -> dict[str, Pipeline]:
    found_project = None if hook_loading() else standalone_loader()
    read = (
        None if found_project is None else read_declaration(found_project[0], key, found_project[1])
    )
    if read is not None and not _hook_registered():
        raise ProjectError(
            f"the parameters declare '{key}', but settings.py does not register the hook, "
            "so a run would find the variants' pipelines without their parameters or "
            "datasets. Add to settings.py: 'from kedro_dynamic_hooks import "
            "DynamicPipelinesHook' and 'HOOKS = (DynamicPipelinesHook(),)' (beside any "
            "hooks already there).",
            path="HOOKS",
            source=_settings_file(),
        )

    def load() -> dict[str, Pipeline]:
        return find_pipelines(raise_errors=raise_errors)

    # `kedro registry describe <ns>` asks for a name no module defines: look for
    # the templates instead, then put the caller's request back.
    found = load() if read is None else load_with_templates(read[0], load, keep=False)
    found[DEFAULT_PIPELINE] = default if default is not None else Pipeline([])
    if read is None or found_project is None:
        return found
    loader, project = found_project
    loaded = load_expansion(
        loader, *read, key=key, project_path=str(project), templates=found, check=False
    )
    return with_expansion(found, loaded.expansion)
