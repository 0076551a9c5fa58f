"""Errors raised by kedro_dynamic_hooks.

Every problem with a declaration surfaces as a :class:`DynamicPipelinesError`.
It subclasses :class:`click.ClickException` so that ``kedro run`` and the other
Kedro commands print one readable ``Error: ...`` message and exit non-zero,
instead of a traceback from deep inside Kedro.
"""

from __future__ import annotations

import click


class DynamicPipelinesError(click.ClickException, ValueError):
    """Raised when a dynamic pipelines declaration cannot be expanded safely.

    Attributes:
        path: Dotted YAML path of the offending key, e.g.
            ``dynamic_pipelines.price_predictor.variants``, or ``None``.
        source: The parameters file (or files) that hold the declaration.
    """

    def __init__(self, message: str, *, path: str | None = None, source: str | None = None):
        self.detail = message
        self.path = path
        self.source = source
        where = ""
        if path:
            where = f" at '{path}'"
        if source:
            where += f" (in {source})"
        super().__init__(f"Invalid dynamic pipelines declaration{where}: {message}")

    def with_source(self, source: str) -> DynamicPipelinesError:
        """Return a copy of this error that names the parameters file."""
        return type(self)(self.detail, path=self.path, source=source)


class DeclarationError(DynamicPipelinesError):
    """Raised when the declaration breaks the schema or names something unknown."""


class CollisionError(DynamicPipelinesError):
    """Raised when two datasets would write to one filepath, or two names clash."""
