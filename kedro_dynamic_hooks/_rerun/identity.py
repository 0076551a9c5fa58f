"""What a file or folder holds, as a short string that changes when its data does.

An identity is ``"<stat>|<content>"``:

- ``<stat>`` is ``<size>:<mtime_ns>`` of a file, or ``dir:<digest>`` of the
  sorted list of every file below a folder with its size and mtime (a
  ``PartitionedDataset``'s partitions, a versioned dataset's versions);
- ``<content>`` is a digest of the bytes (of every file, for a folder).

Two identities are the same data when their stats are equal or, failing
that, their contents are (as DVC compares checksums): ``touch``, or a
rewrite with identical bytes, changes nothing. Content is hashed only when
the stat differs from what was recorded (the ``hints``), so an unchanged
large input is not read again. ``missing`` and ``untracked`` (a remote path,
a dataset without one) stand for themselves.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping

MISSING = "missing"
UNTRACKED = "untracked"
_CHUNK = 1 << 20


def _file_digest(path: str) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            sha.update(chunk)
    return sha.hexdigest()[:16]


def _files_below(folder: str) -> list[tuple[str, os.stat_result]]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            try:
                found.append((os.path.relpath(path, folder), os.stat(path)))
            except OSError:  # removed while listing
                continue
    return found


def stat_of(path: str | None) -> str:
    """The ``<stat>`` part of a path's identity, or ``missing``/``untracked``."""
    if path is None or "://" in path:
        return UNTRACKED
    try:
        stat = os.stat(path)
    except OSError:
        return MISSING
    if os.path.isdir(path):
        listing = [(rel, s.st_size, s.st_mtime_ns) for rel, s in _files_below(path)]
        return "dir:" + hashlib.sha256(repr(listing).encode()).hexdigest()[:16]
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def content_of(path: str) -> str:
    """The ``<content>`` part of a local file's or folder's identity."""
    if os.path.isdir(path):
        listing = [(rel, _file_digest(os.path.join(path, rel))) for rel, _ in _files_below(path)]
        return hashlib.sha256(repr(listing).encode()).hexdigest()[:16]
    return _file_digest(path)


def same_data(recorded: str, now: str) -> bool:
    """Whether two identities stand for the same data (stat, else content)."""
    if recorded == now:
        return True
    old_stat, _, old_content = recorded.partition("|")
    new_stat, _, new_content = now.partition("|")
    if old_stat == new_stat:
        return True
    return bool(old_content) and old_content == new_content


class Identities:
    """Identities of datasets' files, hashing each one at most once.

    Args:
        hints: Dataset name -> the identity recorded for it; reused as is when
            the stat has not changed since.
    """

    def __init__(self, hints: Mapping[str, str] | None = None) -> None:
        self._hints = dict(hints or {})
        self._seen: dict[tuple[str, str], str] = {}

    def of(self, name: str, path: str | None) -> str:
        """The identity of dataset ``name`` stored at ``path``."""
        stat = stat_of(path)
        if stat in (MISSING, UNTRACKED) or path is None:
            return stat
        hint = self._hints.get(name, "")
        if hint.partition("|")[0] == stat and "|" in hint:
            return hint
        key = (path, stat)
        if key not in self._seen:
            try:
                self._seen[key] = f"{stat}|{content_of(path)}"
            except OSError:  # unreadable, or gone since the stat
                self._seen[key] = stat
        return self._seen[key]
