"""Every dataset type in the catalog must import, before anything runs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kedro.io import DatasetError
from kedro.io.core import parse_dataset_definition

from .._errors import DynamicPipelinesError, ProjectError
from .._expansion.result import Expansion
from .catalog_index import dataset_origin_path, without_credentials


def check_types(
    catalog: Mapping[str, Any], expansion: Expansion, *, key: str, source: str | None
) -> list[DynamicPipelinesError]:
    """Every catalog entry's ``type`` must import (checked once per distinct config type)."""
    errors: dict[str, DynamicPipelinesError] = {}
    tried: dict[str, str | None] = {}
    for name, config in catalog.items():
        if not isinstance(config, Mapping) or not isinstance(config.get("type"), str):
            continue
        kind = config["type"]
        if kind not in tried:
            try:
                parse_dataset_definition(dict(without_credentials(config)))
                tried[kind] = None
            except DatasetError as exc:
                tried[kind] = " ".join(line.strip() for line in str(exc).splitlines() if line)
        problem = tried[kind]
        where = dataset_origin_path(name, expansion, key)
        if problem is not None and where not in errors:
            from_template = where != name
            errors[where] = ProjectError(
                f"the dataset type '{kind}' of '{name}' cannot be loaded: {problem}",
                path=where,
                source=source if from_template else "the catalog",
            )
    return list(errors.values())
