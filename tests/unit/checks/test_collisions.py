"""Datasets that would share a file: between variants, with global datasets, through
dataset factories, wrapping and folder datasets, and whatever the path's spelling."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import f
from kedro.pipeline import Pipeline, node

from kedro_dynamic_hooks import CollisionError, ProjectError
from kedro_dynamic_hooks._checks.collisions import check_collisions
from kedro_dynamic_hooks._declaration.schema import parse_declaration
from kedro_dynamic_hooks._expansion.expand import expand


def _origins(templates, reference, catalog_template):
    reference["dynamic_pipelines"]["price_predictor"]["catalog"]["regressor"] = catalog_template
    return expand(parse_declaration(reference["dynamic_pipelines"]), templates, reference)


def test_collision_between_sibling_variants_names_both(templates, reference):
    e = _origins(
        templates,
        reference,
        {
            "type": "pickle.PickleDataset",
            "filepath": "data/{namespace}/regressor.pickle",
            "versioned": True,
        },
    )
    with pytest.raises(CollisionError) as info:
        check_collisions(e.catalog, e.datasets, project_path="/p")
    message = str(info.value)
    assert "'price_predictor.base.regressor' ('regressor' of price_predictor.base)" in message
    assert (
        "'price_predictor.candidate1.regressor' ('regressor' of price_predictor.candidate1)"
        in message
    )
    assert "'data/price_predictor/regressor.pickle'" in message


def test_collision_through_a_dataset_factory_pattern(templates, reference):
    e = expand(parse_declaration(reference["dynamic_pipelines"]), templates, reference)
    catalog = {
        **e.catalog,
        "{namespace}.{variant}.metrics": {
            "type": "json.JSONDataset",
            "filepath": "data/{namespace}/metrics.json",
        },
    }
    with pytest.raises(
        CollisionError,
        match=r"'price_predictor.base.metrics'.*'price_predictor.candidate1.metrics'.*data/price_predictor/metrics.json",
    ):
        check_collisions(catalog, e.datasets, project_path="/p")


def test_collision_with_a_global_dataset(templates, reference):
    e = _origins(
        templates,
        reference,
        {"type": "pandas.CSVDataset", "filepath": "./data/raw/../raw/companies.csv"},
    )
    catalog = {
        "companies": {"type": "pandas.CSVDataset", "filepath": "data/raw/companies.csv"},
        **e.catalog,
    }
    with pytest.raises(
        CollisionError,
        match=r"'companies' \(a catalog entry\) and 'price_predictor.base.regressor'",
    ):
        check_collisions(catalog, e.datasets, project_path="/p")


def test_distinct_paths_and_transcoding_pass(templates, reference):
    e = expand(parse_declaration(reference["dynamic_pipelines"]), templates, reference)
    catalog = {
        **e.catalog,
        "{namespace}.{variant}.metrics": {
            "type": "json.JSONDataset",
            "filepath": "data/{namespace}/{variant}/metrics.json",
            "credentials": "nope",
        },
        "raw@pandas": {"type": "pandas.CSVDataset", "filepath": "data/raw.csv"},
        "raw@spark": {"type": "spark.SparkDataset", "filepath": "data/raw.csv"},
        "remote": {"type": "pandas.CSVDataset", "filepath": "s3://bucket/x.csv"},
    }
    check_collisions(catalog, e.datasets, project_path=str(Path("/p")))


def test_collision_between_transcoded_variant_datasets(templates):
    t = {"t": Pipeline([node(lambda x: x, "x@pandas", "y@pandas", name="n")])}
    raw = {
        "ns": {
            "pipelines": ["t"],
            "catalog": {
                "y@pandas": {"type": "pandas.CSVDataset", "filepath": "data/{namespace}/y.csv"}
            },
            "variants": {"a": {}, "b": {}},
        }
    }
    e = expand(parse_declaration(raw), t, {"dynamic_pipelines": raw})
    with pytest.raises(
        CollisionError, match=r"'ns.a.y@pandas' \('y@pandas' of ns.a\) and 'ns.b.y@pandas'"
    ):
        check_collisions(e.catalog, e.datasets, project_path="/p")


def test_invalid_factory_pattern_is_our_error(templates, reference):
    e = expand(parse_declaration(reference["dynamic_pipelines"]), templates, reference)
    catalog = {"{a}.x": {"type": "pandas.CSVDataset", "filepath": "{b}.csv"}}
    with pytest.raises(ProjectError, match="a dataset factory pattern is invalid"):
        check_collisions(catalog, e.datasets, project_path="/p")


def _collide(templates, reference, template: dict, extra: dict | None = None, **kwargs):
    e = _origins(templates, reference, template)
    catalog = {**(extra or {}), **e.catalog}
    check_collisions(
        catalog,
        e.datasets,
        project_path="/p",
        datasets=e.dataset_names,
        written=e.written,
        **kwargs,
    )


def test_collision_nested_inside_a_wrapping_dataset(templates, reference):
    cached = {
        "type": "CachedDataset",
        "dataset": {"type": "pickle.PickleDataset", "filepath": "data/{namespace}/model.pkl"},
    }
    with pytest.raises(
        CollisionError, match=r"both resolve to filepath 'data/price_predictor/model.pkl'"
    ):
        _collide(templates, reference, cached)


def test_collision_with_a_global_input_resolved_by_a_pattern(templates, reference):
    # The raw input comes from the pattern '{name}_raw'; a template writes onto its file.
    raw_pattern = {"{name}_raw": {"type": "pandas.CSVDataset", "filepath": "data/{name}.csv"}}
    processing = Pipeline(
        [
            node(f, "companies_raw", "preprocessed_companies", name="preprocess_companies"),
            *[n for n in templates["data_processing"].nodes if n.name != "preprocess_companies"],
        ]
    )
    del reference["dynamic_pipelines"]["reviews_predictor"]
    dp = reference["dynamic_pipelines"]["price_predictor"]
    dp["inputs"] = ["companies_raw", "shuttles", "reviews"]
    dp["variants"] = {"base": {}}
    dp["catalog"]["regressor"] = {"type": "pickle.PickleDataset", "filepath": "data/companies.csv"}
    e = expand(
        parse_declaration(reference["dynamic_pipelines"]),
        {**templates, "data_processing": processing},
        reference,
    )
    with pytest.raises(
        CollisionError,
        match=r"^Datasets collide at '\{name\}_raw' \(in a dataset factory in the catalog\): "
        r"datasets 'price_predictor.base.regressor' .* and 'companies_raw' \(from pattern "
        r"'\{name\}_raw'\)",
    ):
        check_collisions(
            {**raw_pattern, **e.catalog},
            e.datasets,
            project_path="/p",
            datasets=e.dataset_names,
            written=e.written,
        )


def test_a_written_folder_dataset_may_not_hold_other_datasets_files(templates, reference):
    reference["dynamic_pipelines"]["price_predictor"]["catalog"]["metrics"] = {
        "type": "json.JSONDataset",
        "filepath": "data/reporting/{namespace}/{variant}/metrics.json",
    }
    e = expand(parse_declaration(reference["dynamic_pipelines"]), templates, reference)
    folder = {
        "price_predictor.base.predictions": {
            "type": "partitions.PartitionedDataset",
            "path": "data/reporting/price_predictor",
            "dataset": "pandas.CSVDataset",
            "overwrite": True,
        }
    }
    with pytest.raises(CollisionError) as info:
        check_collisions(
            {**e.catalog, **folder},
            e.datasets,
            project_path="/p",
            datasets=e.dataset_names,
            written=e.written,
        )
    assert str(info.value).startswith(
        "Datasets collide at 'price_predictor.base.predictions' (in "
        "the catalog): folder dataset 'price_predictor.base.predictions' ('predictions' of "
        "price_predictor.base) writes into 'data/reporting/price_predictor', which holds "
        "'price_predictor.base.metrics'"
    )


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("file:///p/data/m.pkl", "data/m.pkl"),
        ("s3://bucket/y/../x/m.pkl", "s3://bucket/x/m.pkl"),
        ("data/Models/m.pkl", "data/models/m.pkl"),
    ],
    ids=["file-url", "dotdot-in-url", "case-only"],
)
def test_collision_whatever_the_spelling(templates, reference, one, other):
    dp = reference["dynamic_pipelines"]["price_predictor"]
    dp["variants"] = {"base": {}}
    dp["catalog"]["regressor"] = {"type": "pickle.PickleDataset", "filepath": one}
    e = expand(parse_declaration(reference["dynamic_pipelines"]), templates, reference)
    catalog = {**e.catalog, "other_model": {"type": "pickle.PickleDataset", "filepath": other}}
    with pytest.raises(
        CollisionError,
        match=r"'other_model' \(a catalog entry\) and 'price_predictor.base.regressor'|'price_predictor.base.regressor' .* and 'other_model'",
    ):
        check_collisions(catalog, e.datasets, project_path="/p")


def test_collision_through_a_symlinked_folder(templates, reference, tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    dp = reference["dynamic_pipelines"]["price_predictor"]
    dp["catalog"]["regressor"] = {"type": "pickle.PickleDataset", "filepath": "link/{variant}.pkl"}
    e = expand(parse_declaration(reference["dynamic_pipelines"]), templates, reference)
    catalog = {**e.catalog, "kept": {"type": "pickle.PickleDataset", "filepath": "real/base.pkl"}}
    with pytest.raises(
        CollisionError, match=r"'kept' \(a catalog entry\) and 'price_predictor.base.regressor'"
    ):
        check_collisions(catalog, e.datasets, project_path=str(tmp_path))
