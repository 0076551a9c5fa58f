"""No two datasets write one place, whatever the spelling.

Every dataset that an expansion touches is resolved as Kedro would (its
explicit entry, else the best-matching dataset factory), and every path in its
config is taken, at any depth (a ``CachedDataset`` wraps the real one). Paths
are compared after normalisation: ``file://`` dropped, ``~`` expanded, ``..``
folded (in URLs too), symlinked folders resolved, and case ignored, since
``test1`` and ``Test1`` are one folder on macOS and Windows. A folder dataset
(``PartitionedDataset``, ``IncrementalDataset``) that a node writes may not
contain another dataset's files: with ``overwrite`` it deletes them.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kedro.io.catalog_config_resolver import CatalogConfigResolver

from .._constants import FOLDER_TYPES, PATH_KEYS
from .._errors import CollisionError, combine
from .._expansion.nodes import base_name

if TYPE_CHECKING:
    from .._expansion.result import DatasetOrigin



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


class _Normaliser:
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


def locations(
    catalog: Mapping[str, Any], names: Iterable[str], *, project_path: str
) -> dict[str, list[Location]]:
    """Resolve each dataset name to every place it reads or writes."""
    patterns = {k: v for k, v in catalog.items() if CatalogConfigResolver.is_pattern(k)}
    from .inputs import CatalogIndex  # a resolver of the same patterns

    index = CatalogIndex(patterns) if patterns else None
    normalise = _Normaliser(project_path)
    found: dict[str, list[Location]] = {}
    for name in names:
        config = catalog.get(name)
        pattern = None
        if config is None and index is not None:
            config = index.resolve(name)
            pattern = index.pattern(name)
        places = []
        for value, folder in config_paths(config):
            path = normalise(value)
            shown = _relative(path, project_path)
            places.append(Location(name, shown, path.casefold(), folder, pattern))
        found[name] = places
    return found


def _relative(path: str, project_path: str) -> str:
    """A path inside the project as relative to it, for messages; others as they are."""
    root = project_path.replace("\\", "/").rstrip("/") + "/"
    return path[len(root) :] if path.startswith(root) else path


def check_collisions(
    catalog: Mapping[str, Any],
    origins: Mapping[str, DatasetOrigin],
    *,
    project_path: str,
    datasets: Iterable[str] = (),
    written: Iterable[str] = (),
    templated: Iterable[str] = (),
    key: str = "dynamic_pipelines",
) -> None:
    """Refuse two datasets that write one place, when a namespaced one is involved.

    Transcoded names of one dataset (``x@pandas``, ``x@spark``) may share a
    path; anything else may not, even when versioned, because both would be
    saved under the same run's version folder.

    Args:
        catalog: The catalog config (explicit entries and patterns).
        origins: Every namespaced dataset name -> where it comes from.
        project_path: Relative filepaths are taken relative to this folder.
        datasets: Other dataset names the expansion reads or writes (global
            inputs and outputs), resolved through the patterns too.
        written: Names of the datasets that nodes write.
        templated: Names whose config a ``catalog`` template of the declaration gave.
        key: The declaration's top-level key, for the YAML path of a template.

    Raises:
        CollisionError: Naming both datasets, their origins and the path.
    """
    explicit = [k for k in catalog if not CatalogConfigResolver.is_pattern(k)]
    # Without dataset factories, a name with no entry has no path: skip it
    # unseen (a run that builds one variant of 10,000 declares 40,000 names).
    patterned = len(explicit) < len(catalog)
    declared = origins if patterned else (name for name in origins if name in catalog)
    # The user's own entries first: a clash then names the entry the template hits.
    names = list(dict.fromkeys([*(k for k in explicit if k not in origins), *declared, *datasets]))
    found = locations(catalog, names, project_path=project_path)
    places = [place for name in names for place in found[name]]
    from_templates = set(templated)

    def where(place: Location) -> tuple[str, str | None]:
        """The YAML path of the config that gave ``place``, and its file."""
        origin = origins.get(place.dataset)
        if origin is not None and place.dataset in from_templates:
            return f"{key}.{origin.namespace}.catalog.{origin.template}", None
        if place.pattern is not None:
            return place.pattern, "a dataset factory in the catalog"
        return place.dataset, "the catalog"

    problems: list[CollisionError] = []
    owners: dict[str, Location] = {}
    for place in places:
        other = owners.setdefault(place.key, place)
        if _clash(other.dataset, place.dataset, origins):
            path, source = where(place)
            problems.append(
                CollisionError(
                    f"datasets '{other.dataset}' ({_origin(other, origins)}) and "
                    f"'{place.dataset}' ({_origin(place, origins)}) both resolve to "
                    f"filepath {_shown(other, place)}; one would overwrite the other. Give "
                    "each its own filepath, e.g. with '{variant}' for per-variant datasets, in "
                    "the catalog template or dataset factory pattern.",
                    path=path,
                    source=source,
                )
            )
    writers = set(written)
    for folder in (p for p in places if p.folder and p.dataset in writers):
        inside = folder.key.rstrip("/") + "/"
        for place in places:
            if place.key.startswith(inside) and _clash(folder.dataset, place.dataset, origins):
                path, source = where(folder)
                problems.append(
                    CollisionError(
                        f"folder dataset '{folder.dataset}' ({_origin(folder, origins)}) "
                        f"writes into '{folder.path}', which holds '{place.dataset}' "
                        f"({_origin(place, origins)}) at '{place.path}'; writing the "
                        "folder can overwrite or delete that file. Give the folder dataset a "
                        "folder of its own.",
                        path=path,
                        source=source,
                    )
                )
    problem = combine(problems)
    if problem is not None:
        raise problem


def _clash(one: str, other: str, origins: Mapping[str, DatasetOrigin]) -> bool:
    # Transcoded names of one dataset (x@pandas, x@spark) share a file by design.
    return base_name(one) != base_name(other) and (one in origins or other in origins)


def _shown(one: Location, other: Location) -> str:
    if one.path == other.path:
        return f"'{one.path}'"
    return f"'{one.path}' and '{other.path}' (one path on a case-insensitive file system)"


def _origin(place: Location, origins: Mapping[str, DatasetOrigin]) -> str:
    origin = origins.get(place.dataset)
    if origin is not None:
        return origin.describe()
    return f"from pattern '{place.pattern}'" if place.pattern else "a catalog entry"
