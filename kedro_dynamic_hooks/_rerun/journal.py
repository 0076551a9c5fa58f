"""The state file: the last run of every task group, per environment.

``data/.dynamic_pipelines/<env>.jsonl`` in the project is a journal: one JSON
line per recorded group (shared step, variant, collect step, node) with its
fingerprint, the run's id and whether it succeeded; a later line for a group
replaces an earlier one. The hook appends a group's line when the last of its
nodes succeeded (or when one fails), in one ``write`` under a lock, so
recording costs the same for the 10,000th variant as for the first. A run
killed mid-write leaves at most a torn last line, which readers skip: a record
never claims a success its group did not have. When the journal holds many
lines per group, it is rewritten compactly through a temporary file renamed
over it.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

try:  # POSIX; elsewhere appends are not serialised between processes
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

STATE_DIR = Path("data") / ".dynamic_pipelines"
VERSION = 1
# Rewrite the journal when it has this many lines and more than twice as many
# lines as groups.
COMPACT_AFTER = 1000
MIN_LINE = len('{"group": "", "v": 1}\n')  # the shortest line a record can have


def state_path(project_path: str | os.PathLike[str], env: str | None) -> Path:
    """Where the state of ``env`` (``local`` when unset) lives."""
    return Path(project_path) / STATE_DIR / f"{env or 'local'}.jsonl"


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:  # a line torn by a killed run
            continue
        if isinstance(record, dict) and record.get("v") == VERSION and "group" in record:
            yield record


def read_state(path: Path) -> dict[str, Any]:
    """Group name -> its latest record; empty when there is no state yet."""
    groups: dict[str, Any] = {}
    for record in _lines(path):
        groups[record["group"]] = record
    return groups


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def append_records(path: Path, records: Mapping[str, Mapping[str, Any]]) -> None:
    """Append one line per group (group -> record) to the journal, in one write."""
    if not records:
        return
    text = "".join(
        json.dumps({"v": VERSION, "group": name, **record}, sort_keys=True) + "\n"
        for name, record in records.items()
    )
    with _locked(path):
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(descriptor, text.encode("utf-8"))
        finally:
            os.close(descriptor)


def compact(path: Path) -> None:
    """Rewrite the journal with one line per group when it has grown long."""
    try:
        size = path.stat().st_size
    except OSError:
        return  # no journal yet
    if size < COMPACT_AFTER * MIN_LINE:  # cannot hold COMPACT_AFTER lines: left unread
        return
    with _locked(path):
        lines = list(_lines(path))
        groups = {record["group"]: record for record in lines}
        if len(lines) < COMPACT_AFTER or len(lines) <= 2 * len(groups):
            return
        text = "".join(json.dumps(r, sort_keys=True) + "\n" for r in groups.values())
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".state-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
