"""Config read on a fresh stack, with the caller's context variables and click context."""

from __future__ import annotations

import contextvars
import threading

import click
import pytest

from kedro_dynamic_hooks._runtime.stack import on_fresh_stack


def test_config_is_read_on_a_fresh_stack_with_the_callers_context():
    # CPython 3.11 maps and unmaps a frame chunk per call when a hot loop sits
    # on a chunk edge; a new thread's stack starts empty (see _originals.py).
    flag: contextvars.ContextVar[str] = contextvars.ContextVar("flag", default="unset")
    token = flag.set("caller")
    try:
        assert on_fresh_stack(lambda suffix: flag.get() + suffix, "!") == "caller!"
    finally:
        flag.reset(token)
    with pytest.raises(ZeroDivisionError):
        on_fresh_stack(lambda: 1 / 0)
    assert on_fresh_stack(threading.current_thread) is not threading.current_thread()
    # `kedro run`'s click context goes along: the hook reads the run's flags from it.
    assert on_fresh_stack(click.get_current_context, True) is None
    command = click.Context(click.Command("run"), info_name="run")
    closed: list[bool] = []
    command.call_on_close(lambda: closed.append(True))
    with command:
        assert on_fresh_stack(click.get_current_context) is command
        assert closed == []  # not closed by the worker
    assert closed == [True]
