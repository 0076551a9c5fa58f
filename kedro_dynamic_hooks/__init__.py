"""Dynamic pipelines for Kedro, declared in parameters.yml and expanded by a hook.

Add the hook in ``settings.py``::

    from kedro_dynamic_hooks import DynamicPipelinesHook

    HOOKS = (DynamicPipelinesHook(),)
"""

from . import _supported  # noqa: F401  (refuses unsupported Kedro versions first)
from .errors import CollisionError, DeclarationError, DynamicPipelinesError
from .expand import expand
from .expansion import DatasetOrigin, Expansion
from .hooks import DynamicPipelinesHook
from .registry import find_dynamic_pipelines
from .schema import Declaration, parse_declaration

__version__ = "0.1.0"

__all__ = [
    "CollisionError",
    "DatasetOrigin",
    "Declaration",
    "DeclarationError",
    "DynamicPipelinesError",
    "DynamicPipelinesHook",
    "Expansion",
    "__version__",
    "expand",
    "find_dynamic_pipelines",
    "parse_declaration",
]
