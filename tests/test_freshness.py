"""Fingerprints, the state file, staleness and compare, without a session (fast tier)."""

from __future__ import annotations

import functools
import json

import pytest
from helpers import f
from kedro.pipeline import node

from kedro_dynamic_hooks._checks.groups import TaskGroup
from kedro_dynamic_hooks._rerun.compare import as_row, render, sort_rows
from kedro_dynamic_hooks._rerun.fingerprint import (
    GroupPrint,
    code_digest,
    differences,
    file_identity,
    group_print,
)
from kedro_dynamic_hooks._rerun.journal import COMPACT_AFTER, append_records, compact, read_state
from kedro_dynamic_hooks._rerun.status import statuses


def test_the_journal_skips_a_torn_line_and_keeps_the_latest_record(tmp_path):
    path = tmp_path / "state" / "local.jsonl"
    assert read_state(path) == {}
    append_records(path, {"a": {"ok": True, "run": "1"}, "b": {"ok": True, "run": "1"}})
    append_records(path, {"a": {"ok": False, "run": "2"}})
    with open(path, "a") as file:  # a run killed in the middle of a write
        file.write('{"v": 1, "group": "b", "ok": tr')
    state = read_state(path)
    assert state["a"]["ok"] is False and state["a"]["run"] == "2"
    assert state["b"]["ok"] is True
    path.write_text("not json\n" + json.dumps({"v": 99, "group": "a"}) + "\n")
    assert read_state(path) == {}  # another version's lines are ignored


