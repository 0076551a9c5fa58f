"""Where a dataset lives, as Kedro would resolve it: the one catalog resolution.

A name takes its explicit entry, else the best-matching dataset factory
pattern written by the user. Every path in its config counts, at any depth (a
``CachedDataset`` wraps the real one), normalised: ``file://`` dropped, ``~``
expanded, ``..`` folded (in URLs too), symlinked folders resolved; the key
compared is case-folded, since ``test1`` and ``Test1`` are one folder on macOS
and Windows.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kedro.io import DatasetError
from kedro.io.catalog_config_resolver import DEFAULT_RUNTIME_PATTERN, CatalogConfigResolver

from .._constants import FOLDER_TYPES, PATH_KEYS
from .._errors import ProjectError
from .._expansion.result import Expansion


class CatalogIndex:
    """Answers "would Kedro find this dataset?" from a catalog configuration.

    A name is known when it has an explicit entry or matches a dataset factory
    pattern written by the user (Kedro's own runtime pattern, which makes a
    ``MemoryDataset`` of anything, does not count: nothing would be persisted).
    """

    def __init__(self, catalog: Mapping[str, Any]) -> None:
        self.explicit = {k for k in catalog if not CatalogConfigResolver.is_pattern(k)}
        patterns = {
            k: without_credentials(v)
            for k, v in catalog.items()
            if CatalogConfigResolver.is_pattern(k)
        }
        try:
            self._resolver = CatalogConfigResolver(
                config=patterns, default_runtime_patterns=DEFAULT_RUNTIME_PATTERN
            )
        except DatasetError as exc:
            raise ProjectError(
                f"a dataset factory pattern is invalid: {exc}", path="catalog", source="the catalog"
            ) from exc
        self._has_patterns = bool(patterns)

    def resolve(self, name: str) -> dict[str, Any] | None:
        """The config the best-matching pattern gives ``name`` (Kedro's default if none)."""
        if not self._has_patterns:
            return None
        config: dict[str, Any] = self._resolver.resolve_pattern(name)
        return config

    def pattern(self, name: str) -> str | None:
        """The user's dataset factory pattern that matches ``name``, if any."""
        if not self._has_patterns:
            return None
        match: str | None = self._resolver.match_dataset_pattern(name)
        return match or self._resolver.match_user_catch_all_pattern(name)

    def __call__(self, name: str) -> bool:
        if name in self.explicit:
            return True
        if not self._has_patterns:
            return False
        resolver = self._resolver
        return (
            resolver.match_dataset_pattern(name) is not None
            or resolver.match_user_catch_all_pattern(name) is not None
        )


def without_credentials(config: Any) -> Any:
    if isinstance(config, Mapping):
        return {k: without_credentials(v) for k, v in config.items() if k != "credentials"}
    return config


def dataset_origin_path(name: str, expansion: Expansion | None, key: str) -> str:
    """The YAML path of a dataset's config: its catalog template, or its catalog entry."""
    if expansion is None or name not in expansion.catalog:
        return name
    origin = expansion.datasets[name]
    return f"{key}.{origin.namespace}.catalog.{origin.template}"


@dataclass(frozen=True)
class Location:
    """One place a dataset reads or writes."""

    dataset: str
    path: str  # normalised, as shown
    key: str  # what is compared: the path, case-folded
    folder: bool
    pattern: str | None = None  # the dataset factory that gave the config, if any


def config_paths(config: Any) -> Iterator[tuple[str, bool]]:
    """Every ``filepath``/``path`` string in a dataset config, at any depth,
    with whether it is a folder dataset's folder."""
    if not isinstance(config, Mapping):
        return
    folder = str(config.get("type", "")).endswith(FOLDER_TYPES)
    for key in PATH_KEYS:
        value = config.get(key)
        if isinstance(value, str) and value:
            yield value, folder
    for key, value in config.items():
        if key not in PATH_KEYS and key != "credentials" and isinstance(value, Mapping):
            yield from config_paths(value)


class Normaliser:
    """Normalises paths, resolving each local folder's symlinks once."""

    def __init__(self, project_path: str) -> None:
        self.project_path = project_path
        self._real: dict[str, str] = {}

    def __call__(self, value: str) -> str:
        value = value.replace("\\", "/")
        if value.startswith("file://"):
            value = value[len("file://") :]
        if "://" in value:
            protocol, rest = value.split("://", 1)
            return f"{protocol}://{posixpath.normpath(rest).lstrip('/')}".rstrip("/")
        value = os.path.expanduser(value)
        if not posixpath.isabs(value):
            value = posixpath.join(self.project_path, value)
        folder, name = posixpath.split(posixpath.normpath(value))
        return posixpath.join(self._resolve(folder), name)

    def _resolve(self, folder: str) -> str:
        if folder not in self._real:
            parent, name = posixpath.split(folder)
            if not name or parent == folder:
                resolved = folder
            else:
                candidate = posixpath.join(self._resolve(parent), name)
                resolved = (
                    os.path.realpath(candidate).replace("\\", "/")
                    if os.path.islink(candidate)
                    else candidate
                )
            self._real[folder] = resolved
        return self._real[folder]


def resolved_configs(
    catalog: Mapping[str, Any], names: Iterable[str]
) -> dict[str, tuple[Any, str | None]]:
    """Each dataset name's config as Kedro would resolve it (its explicit entry,
    else the best-matching factory pattern; ``None`` for neither), and the
    pattern that gave it."""
    patterns = {k: v for k, v in catalog.items() if CatalogConfigResolver.is_pattern(k)}
    index = CatalogIndex(patterns) if patterns else None
    found: dict[str, tuple[Any, str | None]] = {}
    for name in names:
        config = catalog.get(name)
        pattern = None
        if config is None and index is not None:
            config = index.resolve(name)
            pattern = index.pattern(name)
        found[name] = (config, pattern)
    return found


def locations(
    catalog: Mapping[str, Any], names: Iterable[str], *, project_path: str
) -> dict[str, list[Location]]:
    """Resolve each dataset name to every place it reads or writes."""
    normalise = Normaliser(project_path)
    found: dict[str, list[Location]] = {}
    for name, (config, pattern) in resolved_configs(catalog, names).items():
        places = []
        for value, folder in config_paths(config):
            path = normalise(value)
            shown = shown_path(path, project_path)
            places.append(Location(name, shown, path.casefold(), folder, pattern))
        found[name] = places
    return found


def shown_path(path: str, project_path: str) -> str:
    """A path inside the project as relative to it, for messages; others as they are."""
    project = project_path.replace("\\", "/").rstrip("/")
    try:
        inside = "://" not in path and posixpath.commonpath([path, project]) == project
    except ValueError:  # e.g. a Windows project and a POSIX or UNC path
        return path
    return posixpath.relpath(path, project) if inside else path


def resolve_filepaths(
    catalog: Mapping[str, Any], names: Iterable[str], *, project_path: str
) -> dict[str, str | None]:
    """Resolve each dataset name to its normalised filepath, as Kedro would.

    A name takes its explicit entry, else the best-matching dataset factory
    pattern; in-memory datasets (and anything without a path) give ``None``.
    """
    found = locations(catalog, list(names), project_path=project_path)
    return {name: places[0].path if places else None for name, places in found.items()}
