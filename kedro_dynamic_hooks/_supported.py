"""Refuse unsupported Kedro versions at import time, with the fix in the message."""

from __future__ import annotations

import re

import kedro

SUPPORTED = ((1, 3), (2, 0))


def check(version: str) -> None:
    """Raise ImportError unless ``version`` is within ``SUPPORTED`` (lower bound included)."""
    found = tuple(int(part) for part in re.findall(r"\d+", version)[:2])
    low, high = SUPPORTED
    if not low <= found < high:
        raise ImportError(
            f"kedro_dynamic_hooks supports Kedro >=1.3,<2, but Kedro {version} is installed. "
            "Run: pip install 'kedro>=1.3,<2'"
        )


# Kedro 1.3 added the parameter validation and catalog APIs this plugin builds on.
check(kedro.__version__)
