"""Collision-check verdicts kept between runs, keyed by everything that decides them.

The collision check covers every declared variant, so its cost grows with the
declaration: tens of thousands of dataset names to resolve at 10,000 variants,
in every process (each Airflow task included). Its verdict depends only on
the declaration (after ``--params``), the user's catalog, the template
pipelines' datasets, the project's folder, which variants the run builds, and
this plugin's and Kedro's versions. A passing verdict is kept under a digest
of those in ``data/.dynamic_pipelines/checked.json`` once a run starts (a run
refused by another check leaves the project as it was); a run whose digest is
there skips the check. A failing check is never kept, so a mistake is
reported on every run. ``kedro dynamic validate`` always checks
(:func:`checking_everything`).

What the digest does not see: a symlinked folder created or changed on disk
after the check (the check resolves symlinks). ``validate`` sees it.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import kedro
from kedro.pipeline import Pipeline

from .._rerun.journal import state_dir

FILE = "checked.json"
KEEP = 32  # digests remembered: environments, --params sets, selections

_always: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "kedro_dynamic_hooks_check_everything", default=False
)


@contextlib.contextmanager
def checking_everything() -> Iterator[None]:
    """Inside this block, the collision check runs even when a verdict is kept."""
    token = _always.set(True)
    try:
        yield
    finally:
        _always.reset(token)


@functools.cache
def _code_version() -> str:
    from .. import __version__
    from .._checks import catalog_index, collisions

    sources = b"".join(Path(m.__file__ or "").read_bytes() for m in (catalog_index, collisions))
    return f"{__version__}:{kedro.__version__}:{hashlib.sha256(sources).hexdigest()[:12]}"


def verdict_key(
    declaration: Any,
    user_catalog: Mapping[str, Any],
    templates: Mapping[str, Pipeline],
    template_names: list[str],
    scope: Any,
    project_path: str,
) -> str:
    """The digest a verdict is kept under.

    Args:
        declaration: The declaration section as read (``--params`` included).
        user_catalog: ``catalog.yml``'s entries and patterns.
        templates: The registered pipelines.
        template_names: The pipelines the declaration uses as templates.
        scope: What the run builds (``None``: every variant).
        project_path: The project's folder (relative paths start there).
    """
    structure = {
        name: sorted((n.name, n.inputs, n.outputs) for n in templates[name].nodes)
        for name in sorted(set(template_names))
        if name in templates
    }
    scope_shown = None if scope is None else sorted((k, sorted(v or ())) for k, v in scope.items())
    text = json.dumps(
        [_code_version(), declaration, user_catalog, structure, scope_shown, project_path],
        sort_keys=True,
        default=repr,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _file(project_path: str) -> Path:
    return state_dir(project_path) / FILE


def _kept(project_path: str) -> list[str]:
    try:
        data = json.loads(_file(project_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    found = data.get("passed") if isinstance(data, dict) else None
    return [d for d in found if isinstance(d, str)] if isinstance(found, list) else []


def passed_before(project_path: str, key: str) -> bool:
    """Whether a check with this digest passed before (never inside
    :func:`checking_everything`)."""
    return not _always.get() and key in _kept(project_path)


def remember_pass(project_path: str, key: str) -> None:
    """Keep a passing verdict; a folder that cannot be written keeps nothing."""
    earlier = [k for k in _kept(project_path) if k != key]
    kept = [*earlier[-(KEEP - 1) :], key]
    target = _file(project_path)
    with contextlib.suppress(OSError):
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".checked-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump({"version": 1, "passed": kept}, file)
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
