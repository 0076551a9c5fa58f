"""Dynamic pipelines for Kedro, declared in parameters.yml and expanded by a hook.

Add the hook in ``settings.py``::

    from kedro_dynamic_hooks import DynamicPipelinesHook

    HOOKS = (DynamicPipelinesHook(),)

Everything importable from this module is the public API, listed in
``__all__``. Modules whose name starts with an underscore are internal and may
change in any release.
"""

from importlib.metadata import PackageNotFoundError, version

from . import _supported  # noqa: F401  (refuses unsupported Kedro versions first)
from ._declaration.schema import Declaration, NamespaceSpec
from ._declaration.sections import ChainSpec, CollectSpec, MatrixSpec, VariantSpec
from ._errors import (
    CollisionError,
    DeclarationError,
    DynamicPipelinesError,
    ProjectError,
    SelectionError,
)
from ._runtime.find import find_dynamic_pipelines
from ._runtime.hook import DynamicPipelinesHook
from ._runtime.listing import variant_batches
from ._runtime.selecting import selecting

try:
    __version__ = version("kedro-dynamic-hooks")
except PackageNotFoundError:  # pragma: no cover (imported from a source tree, not installed)
    __version__ = "0+unknown"

__all__ = [
    "ChainSpec",
    "CollectSpec",
    "CollisionError",
    "Declaration",
    "DeclarationError",
    "DynamicPipelinesError",
    "DynamicPipelinesHook",
    "MatrixSpec",
    "NamespaceSpec",
    "ProjectError",
    "SelectionError",
    "VariantSpec",
    "__version__",
    "find_dynamic_pipelines",
    "selecting",
    "variant_batches",
]