def test_the_journal_is_compacted_when_it_grows(tmp_path):
    path = tmp_path / "local.jsonl"
    for run in range(COMPACT_AFTER // 2 + 1):
        append_records(path, {"a": {"ok": True, "run": str(run)}, "b": {"ok": True, "run": "x"}})
    assert len(path.read_text().splitlines()) > COMPACT_AFTER
    compact(path)
    assert len(path.read_text().splitlines()) == 2
    assert read_state(path)["a"]["run"] == str(COMPACT_AFTER // 2)


def _two(x, y):
    return x, y


class Callable:
    def __call__(self, x):
        return x


def test_code_digests_follow_wrappers_and_partials():
    assert code_digest(f) == code_digest(f)
    assert code_digest(f) != code_digest(_two)
    assert code_digest(functools.partial(_two, 1)) != code_digest(functools.partial(_two, 2))

    @functools.wraps(_two)
    def wrapper(*args):
        return _two(*args)

    assert code_digest(wrapper) == code_digest(_two)
    assert code_digest(Callable()) == code_digest(Callable())
    same = lambda x: x  # noqa: E731
    plus = lambda x: x + 1  # noqa: E731
    assert code_digest(same) != code_digest(plus)


def test_a_group_print_covers_parameters_code_structure_and_files(tmp_path):
    raw = tmp_path / "raw.csv"
    raw.write_text("a\n")
    nodes = [
        node(_two, ["raw", "params:ns.v.opts"], ["mid", "other"], name="ns.v.a"),
        node(f, ["mid", "up", "params:size"], "out", name="ns.v.b"),
    ]
    params = {"size": 3, "ns": {"v": {"opts": {"alpha": 1, "nested": {"k": [1, 2]}}}}}
    paths = {"raw": str(raw), "up": None}.get
    printed = group_print(nodes, params, {"up", "mid"}, paths, prefix="ns.v.")
    assert set(printed.parameters) == {"opts.alpha", "opts.nested.k", "size"}
    assert set(printed.code) == {"ns.v.a", "ns.v.b"}
    assert printed.inputs == {"raw": file_identity(str(raw)), "up": "untracked"}
    assert printed.reads == ("up",) and printed.writes == ("mid", "other", "out")
    assert GroupPrint.from_dict(json.loads(json.dumps(printed.as_dict()))) == printed

    params["ns"]["v"]["opts"]["alpha"] = 2
    raw.write_text("ab\n")
    later = group_print(nodes, params, {"up", "mid"}, paths, prefix="ns.v.")
    assert differences(printed, later) == [
        "parameters changed (opts.alpha)",
        "input changed (raw)",
    ]
    raw.unlink()
    gone = group_print(nodes, params, {"up", "mid"}, paths, prefix="ns.v.")
    assert differences(later, gone) == ["input missing (raw)"]
    moved = group_print(nodes[:1], params, set(), paths, prefix="ns.v.")
    assert "nodes or datasets changed" in differences(printed, moved)
    assert file_identity(str(tmp_path / "nope")) == "missing"
    assert file_identity("s3://bucket/key") == "untracked"


def _print(writes=(), reads=(), alpha="1") -> GroupPrint:
    return GroupPrint({"alpha": alpha}, {"n": "c"}, "s", {}, tuple(reads), tuple(writes))


def test_staleness_flows_downstream_and_names_its_reasons():
    groups = [
        TaskGroup("ns", "shared", "ns", None, ("s",), ()),
        TaskGroup("ns.a", "variant", "ns", "a", ("a",), ("ns",)),
        TaskGroup("ns.b", "variant", "ns", "b", ("b",), ("ns",)),
        TaskGroup("ns.collect", "collect", "ns", None, ("c",), ("ns.a", "ns.b")),
    ]
    prints = {
        "ns": _print(writes=["t"]),
        "ns.a": _print(writes=["ma"], reads=["t"], alpha="2"),
        "ns.b": _print(writes=["mb"], reads=["t"]),
        "ns.collect": _print(writes=["cmp"], reads=["ma", "mb"]),
    }
    ok = {"ok": True, "print": _print().as_dict()}
    state = {
        "ns": {"ok": True, "print": _print(writes=["t"]).as_dict()},
        "ns.a": ok,
        "ns.b": {"ok": False},
    }
    found = {s.group.name: s for s in statuses(groups, prints, state, lambda names: [])}
    assert found["ns"].summary == "up to date" and not found["ns"].stale
    assert found["ns.a"].reasons == ("parameters changed (alpha)",)
    assert found["ns.b"].reasons == ("last run failed",)
    assert found["ns.collect"].reasons == ("never run", "upstream stale (ns.a, ns.b)")
    missing = statuses(groups, prints, {**state, "ns.b": ok}, list)
    assert missing[0].reasons == ("outputs missing (t)",)
    assert missing[0].as_dict() == {
        "group": "ns",
        "kind": "shared",
        "namespace": "ns",
        "variant": None,
        "stale": True,
        "reasons": ["outputs missing (t)"],
    }


def test_compare_rows_sorting_and_formats():
    pandas = pytest.importorskip("pandas")
    assert as_row({"mae": 1, "detail": {"r2": 0.5}}, "x") == {"mae": 1, "detail.r2": 0.5}
    assert as_row(pandas.DataFrame([{"mae": 2.0}]), "x") == {"mae": 2.0}
    assert as_row(3, "x") == {"value": 3}
    with pytest.raises(ValueError) as frame:
        as_row(pandas.DataFrame([{"a": 1}, {"a": 2}]), "ns.v.table")
    assert str(frame.value) == (
        "'ns.v.table' is a table of 2 rows; compare needs one row per variant (a dict, JSON "
        "metrics or a one-row frame)."
    )
    with pytest.raises(ValueError) as other:
        as_row([1, 2], "ns.v.list")
    assert str(other.value) == (
        "'ns.v.list' holds a list; compare needs a dict, JSON metrics, a one-row frame or a "
        "single value per variant."
    )
    rows = [
        {"variant": "a", "mae": 2.0, "name": "z"},
        {"variant": "b", "mae": None, "name": "y"},
        {"variant": "c", "mae": 1.0, "name": "x"},
    ]
    assert [r["variant"] for r in sort_rows(rows, "mae")] == ["c", "a", "b"]
    assert [r["variant"] for r in sort_rows(rows, "-mae")] == ["a", "c", "b"]
    assert [r["variant"] for r in sort_rows(rows, "name")] == ["c", "b", "a"]
    assert [r["variant"] for r in sort_rows(rows, "-name")] == ["a", "b", "c"]
    assert sort_rows(rows, None) is rows
    assert render(rows[:1], "csv") == "variant,mae,name\na,2.0,z\n"
    assert (
        render(rows[:1], "markdown") == "| variant | mae | name |\n|---|---|---|\n| a | 2 | z |\n"
    )
    assert json.loads(render(rows[:1], "json")) == rows[:1]
