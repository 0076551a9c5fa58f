"""Compare an output shown in the docs with what the command really printed.

Each shown line must appear, in order, in the real output, whitespace aside
and after any prefix a logger adds (a time, a level); ``...`` stands for
anything (values that vary, such as scores), a line of ``...`` alone for any
lines, and a duration (``0.02s``) matches any duration. A table's border lines
are layout (their width follows the terminal's) and are not compared.
"""

from __future__ import annotations

import re

DURATION = re.compile(r"\b\d+(?:\.\d+)?s\b")
BORDER = re.compile(r"^[\s┏┳┓┡╇┩└┴┘━─┬┼├┤┌┐╭╮╰╯═]+$")


def _shape(line: str) -> str:
    return DURATION.sub("#s", " ".join(line.split()))


def missing_line(shown: str, output: str) -> str:
    """The first shown line not found, in order, in ``output`` ('' when all are)."""
    lines = [_shape(line) for line in output.splitlines()]
    start = 0
    shown_lines = [line for line in shown.splitlines() if line.strip() and not BORDER.match(line)]
    for wanted in (_shape(line) for line in shown_lines):
        if wanted == "...":
            continue
        parts = [p.strip() for p in wanted.split("...")]
        for index in range(start, len(lines)):
            if _holds(lines[index], parts):
                start = index + 1
                break
        else:
            return wanted
    return ""


def _holds(line: str, parts: list[str]) -> bool:
    position = 0
    for part in parts:
        found = line.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True
