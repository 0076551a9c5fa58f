"""Options shared by ``kedro dynamic`` commands, parsed as ``kedro run`` parses them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from kedro.framework.cli.utils import env_option, split_node_names, split_string

from .._kedro_compat import split_params

__all__ = ["env_option"]

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

params_option = click.option(
    "--params",
    type=click.UNPROCESSED,
    default="",
    callback=split_params,
    help="Like kedro run --params: key=value pairs, comma separated (dotted keys nest).",
)


def namespaces_option(help_text: str) -> Decorator:
    """``--namespaces``/``-ns`` as ``kedro run`` parses it."""
    return click.option(
        "--namespaces", "-ns", type=str, default="", callback=split_node_names, help=help_text
    )


def tags_option(help_text: str) -> Decorator:
    """``--tags``/``-t`` as ``kedro run`` parses it."""
    return click.option("--tags", "-t", type=str, default="", callback=split_string, help=help_text)


def output_option(help_text: str) -> Decorator:
    """``--output``/``-o``: a file for the JSON."""
    return click.option(
        "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help=help_text
    )


json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")


@contextmanager
def quiet(enabled: bool = True) -> Iterator[None]:
    """Silence Kedro's log lines, which go to stdout, while JSON or CSV is made."""
    if enabled:
        logging.disable(logging.CRITICAL)
    try:
        yield
    finally:
        if enabled:
            logging.disable(logging.NOTSET)


def write(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, or fail with one line."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"Cannot write {path}: {exc.strerror or exc}.") from exc
