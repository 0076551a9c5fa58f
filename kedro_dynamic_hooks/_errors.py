"""Errors raised by kedro_dynamic_hooks.

The core raises plain :class:`ValueError` subclasses that carry the YAML path
and the file. The edges (the hook and ``kedro dynamic``) turn them into
one-line click errors, see ``_runtime/reporting.py``; from Python, catch these classes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar


class DynamicPipelinesError(ValueError):
    """Raised when a declaration, or the project around it, cannot be expanded safely.

    Attributes:
        detail: What is wrong and how to fix it.
        path: Dotted YAML path of the offending key, e.g.
            ``dynamic_pipelines.price_predictor.variants``, or ``None``.
        source: The parameters file (or files) that hold the declaration.
        errors: Every problem found, this one first. Usually just ``(self,)``;
            schema validation reports them all at once.
    """

    title = "Invalid dynamic pipelines declaration"

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        source: str | None = None,
        others: Sequence[DynamicPipelinesError] = (),
    ) -> None:
        self.detail = message
        self.path = path
        self.source = source
        self._others = tuple(others)
        where = f" at '{path}'" if path else ""
        if source:
            where += f" (in {source})"
        text = f"{self.title}{where}: {message}"
        if self._others:
            text += (
                f" (and {len(self._others)} more problem(s); "
                "'kedro dynamic validate' lists them all)"
            )
        super().__init__(text)

    def alone(self) -> str:
        """The message of this problem only, without the count of the others."""
        return str(DynamicPipelinesError(self.detail, path=self.path, source=self.source)).replace(
            DynamicPipelinesError.title, self.title, 1
        )

    @property
    def errors(self) -> tuple[DynamicPipelinesError, ...]:
        """Every problem found, this one first."""
        return (self, *self._others)

    def with_source(self, source: str) -> DynamicPipelinesError:
        """Return a copy of this error (and of the others) that names the file."""
        others = [e if e.source else e.with_source(source) for e in self._others]
        return type(self)(self.detail, path=self.path, source=source, others=others)

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments: pickle (e.g. ParallelRunner) needs help.
        return (_rebuild, (type(self), self.detail, self.path, self.source, self._others))


def _rebuild(
    cls: type[DynamicPipelinesError],
    detail: str,
    path: str | None,
    source: str | None,
    others: tuple[DynamicPipelinesError, ...],
) -> DynamicPipelinesError:
    return cls(detail, path=path, source=source, others=others)


class DeclarationError(DynamicPipelinesError):
    """Raised when the declaration breaks the schema or names something unknown."""


class CollisionError(DynamicPipelinesError):
    """Raised when two datasets would write to one filepath, or two names clash."""

    title = "Datasets collide"


class ProjectError(DynamicPipelinesError):
    """Raised when the project around a valid declaration would fail or lose data:
    an input nothing provides, a template output that a plain node still reads,
    two datasets writing one place."""

    title = "Dynamic pipelines project check failed"


class ConfigError(ProjectError):
    """Raised when Kedro itself cannot read the configuration (a duplicate key, a
    YAML syntax error): nothing of ours has run yet, and the message says so."""

    title = "Kedro could not read the configuration"


class SelectionError(DynamicPipelinesError):
    """Raised when ``kedro run``'s ``--pipelines``, ``--namespaces``, ``--tags`` or
    ``--nodes`` name nothing that exists, or together select no node."""

    title = "Nothing to run"


E = TypeVar("E", bound=DynamicPipelinesError)


def combine(errors: Iterable[E], *, source: str | None = None) -> E | None:
    """The first of ``errors``, carrying every other one in its ``errors``.

    The one rule for reporting every problem at once: the first is the
    message, ``kedro dynamic validate`` lists them all.

    Args:
        errors: The problems found, in the order to report them.
        source: The file to name in the first error, instead of its own.

    Returns:
        The combined error, or ``None`` when there is none.
    """
    found = list(errors)
    if not found:
        return None
    head, *others = found
    return type(head)(head.detail, path=head.path, source=source or head.source, others=others)
