"""Variants the journal remembers and the declaration no longer has: listed with the
files they left, never deleted."""

from __future__ import annotations

from kedro_dynamic_hooks._declaration.schema import parse_declaration
from kedro_dynamic_hooks._rerun.orphans import orphans

DECLARATION = parse_declaration(
    {
        "regional": {
            "pipelines": ["t"],
            "collect": {"pipeline": "r", "input": "metrics"},
            "catalog": {
                "metrics": {
                    "type": "json.JSONDataset",
                    "filepath": "data/{namespace}/{variant}/metrics.json",
                },
                "model": {"type": "pickle.PickleDataset", "filepath": "s3://b/{variant}.pkl"},
            },
            "variants": {"north": {}},
        }
    }
)


def _record(group: str, *writes: str) -> dict:
    return {"group": group, "ok": True, "print": {"writes": [f"{group}.{w}" for w in writes]}}


def test_a_removed_variant_is_listed_with_the_files_it_left(tmp_path):
    (tmp_path / "data" / "regional" / "east").mkdir(parents=True)
    (tmp_path / "data" / "regional" / "east" / "metrics.json").write_text("{}")
    state = {
        "regional": _record("regional", "table"),
        "regional.north": _record("regional.north", "metrics"),
        "regional.east": _record("regional.east", "metrics", "model", "in_memory"),
        "regional.polar": _record("regional.polar", "metrics"),  # its file is gone
        "regional.collect": _record("regional.collect", "comparison"),
        "gone.a": _record("gone.a", "metrics"),  # a namespace no longer declared
        "list_regions": _record("list_regions", "regions"),
    }
    current = {"regional", "regional.north", "regional.collect", "list_regions"}
    found = orphans(state, DECLARATION, current, str(tmp_path))
    assert [(o.group, o.paths) for o in found] == [
        ("regional.east", ("data/regional/east/metrics.json",)),
        ("regional.polar", ()),
    ]
    assert found[0].as_dict() == {
        "group": "regional.east",
        "kind": "orphaned",
        "namespace": "regional",
        "variant": "east",
        "stale": False,
        "reasons": ["no longer declared; its outputs are kept"],
        "outputs": ["data/regional/east/metrics.json"],
    }
    assert (tmp_path / "data" / "regional" / "east" / "metrics.json").exists()
    assert orphans(state, DECLARATION, set(state), str(tmp_path)) == []
