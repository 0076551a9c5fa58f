"""Our errors: plain ValueErrors in the core; reported, one-line click errors that
keep their class, their problems and their source, and survive pickling."""

from __future__ import annotations

import pickle

import click

from kedro_dynamic_hooks import CollisionError, DeclarationError
from kedro_dynamic_hooks._errors import DynamicPipelinesError
from kedro_dynamic_hooks._runtime.reporting import reported


def test_core_errors_are_value_errors_without_click():
    error = DeclarationError("boom", path="a.b")
    assert isinstance(error, DynamicPipelinesError) and isinstance(error, ValueError)
    assert not isinstance(error, click.ClickException)
    assert str(error.with_source("conf/base/parameters.yml")) == (
        "Invalid dynamic pipelines declaration at 'a.b' (in conf/base/parameters.yml): boom"
    )
    assert error.errors == (error,)


def test_reported_errors_exit_like_click_exceptions_and_keep_their_class():
    other = CollisionError("second", path="c")
    error = DeclarationError("boom", path="a.b", source="conf/base/parameters.yml", others=[other])
    shown = reported(error)
    assert isinstance(shown, click.ClickException) and isinstance(shown, DeclarationError)
    assert shown.exit_code == 1 and shown.error is error
    assert (shown.path, shown.source, shown.detail) == ("a.b", "conf/base/parameters.yml", "boom")
    assert shown.errors[1:] == (other,)
    assert (
        shown.format_message()
        == str(error)
        == (
            "Invalid dynamic pipelines declaration at 'a.b' (in conf/base/parameters.yml): boom "
            "(and 1 more problem(s); 'kedro dynamic validate' lists them all)"
        )
    )
    assert reported(shown) is shown
    assert type(reported(DeclarationError("again"))) is type(shown)  # one class per error class


def test_errors_survive_pickling_with_every_problem():
    error = CollisionError("boom", path="a", source="f.yml", others=[DeclarationError("x")])
    copy_ = pickle.loads(pickle.dumps(error))
    assert type(copy_) is CollisionError and str(copy_) == str(error)
    assert [e.detail for e in copy_.errors] == ["boom", "x"]


def test_reported_errors_pickle_and_take_a_source():
    shown = reported(DeclarationError("boom", path="a.b"))
    again = pickle.loads(pickle.dumps(shown))
    assert type(again) is type(shown) and str(again) == str(shown)
    located = shown.with_source("conf/base/parameters.yml")
    assert (
        isinstance(located, click.ClickException) and located.source == "conf/base/parameters.yml"
    )
    assert located.alone() == (
        "Invalid dynamic pipelines declaration at 'a.b' (in conf/base/parameters.yml): boom"
    )
