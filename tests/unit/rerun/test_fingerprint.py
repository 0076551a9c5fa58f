"""Fingerprints of a task group: its parameters, code, structure and input files."""

from __future__ import annotations

import functools
import json
import os

from helpers import f
from kedro.pipeline import node

from kedro_dynamic_hooks._rerun.fingerprint import (
    GroupPrint,
    code_digest,
    differences,
    file_identity,
    group_print,
)


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


def test_dataset_configs_and_outputs_as_written_are_compared(tmp_path):
    raw, out = tmp_path / "raw.json", tmp_path / "out.json"
    raw.write_text("1")
    out.write_text("2")
    paths = {"raw": str(raw), "out": str(out)}
    configs = {"raw": {"type": "json.JSONDataset", "filepath": "raw.json"}, "out": None}
    nodes = [node(f, "raw", "out", name="n")]

    def printed() -> GroupPrint:
        return group_print(nodes, {}, set(), paths.get, config=configs.get)

    old = printed()
    assert set(old.outputs) == {"out"} and set(old.datasets) == {"raw"}
    assert differences(old, printed()) == []
    configs["raw"] = {**configs["raw"], "load_args": {"x": 1}}
    out.write_text("3")
    stat = out.stat()
    os.utime(out, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert differences(old, printed()) == [
        "dataset config changed (raw)",
        "outputs changed since written (out)",
    ]
    # An older record, without configs or outputs, compares the rest only.
    older = GroupPrint.from_dict({**old.as_dict(), "outputs": None, "datasets": None})
    assert differences(older, printed()) == []
