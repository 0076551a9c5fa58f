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
import logging
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .._constants import LOGGER

try:  # POSIX; elsewhere appends are not serialised between processes
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(LOGGER)

STATE_DIR = Path("data") / ".dynamic_pipelines"
STATE_DIR_VARIABLE = "KEDRO_DYNAMIC_STATE_DIR"
"""An environment variable that moves the state folder, e.g. to a volume that
every worker of a cluster mounts (absolute, or relative to the project)."""
VERSION = 1
# Rewrite the journal when it has this many lines and more than twice as many
# lines as groups.
COMPACT_AFTER = 1000
MIN_LINE = len('{"group": "", "v": 1}\n')  # the shortest line a record can have


def state_dir(project_path: str | os.PathLike[str]) -> Path:
    """The plugin's state folder: ``$KEDRO_DYNAMIC_STATE_DIR`` when set, else
    ``data/.dynamic_pipelines`` in the project."""
    moved = os.environ.get(STATE_DIR_VARIABLE)
    return Path(project_path) / (Path(moved).expanduser() if moved else STATE_DIR)


def state_path(project_path: str | os.PathLike[str], env: str | None) -> Path:
    """Where the state of ``env`` (``local`` when unset) lives."""
    return state_dir(project_path) / f"{env or 'local'}.jsonl"


def _lines(path: Path, bad: list[int] | None = None) -> Iterator[dict[str, Any]]:
    """The journal's records; ``bad`` collects the numbers of lines that are not.

    A torn last line (a run killed mid-write) is skipped without a word; a
    malformed record with a group name is yielded as ``{"group": name}`` alone,
    so that its group counts as never run.
    """
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            if number < len(lines) and bad is not None:  # not the torn last line
                bad.append(number)
            continue
        if valid(record):
            yield record
            continue
        if bad is not None:
            bad.append(number)
        if isinstance(record, dict) and isinstance(record.get("group"), str):
            yield {"group": record["group"]}


def valid(record: Any) -> bool:
    """Whether a journal line holds a record of this version, well formed."""
    if not isinstance(record, dict) or record.get("v") != VERSION:
        return False
    if not isinstance(record.get("group"), str) or not isinstance(record.get("ok"), bool):
        return False
    printed = record.get("print", {})
    if not isinstance(printed, dict):
        return False
    maps = ("parameters", "code", "inputs")
    lists = ("reads", "writes")
    return (
        all(_string_map(printed.get(k, {})) for k in maps)
        and all(_string_list(printed.get(k, [])) for k in lists)
        and isinstance(printed.get("structure", ""), str)
        and all(printed.get(k) is None or _string_map(printed[k]) for k in ("outputs", "datasets"))
    )


def _string_map(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )


def _string_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def read_state(path: Path, *, warn: bool = True) -> dict[str, Any]:
    """Group name -> its latest record; empty when there is no state yet.

    A malformed line counts as its group never run, with one warning that
    names the lines (unless not ``warn``).
    """
    groups: dict[str, Any] = {}
    bad: list[int] = []
    for record in _lines(path, bad):
        groups[record["group"]] = record if "v" in record else None
    if bad and warn:
        shown = ", ".join(str(n) for n in bad[:5]) + (", ..." if len(bad) > 5 else "")
        logger.warning(
            "%s: line(s) %s are not readable records (a run killed mid-write, or a hand edit); "
            "their groups count as never run, and the next run records them again.",
            path,
            shown,
        )
    return {name: record for name, record in groups.items() if record is not None}


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
        descriptor = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            size = os.fstat(descriptor).st_size
            if size and os.pread(descriptor, 1, size - 1) != b"\n":
                text = "\n" + text  # after a torn line: never append onto it
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
        # A group whose latest line is malformed stays never run: it is dropped.
        kept = [r for r in groups.values() if "v" in r]
        text = "".join(json.dumps(r, sort_keys=True) + "\n" for r in kept)
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
