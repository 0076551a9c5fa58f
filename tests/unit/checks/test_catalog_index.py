"""Project-relative paths as messages show them."""

from __future__ import annotations


def test_relative_paths_never_crash_on_foreign_spellings():
    from kedro_dynamic_hooks._checks.catalog_index import shown_path as _shown

    assert _shown("/p/data/x.csv", "/p") == "data/x.csv"
    assert _shown("/elsewhere/x.csv", "/p") == "/elsewhere/x.csv"
    assert _shown("s3://bucket/x.csv", "/p") == "s3://bucket/x.csv"
    assert _shown("/mnt/x.csv", "C:/Users/me/proj") == "/mnt/x.csv"
