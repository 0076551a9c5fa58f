"""Staleness: a group's reasons, and how they flow downstream."""

from __future__ import annotations

from kedro_dynamic_hooks._checks.groups import TaskGroup
from kedro_dynamic_hooks._rerun.fingerprint import GroupPrint
from kedro_dynamic_hooks._rerun.status import statuses


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
