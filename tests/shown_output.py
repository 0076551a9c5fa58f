"""Compare an output shown in the docs with what the command really printed.

Each shown line must be a line of the real output, in order, whitespace aside:

- it starts where the real line starts, or after the prefix a logger adds (a
  ``[time]``, a level, a ``logger.name:``), so ``OK`` does not match ``NOT OK``;
- it ends where the real line ends (after rich's ``file.py:123`` column is
  dropped), unless it ends with ``...``;
- ``...`` inside a line stands for anything (values that vary, such as
  scores), and a line of ``...`` alone for any lines;
- a duration (``0.02s``) matches any duration;
- a table's border lines are layout (their width follows the terminal's) and
  are not compared.

A block with no line to compare is an error, not a match.
"""

from __future__ import annotations

import re

DURATION = re.compile(r"\b\d+(?:\.\d+)?s\b")
BORDER = re.compile(r"^[\s┏┳┓┡╇┩└┴┘━─┬┼├┤┌┐╭╮╰╯═]+$")
SOURCE = re.compile(r" [\w.]+\.py:\d+$")  # rich's last column
PREFIX = re.compile(
    r"^(?P<time>\[[^\]]*\] )?(?P<level>(?:DEBUG|INFO|WARNING|ERROR|CRITICAL) )?"
    r"(?P<logger>[\w.]+: )?"
)


def _shape(line: str) -> str:
    return DURATION.sub("#s", " ".join(line.split()))


def _starts(line: str) -> set[int]:
    """Where a shown line may start in ``line``: 0, or after a logger's prefix."""
    found = PREFIX.match(line)
    starts = {0}
    if found:
        starts.update(found.end(group) for group in ("time", "level", "logger") if found[group])
    return starts


def missing_line(shown: str, output: str) -> str:
    """The first shown line not found, in order, in ``output`` ('' when all are).

    Raises:
        ValueError: When ``shown`` has no line to compare.
    """
    lines = [SOURCE.sub("", _shape(line)) for line in output.splitlines()]
    wanted = [
        _shape(line)
        for line in shown.splitlines()
        if line.strip() and not BORDER.match(line) and line.strip() != "..."
    ]
    if not wanted:
        raise ValueError(f"nothing to compare in {shown!r}")
    start = 0
    for line in wanted:
        parts = [p.strip() for p in line.split("...")]
        for index in range(start, len(lines)):
            if _holds(lines[index], parts, open_end=line.endswith("...")):
                start = index + 1
                break
        else:
            return line
    return ""


def _holds(line: str, parts: list[str], *, open_end: bool) -> bool:
    first, *middle = parts
    last = None if open_end or not middle else middle.pop()
    for begin in sorted(_starts(line)):
        if not line.startswith(first, begin):
            continue
        position = begin + len(first)
        for part in middle:
            found = line.find(part, position)
            if found < 0:
                break
            position = found + len(part)
        else:
            if last is None:  # one part: the line ends with it, unless the end is open
                if open_end or position == len(line):
                    return True
            elif line.endswith(last) and len(line) - len(last) >= position:
                return True
    return False
