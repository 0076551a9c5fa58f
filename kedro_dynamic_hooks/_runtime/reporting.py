"""The error boundary: our ``ValueError`` subclasses become one-line CLI errors.

Kedro's CLI prints a :class:`click.ClickException` as ``Error: <message>`` and
exits 1, and anything else as a traceback. The hook and ``kedro dynamic`` raise
:func:`reported` errors, chained ``from`` the original, so the CLI shows one
line while ``except DeclarationError`` keeps working from Python.
"""

from __future__ import annotations

from typing import Any, cast

import click

from .._errors import DynamicPipelinesError


class ReportedError(click.ClickException):
    """A :class:`DynamicPipelinesError` on its way out through the Kedro CLI.

    Each instance is also an instance of the original error's class (see
    :func:`reported`), with the same ``detail``, ``path``, ``source`` and
    ``errors``.

    Attributes:
        error: The original error.
    """

    def __init__(self, error: DynamicPipelinesError) -> None:
        # ClickException sets what click prints (message, colour); its
        # cooperative super() call reaches DynamicPipelinesError.__init__ with
        # the bare message, so the error's own fields are set again after it.
        click.ClickException.__init__(self, str(error))
        DynamicPipelinesError.__init__(
            cast(DynamicPipelinesError, self),
            error.detail,
            path=error.path,
            source=error.source,
            others=error.errors[1:],
        )
        self.error = error

    def with_source(self, source: str) -> ReportedError:
        """The same error naming ``source``, still reported."""
        return reported(self.error.with_source(source))

    def __reduce__(self) -> tuple[Any, ...]:
        # The class is made at run time: pickle the original and report it again.
        return (reported, (self.error,))


# One subclass per error class: click shows it, `except cls` still catches it.
_CLASSES: dict[type[DynamicPipelinesError], type[ReportedError]] = {}


def _reported_class(cls: type[DynamicPipelinesError]) -> type[ReportedError]:
    if cls not in _CLASSES:
        _CLASSES[cls] = cast(
            type[ReportedError], type(f"Reported{cls.__name__}", (ReportedError, cls), {})
        )
    return _CLASSES[cls]


def reported(error: DynamicPipelinesError) -> ReportedError:
    """Return a click exception that is also an instance of ``type(error)``.

    Raise it ``from error``: the traceback keeps the original, and the CLI
    prints only the message.
    """
    if isinstance(error, ReportedError):
        return error
    return _reported_class(type(error))(error)


def first_line(exc: BaseException) -> str:
    """An exception's message on one line (another library's, to quote in ours)."""
    text = str(exc).strip() or type(exc).__name__
    return " ".join(line.strip() for line in text.splitlines() if line.strip())
