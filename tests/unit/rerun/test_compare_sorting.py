"""compare sorts any mix of values, keeps missing ones last, and names unreadable files."""

from __future__ import annotations

import math

from kedro_dynamic_hooks._rerun.compare import load_rows, sort_rows


def _order(rows, key):
    return [r["variant"] for r in sort_rows(rows, key)]


def test_mixed_values_sort_numbers_first_then_text_then_missing_both_ways():
    rows = [
        {"variant": "text", "m": "high"},
        {"variant": "none", "m": None},
        {"variant": "two", "m": 2.0},
        {"variant": "bool", "m": True},
        {"variant": "nan", "m": math.nan},
        {"variant": "one", "m": 1},
        {"variant": "absent"},
    ]
    assert _order(rows, "m") == ["one", "two", "bool", "text", "none", "nan", "absent"]
    assert _order(rows, "-m") == ["two", "one", "text", "bool", "none", "nan", "absent"]


def test_an_unreadable_file_is_named_apart_from_one_not_written_yet(tmp_path):
    from kedro.io import DataCatalog

    catalog = DataCatalog.from_config(
        {
            f"ns.{v}.metrics": {"type": "json.JSONDataset", "filepath": str(tmp_path / f"{v}.json")}
            for v in "abc"
        }
    )
    (tmp_path / "a.json").write_text('{"mae": 1.0}')
    (tmp_path / "c.json").write_text('{"mae": 1.')  # truncated
    names = [(f"ns.{v}", f"ns.{v}.metrics") for v in "abc"]
    rows, not_run, unreadable = load_rows(catalog, names)
    assert rows == [{"variant": "ns.a", "mae": 1.0}]
    assert not_run == ["ns.b"]
    assert len(unreadable) == 1 and unreadable[0].startswith("ns.c (")
    assert "Expecting" in unreadable[0] or "JSON" in unreadable[0], unreadable
