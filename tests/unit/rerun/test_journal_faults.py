"""The journal under faults: killed writers, hand edits, threads, an unwritable folder."""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor

from kedro_dynamic_hooks._rerun.journal import append_records, compact, read_state

GOOD = {"ok": True, "run": "1", "print": {"parameters": {"a": "x"}, "structure": "s"}}


def test_an_append_after_a_torn_line_starts_on_a_new_line(tmp_path):
    path = tmp_path / "local.jsonl"
    append_records(path, {"a": GOOD})
    with open(path, "a") as file:  # a run killed in the middle of a write
        file.write('{"v": 1, "group": "b", "ok": tr')
    append_records(path, {"c": GOOD})
    state = read_state(path)
    assert set(state) == {"a", "c"}  # c was not swallowed by the torn line
    assert path.read_text().splitlines()[-1].startswith('{"group": "c"')


def test_a_malformed_record_counts_as_never_run_with_one_warning(tmp_path, caplog):
    path = tmp_path / "local.jsonl"
    append_records(path, {"a": GOOD, "b": GOOD})
    with open(path, "a") as file:  # hand edits: wrong shapes in well-formed JSON
        file.write(json.dumps({"v": 1, "group": "a", "ok": True, "print": []}) + "\n")
        file.write(json.dumps({"v": 1, "group": "b", "ok": "yes"}) + "\n")
        file.write(json.dumps(["not", "a", "record"]) + "\n")
    with caplog.at_level(logging.WARNING, logger="kedro.dynamic_hooks"):
        state = read_state(path)
    assert state == {}  # the latest line of a and of b is malformed: never run
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "line(s) 3, 4, 5 are not readable records" in warnings[0]
    assert "count as never run" in warnings[0]


def test_a_torn_last_line_alone_says_nothing(tmp_path, caplog):
    path = tmp_path / "local.jsonl"
    append_records(path, {"a": GOOD})
    with open(path, "a") as file:
        file.write('{"v": 1, "gro')
    with caplog.at_level(logging.WARNING, logger="kedro.dynamic_hooks"):
        assert set(read_state(path)) == {"a"}
    assert caplog.records == []


def test_compaction_keeps_a_malformed_latest_line_as_never_run(tmp_path, monkeypatch):
    from kedro_dynamic_hooks._rerun import journal

    monkeypatch.setattr(journal, "COMPACT_AFTER", 4)
    path = tmp_path / "local.jsonl"
    for _ in range(4):
        append_records(path, {"a": GOOD, "b": GOOD})
    with open(path, "a") as file:
        file.write(json.dumps({"v": 1, "group": "a", "ok": 3}) + "\n")
    compact(path)
    assert set(read_state(path)) == {"b"}  # a did not come back to life
    assert len(path.read_text().splitlines()) == 1


def test_threads_appending_at_once_lose_no_record(tmp_path):
    path = tmp_path / "local.jsonl"
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda i: append_records(path, {f"g{i}": GOOD}), range(200)))
    assert set(read_state(path)) == {f"g{i}" for i in range(200)}
