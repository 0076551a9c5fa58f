"""File identities: size and mtime first, content when they differ."""

from __future__ import annotations

import os

from kedro_dynamic_hooks._rerun.identity import (
    MISSING,
    UNTRACKED,
    Identities,
    content_of,
    same_data,
    stat_of,
)


def _later(path, seconds=60):
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + seconds * 10**9))


def test_touch_and_identical_bytes_are_the_same_data(tmp_path):
    data = tmp_path / "x.json"
    data.write_text('{"a": 1}')
    before = Identities().of("x", str(data))
    _later(data)
    touched = Identities().of("x", str(data))
    assert touched != before and same_data(before, touched)
    data.write_text('{"a": 2}')
    _later(data, 120)
    assert not same_data(before, Identities().of("x", str(data)))


def test_a_folder_changes_with_any_file_below_it(tmp_path):
    folder = tmp_path / "parts"
    (folder / "day").mkdir(parents=True)
    (folder / "a.json").write_text("1")
    (folder / "day" / "b.json").write_text("2")
    first = Identities().of("parts", str(folder))
    assert first.startswith("dir:")
    (folder / "day" / "b.json").write_text("3")
    _later(folder / "day" / "b.json")
    rewritten = Identities().of("parts", str(folder))
    assert not same_data(first, rewritten)
    (folder / "c.json").write_text("4")
    assert not same_data(rewritten, Identities().of("parts", str(folder)))
    (folder / "c.json").unlink()
    assert same_data(rewritten, Identities().of("parts", str(folder)))


def test_a_recorded_identity_is_reused_while_size_and_mtime_hold(tmp_path, monkeypatch):
    data = tmp_path / "x.json"
    data.write_text("1")
    recorded = f"{stat_of(str(data))}|recorded-digest"
    read: list[str] = []
    monkeypatch.setattr(
        "kedro_dynamic_hooks._rerun.identity.content_of", lambda p: read.append(p) or "d"
    )
    assert Identities({"x": recorded}).of("x", str(data)) == recorded
    assert read == []  # not read again
    _later(data)
    assert Identities({"x": recorded}).of("x", str(data)).endswith("|d")
    assert read == [str(data)]


def test_missing_and_untracked_stand_for_themselves(tmp_path):
    identities = Identities()
    assert identities.of("x", str(tmp_path / "nope")) == MISSING
    assert identities.of("x", "s3://bucket/key") == UNTRACKED
    assert identities.of("x", None) == UNTRACKED
    assert not same_data("1:2|abc", MISSING)
    assert same_data("1:2", "1:2|abc")  # an older record, without a digest
    assert content_of(str(tmp_path)) == content_of(str(tmp_path))
