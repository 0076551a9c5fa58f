"""Names that Kedro and the declaration give a meaning to, defined once."""

from __future__ import annotations

DEFAULT_KEY = "dynamic_pipelines"
"""The top-level parameters key that holds the declaration."""

DEFAULT_PIPELINE = "__default__"
"""The pipeline ``kedro run`` runs without ``--pipelines``."""

PARAMS = "params:"
"""The prefix of a node input that reads one parameter."""

ALL_PARAMETERS = "parameters"
"""The node input that reads every parameter at once."""

PATH_KEYS = ("filepath", "path")
"""Dataset config keys that hold where the data lives."""

FOLDER_TYPES = ("PartitionedDataset", "IncrementalDataset")
"""Dataset types whose path is a folder of files."""


def is_parameter(name: str) -> bool:
    """Whether a node input is a parameter (``params:...`` or ``parameters``)."""
    return name == ALL_PARAMETERS or name.startswith(PARAMS)


LOGGER = "kedro.dynamic_hooks"
"""The one logger the plugin writes to. A child of ``kedro``, so Kedro's default
logging and the starters' ``logging.yml`` (``kedro: INFO``) show its lines."""
