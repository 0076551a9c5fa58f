"""Oracle: a table's rows expand exactly as the same variants written in YAML.

Hypothesis draws a table (names, cells of four parameter types written the ways
a CSV holds them, empty cells, a ``where`` filter column) and the typed values it
means. The table goes through a real ``pandas.CSVDataset`` and
``variants_from``; the reference is the same rows as named variants in
``parameters.yml``. Both are read by Kedro's ``OmegaConfigLoader`` and expanded
by the service; every variant's parameters must be equal.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import yaml
from helpers import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kedro.config import OmegaConfigLoader
from kedro.pipeline import Pipeline, node

from kedro_dynamic_hooks._runtime.service import load_expansion, read_declaration

# What pandas reads as a missing value or a boolean by default.
PANDAS_WORDS = {"nan", "na", "null", "none", "n/a", "true", "false"}
BASE = {"opts": {"alpha": 1.0, "k": 2, "label": "x", "on": False}}
TEMPLATES = {"the_template": Pipeline([node(lambda o: o, "params:opts", "out", name="use")])}


def _float(value: float) -> st.SearchStrategy[str]:
    texts = [repr(value)]
    if value.is_integer():
        texts.append(str(int(value)))
    return st.sampled_from(texts)


def _cell(column: str, *, as_text: bool) -> st.SearchStrategy[tuple[Any, str]]:
    """(the typed value meant, or None for an empty cell; the CSV text)."""
    empty = st.just((None, ""))
    if column == "alpha":
        value = st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: round(f, 3))
        typed = value.flatmap(lambda f: _float(f).map(lambda t: (f, t)))
    elif column == "k":
        typed = st.integers(-1000, 1000).flatmap(
            lambda i: st.sampled_from([str(i), f"{i}.0"]).map(lambda t: (i, t))
        )
    elif column == "label":
        # Text pandas would read as a number ('007' -> 7), a boolean or a missing
        # value ('nan', 'NA', 'null') keeps its form only when the dataset reads
        # every cell as text (load_args: dtype: str, keep_default_na: false).
        words = st.from_regex(r"[a-z][a-z0-9 ]{0,6}[a-z]", fullmatch=True).filter(
            lambda w: w.lower() not in PANDAS_WORDS
        )
        hostile = st.one_of(
            st.from_regex(r"0[0-9]{1,3}", fullmatch=True), st.sampled_from(sorted(PANDAS_WORDS))
        )
        typed = (st.one_of(words, hostile) if as_text else words).map(lambda s: (s, s))
    else:
        typed = st.sampled_from(
            [(True, "yes"), (False, "no"), (True, "true"), (False, "FALSE"), (True, "1")]
        )
    return st.one_of(empty, typed)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[dict[str, Any]], str, bool, bool]:
    """Rows (name, kept, typed cells), the CSV text, whether to read cells as text,
    and whether a ``where`` column filters the rows."""
    as_text = draw(st.booleans())
    filtered = draw(st.booleans())
    names = draw(
        st.lists(
            st.from_regex(r"[a-z][a-z0-9]{0,5}", fullmatch=True),
            min_size=1,
            max_size=7,
            unique=True,
        )
    )
    columns = ["alpha", "k", "label", "on"]
    rows = []
    for index, name in enumerate(names):
        cells = {c: draw(_cell(c, as_text=as_text)) for c in columns}
        kept = index == 0 or not filtered or draw(st.booleans())
        rows.append({"name": name, "kept": kept, "cells": cells})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", *(f"opts.{c}" for c in columns), *(["keep"] if filtered else [])])
    for row in rows:
        writer.writerow(
            [
                row["name"],
                *(row["cells"][c][1] for c in columns),
                *(["y" if row["kept"] else "n"] if filtered else []),
            ]
        )
    return rows, out.getvalue(), as_text, filtered


def _expanded(conf: Path, project: Path) -> dict[str, Any]:
    loader = OmegaConfigLoader(str(conf), base_env="base", default_run_env="local")
    read = read_declaration(loader, "dynamic_pipelines", project)
    assert read is not None
    declaration, parameters = read
    loaded = load_expansion(
        loader,
        declaration,
        parameters,
        key="dynamic_pipelines",
        project_path=str(project),
        templates=TEMPLATES,
        check=False,
    )
    return loaded.expansion.parameters["ns"]


def _project(root: Path, declared: dict[str, Any], catalog: dict[str, Any]) -> Path:
    conf = root / "conf"
    for env in ("base", "local"):
        (conf / env).mkdir(parents=True, exist_ok=True)
    namespace = {"pipelines": ["the_template"], **declared}
    parameters = {**BASE, "dynamic_pipelines": {"ns": namespace}}
    (conf / "base" / "parameters.yml").write_text(yaml.safe_dump(parameters, sort_keys=False))
    (conf / "base" / "catalog.yml").write_text(yaml.safe_dump(catalog))
    return conf


@settings(
    max_examples=examples(0.5),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=tables())
def test_a_table_expands_as_the_same_named_variants(tmp_path_factory, drawn):
    rows, text, as_text, filtered = drawn
    root = tmp_path_factory.mktemp("table")
    (root / "rows.csv").write_text(text)
    entry: dict[str, Any] = {"type": "pandas.CSVDataset", "filepath": "rows.csv"}
    if as_text:
        entry["load_args"] = {"dtype": "str", "keep_default_na": False}
    spec: dict[str, Any] = {"dataset": "rows", "name": "name"}
    if filtered:
        spec["where"] = {"keep": "y"}
    table = _expanded(_project(root / "t", {"variants_from": spec}, {"rows": entry}), root)

    named = {
        row["name"]: {
            "overrides": {
                "opts": {c: typed for c, (typed, _) in row["cells"].items() if typed is not None}
            }
        }
        for row in rows
        if row["kept"]
    }
    reference = _expanded(_project(root / "r", {"variants": named}, {}), root)
    assert table == reference, text
    assert list(table) == list(reference)  # the rows' order
