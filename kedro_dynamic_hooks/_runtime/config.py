"""What the configuration files said before the hook replaced it, per config loader.

The hook writes the expanded parameters and catalog back into the context's
config loader. When it fires again on the same context (kedro-dagster does) or
``kedro dynamic`` asks for the expansion, it must start from what the files
said, not from its own output. This keeps that first reading beside the
loader, without adding keys to the loader itself, and forgets it when the
loader is garbage collected.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from kedro.config import MissingConfigException

_lock = threading.RLock()
# id(loader) -> (weak reference to the loader, {config key: first reading})
_readings: dict[int, tuple[weakref.ref[Any], dict[str, Any]]] = {}


def original(loader: Any, key: str) -> dict[str, Any]:
    """Return ``loader[key]`` as the files gave it, even after the hook replaced it.

    A missing config group (no ``catalog*.yml``) reads as empty.
    """
    # Made outside the lock: allocating may collect an old loader, whose
    # callback takes the lock.
    fresh: tuple[weakref.ref[Any], dict[str, Any]] = (weakref.ref(loader, _forget(id(loader))), {})
    with _lock:
        entry = _readings.get(id(loader))
        if entry is None or entry[0]() is not loader:
            entry = _readings[id(loader)] = fresh
        readings = entry[1]
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
