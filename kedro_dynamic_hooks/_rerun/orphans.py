"""Variants the journal remembers that the declaration no longer has, and the files
they wrote that are still there.

A row removed from a ``variants_from`` table (or a variant removed from the
YAML) leaves its outputs where they were: nothing deletes them silently, and
``kedro dynamic status`` lists them so that they are not mistaken for current
results.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from .._declaration.schema import Declaration
from .._expansion.catalog import render_value


@dataclass(frozen=True)
class Orphan:
    """A variant no longer declared, and the files its last run wrote that remain.

    Attributes:
        group: ``<namespace>.<variant>``.
        paths: Its catalog templates' filepaths, rendered for it, that exist
            (relative to the project when under it).
    """

    group: str
    paths: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly form, beside the groups ``status --json`` lists."""
        namespace, _, variant = self.group.partition(".")
        return {
            "group": self.group,
            "kind": "orphaned",
            "namespace": namespace,
            "variant": variant,
            "stale": False,
            "reasons": ["no longer declared; its outputs are kept"],
            "outputs": list(self.paths),
        }


def orphans(
    state: Mapping[str, Any],
    declaration: Declaration,
    groups: Collection[str],
    project_path: str,
) -> list[Orphan]:
    """The variants of declared namespaces that ``state`` (the journal) recorded and
    that are not among ``groups`` any more, in the journal's order."""
    found = []
    for name, record in state.items():
        namespace, _, variant = name.partition(".")
        spec = declaration.namespaces.get(namespace)
        if name in groups or spec is None or not variant or "." in variant:
            continue
        if variant == "collect" and spec.collect is not None:
            continue  # the collect step's group, not a variant
        writes = (record.get("print") or {}).get("writes") or []
        paths = []
        for dataset in writes:
            template = spec.catalog.get(dataset.removeprefix(f"{name}."))
            filepath = (template or {}).get("filepath")
            if not isinstance(filepath, str) or "://" in filepath:
                continue
            path = render_value(filepath, namespace, variant)
            full = path if os.path.isabs(path) else os.path.join(project_path, path)
            if os.path.exists(full):
                paths.append(path)
        found.append(Orphan(name, tuple(paths)))
    return found
