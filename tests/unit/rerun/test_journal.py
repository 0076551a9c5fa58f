"""The journal of task-group runs: torn lines, other versions' lines, compaction."""

from __future__ import annotations

import json

from kedro_dynamic_hooks._rerun.journal import COMPACT_AFTER, append_records, compact, read_state


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
