"""What the configuration files said before the hook replaced it, per config loader.

The hook writes the expanded parameters and catalog back into the context's
config loader. When it fires again on the same context (kedro-dagster does) or
``kedro dynamic`` asks for the expansion, it must start from what the files
said, not from its own output. This keeps that first reading beside the
loader, without adding keys to the loader itself, and forgets it when the
loader is garbage collected.
"""

from __future__ import annotations

import os
import threading
import weakref
from typing import Any

from kedro.config import MissingConfigException

_lock = threading.RLock()
# id(loader) -> (weak reference to the loader, what is kept beside it)
_readings: dict[int, tuple[weakref.ref[Any], dict[str, Any]]] = {}


def memo(loader: Any) -> dict[str, Any]:
    """A dict kept beside ``loader`` for as long as it lives (not inside it)."""
    # Made outside the lock: allocating may collect an old loader, whose
    # callback takes the lock.
    fresh: tuple[weakref.ref[Any], dict[str, Any]] = (weakref.ref(loader, _forget(id(loader))), {})
    with _lock:
        entry = _readings.get(id(loader))
        if entry is None or entry[0]() is not loader:
            entry = _readings[id(loader)] = fresh
        return entry[1]


def original(loader: Any, key: str) -> dict[str, Any]:
    """Return ``loader[key]`` as the files gave it, even after the hook replaced it.

    A missing config group (no ``catalog*.yml``) reads as empty.
    """
    readings = memo(loader).setdefault("files", {})
    if key not in readings:
        try:
            value = loader[key]
        except MissingConfigException:
            value = {}
        readings.setdefault(key, value)
    return dict(readings[key])


def _forget(ident: int) -> Any:
    def callback(ref: weakref.ref[Any]) -> None:
        with _lock:
            if ident in _readings and _readings[ident][0] is ref:
                del _readings[ident]

    return callback


def original_parameters(loader: Any) -> dict[str, Any]:
    """The parameters as the files (and ``--params``) gave them, before expansion."""
    return original(loader, "parameters")


def missing_environment(loader: Any) -> str | None:
    """The loader's run environment when its folder does not exist, else ``None``."""
    env = getattr(loader, "env", None)
    source = getattr(loader, "conf_source", None)
    if (
        not env
        or not isinstance(source, str)
        or "://" in source
        or source.endswith((".zip", ".tar.gz"))
    ):
        return None
    return None if os.path.isdir(os.path.join(source, env)) else env
