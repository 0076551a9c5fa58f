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

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from kedro.io.catalog_config_resolver import CatalogConfigResolver

from .._errors import CollisionError, combine
from .._expansion.nodes import base_name
from .catalog_index import Location, locations

if TYPE_CHECKING:
    from .._expansion.result import DatasetOrigin


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
