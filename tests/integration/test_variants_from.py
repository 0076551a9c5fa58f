"""``variants_from`` in a real session: a table's rows run as variants, every surface
sees them, and an error about a row names the dataset, row and column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from helpers import demo_from_table, dynamic
from kedro.framework.session import KedroSession

from kedro_dynamic_hooks import DeclarationError, ProjectError


def _from_table(project: Path, rows: list[dict], **given) -> None:
    """The demo's ``models`` variants from a JSON table of ``rows``."""
    dataset = {"type": "json.JSONDataset", "filepath": "data/raw/models.json"}
    demo_from_table(project, json.dumps(rows), dataset, **given)


ROWS = [
    {"name": "low", "options.alpha": 0.5, "active": True},
    {"name": "mid", "options.alpha": None, "active": True},
    {"name": "high", "options.alpha": 2, "active": False},
]


def test_each_row_runs_as_a_variant_with_its_overrides(demo_session):
    _from_table(demo_session, ROWS, where={"active": True}, ignore=["active"])
    listed = dynamic("list")
    assert "models  table: 2 variant(s)" in listed.output
    with KedroSession.create() as session:
        session.run()
    data = demo_session / "data" / "models"
    assert sorted(p.name for p in data.iterdir() if p.is_dir()) == ["low", "mid"]
    with KedroSession.create() as session:
        params = session.load_context().params
    assert params["models"]["low"]["options"] == {"alpha": 0.5}
    assert params["models"]["mid"]["options"] == {"alpha": 1.0}  # an empty cell inherits
    # A changed row makes that variant stale, and only it.
    rows = [dict(ROWS[0], **{"options.alpha": 0.75}), *ROWS[1:]]
    (demo_session / "data" / "raw" / "models.json").write_text(json.dumps(rows))
    status = dynamic("status", "-ns", "models")
    assert "parameters changed (options.alpha)" in status.output
    assert "upstream stale (models.low)" in status.output  # the collect step
    assert "2 of 4 group(s) stale." in status.output  # models.mid is up to date
    # A new row is a variant that never ran.
    rows.append({"name": "new", "options.alpha": 3.0, "active": True})
    (demo_session / "data" / "raw" / "models.json").write_text(json.dumps(rows))
    assert "never run" in dynamic("status", "-ns", "models.new").output


def test_a_row_the_expansion_refuses_is_named_by_dataset_row_and_column(demo_session):
    # 'options' is a mapping in the base: a cell may not replace it whole.
    _from_table(demo_session, [{"name": "low", "options": 5}])
    with pytest.raises(DeclarationError) as refused, KedroSession.create() as session:
        session.load_context()
    assert refused.value.path == "dynamic_pipelines.models.variants_from"
    assert refused.value.source == "dataset 'model_table', row 1, column 'options'"


def test_a_table_that_is_not_in_the_catalog_or_cannot_be_read(demo_session):
    _from_table(demo_session, ROWS, ignore=["active"])
    path = demo_session / "conf" / "base" / "parameters.yml"
    path.write_text(path.read_text().replace("dataset: model_table", "dataset: model_tabel"))
    with pytest.raises(DeclarationError) as missing, KedroSession.create() as session:
        session.load_context()
    assert missing.value.detail == (
        "'model_tabel' is not in the catalog: add an entry for the table, or fix the name. "
        "Did you mean 'model_table'?"
    )
    assert missing.value.path == "dynamic_pipelines.models.variants_from.dataset"
    path.write_text(path.read_text().replace("dataset: model_tabel", "dataset: model_table"))
    (demo_session / "data" / "raw" / "models.json").write_text("[{not json")
    with pytest.raises(DeclarationError) as unread, KedroSession.create() as session:
        session.load_context()
    assert unread.value.detail.startswith("dataset 'model_table' could not be loaded: ")
    # A table that does not exist is one a node may write: the run is refused, not
    # the reading (validate and the writers still check the rest).
    (demo_session / "data" / "raw" / "models.json").unlink()
    with pytest.raises(ProjectError) as absent, KedroSession.create() as session:
        session.run()
    assert absent.value.detail == (
        "namespace 'models' takes its variants from 'model_table', which does not exist yet: "
        "no node writes it. Create it, or fix its catalog entry."
    )
    assert not (demo_session / "data" / "models").exists()


def test_validate_checks_what_it_can_before_a_table_is_written(demo_session):
    from helpers import demo_with_writer

    demo_with_writer(demo_session, [{"region": "north", "alpha": 1.0}])
    path = demo_session / "conf" / "base" / "parameters.yml"
    params = yaml.safe_load(path.read_text())
    table = params["dynamic_pipelines"]["models"]["variants_from"]
    table["columns"] = {"options.alpha": "options.alpah"}
    path.write_text(yaml.safe_dump(params))
    typo = dynamic("validate")
    assert typo.exit_code == 1
    assert (
        "at 'dynamic_pipelines.models.variants_from.columns' (in conf/base/parameters.yml): "
        "dataset 'model_table' has column 'options.alpha', which overrides 'options.alpah', "
        "but there is no parameter 'alpah' under 'options'" in typo.output
    )
    table["columns"] = {"options.alpha": "options.alpha"}
    # A template of the namespace's catalog that collides: found with the stand-in.
    catalog = params["dynamic_pipelines"]["models"]["catalog"]
    catalog["comparison"]["filepath"] = "data/{namespace}/table.json"
    path.write_text(yaml.safe_dump(params))
    collide = dynamic("validate")
    assert collide.exit_code == 1 and "data/models/table.json" in collide.output
    catalog["comparison"]["filepath"] = "data/{namespace}/comparison.json"
    path.write_text(yaml.safe_dump(params))
    assert dynamic("validate").exit_code == 0
    # A table nothing writes, and that does not exist: an error, before any run.
    entries = demo_session / "conf" / "base" / "catalog.yml"
    entries.write_text(
        entries.read_text()
        + "other_table: {type: json.JSONDataset, filepath: data/raw/other.json}\n"
    )
    table["dataset"] = "other_table"
    path.write_text(yaml.safe_dump(params))
    unwritten = dynamic("validate")
    assert unwritten.exit_code == 1
    assert (
        "namespace 'models' takes its variants from 'other_table', which does not exist yet: "
        "no node writes it. Create it, or fix its catalog entry." in unwritten.output
    )
