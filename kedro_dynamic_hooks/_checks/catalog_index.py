"""Where a dataset lives, as Kedro would resolve it: the one catalog resolution.

A name takes its explicit entry, else the best-matching dataset factory
pattern written by the user. Every path in its config counts, at any depth (a
``CachedDataset`` wraps the real one), normalised: ``file://`` dropped, ``~``
expanded, ``..`` folded (in URLs too), symlinked folders resolved; the key
compared is case-folded, since ``test1`` and ``Test1`` are one folder on macOS
and Windows.
"""

from __future__ import annotations

import copy
import os
import posixpath
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from kedro.io import DatasetError
from kedro.io.catalog_config_resolver import DEFAULT_RUNTIME_PATTERN, CatalogConfigResolver

from .._constants import FOLDER_TYPES, PATH_KEYS
from .._errors import ProjectError
from .._expansion.result import Expansion
from .._kedro_compat import compile_pattern


class CatalogIndex:
    """Answers "would Kedro find this dataset?" from a catalog configuration.

    A name is known when it has an explicit entry or matches a dataset factory
    pattern written by the user (Kedro's own runtime pattern, which makes a
    ``MemoryDataset`` of anything, does not count: nothing would be persisted).

    Patterns are matched as Kedro's ``CatalogConfigResolver`` matches them, in
    its order (most specific first, the catch-all last), with each pattern
    compiled once instead of at every lookup; ``tests/unit/checks`` compares
    the two on generated patterns and names.
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
        # Kedro's order: its sorted patterns, then the user's catch-all.
        ordered = self._resolver.list_patterns()[: len(patterns)]
        self._compiled = [(p, compile_pattern(p), patterns[p]) for p in ordered]

    def _match(self, name: str) -> tuple[str, dict[str, Any]] | None:
        for pattern, compiled, _ in self._compiled:
            found = compiled.parse(name)
            if found is not None:
                return pattern, found.named
        return None

    def resolve(self, name: str) -> dict[str, Any] | None:
        """The config the best-matching pattern gives ``name`` (Kedro's default if
        none; ``None`` without patterns)."""
        if not self._compiled:
            return None
        matched = self.resolved(name)
        if matched is not None:
            return matched[0]
        default: dict[str, Any] = self._resolver.resolve_pattern(name)
        return default

    def resolved(self, name: str) -> tuple[dict[str, Any], str] | None:
        """The config and the user's pattern that ``name`` matches, in one match."""
        for pattern, compiled, config in self._compiled:
            found = compiled.parse(name)
            if found is not None:
                return _fill(config, found.named), pattern
        return None

    def pattern(self, name: str) -> str | None:
        """The user's dataset factory pattern that matches ``name``, if any."""
        matched = self._match(name) if self._compiled else None
        return matched[0] if matched else None

    def __call__(self, name: str) -> bool:
        if name in self.explicit:
            return True
        return bool(self._compiled) and self._match(name) is not None


def _fill(config: Any, named: Mapping[str, Any]) -> Any:
    """A copy of a pattern's config with the matched placeholders filled in, as
    Kedro's ``CatalogConfigResolver`` fills a deep copy of it."""
    if isinstance(config, dict):
        return {key: _fill(value, named) for key, value in config.items()}
    if type(config) in (list, tuple):
        return [_fill(value, named) for value in config]
    if isinstance(config, str):
        return config.format_map(named) if "}" in config else config
    if config is None or isinstance(config, (bool, int, float)):
        return config
    return copy.deepcopy(config)


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
    absolute: str  # normalised
    key: str  # what is compared: the path, case-folded
    folder: bool
    pattern: str | None = None  # the dataset factory that gave the config, if any
    project_path: str = ""

    @cached_property
    def path(self) -> str:
        """The path as shown in messages: relative to the project when inside it
        (made only for a message: ``relpath`` costs more than the check)."""
        return shown_path(self.absolute, self.project_path)


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
            matched = index.resolved(name)
            config, pattern = matched if matched else (index.resolve(name), None)
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
            places.append(Location(name, path, path.casefold(), folder, pattern, project_path))
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
