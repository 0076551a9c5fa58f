"""Real ``kedro`` subprocesses on throwaway copies of the sample project."""

from __future__ import annotations

import json

from helpers import REFERENCE

PP_VARIANTS = ("base", "candidate1", "candidate2", "candidate3")
DS_NODES = ("split_data", "train_model", "predict", "evaluate_model")
DP_NODES = ("preprocess_companies", "preprocess_shuttles", "create_model_input_table")


def variant_nodes(ns: str, variant: str) -> set[str]:
    return {f"{ns}.{variant}.{n}" for n in DS_NODES}


def test_namespace_runs_shared_plus_every_variant(reference_project):
    reference_project.kedro("run", "--namespaces", "price_predictor")
    ran = set(reference_project.ran())
    expected = {f"price_predictor.{n}" for n in DP_NODES}
    for v in PP_VARIANTS:
        expected |= variant_nodes("price_predictor", v)
    assert ran == expected and len(ran) == 19
    files = reference_project.files()
    for v in PP_VARIANTS:
        assert any(
            f.startswith(f"data/06_models/price_predictor/{v}/regressor.pickle/") for f in files
        )
    assert "data/03_primary/price_predictor/model_input_table.parquet" in files  # factory pattern
    assert not any("reviews_predictor" in f for f in files)


def test_one_variant_reads_the_persisted_shared_output(reference_project):
    whole = reference_project.kedro("run", "--namespaces", "price_predictor")
    one = reference_project.kedro("run", "--namespaces", "price_predictor.candidate1")
    assert set(reference_project.ran()) == variant_nodes("price_predictor", "candidate1")
    # Only the selected variant was built for the second run; the first built the namespace.
    assert "into 1 variant(s) and 7 node(s)" in one.stdout
    assert "(only what this run's selection can touch)" in one.stdout
    assert "into 4 variant(s) and 19 node(s)" in whole.stdout


def test_namespace_and_tag_run_shared_and_one_variant(reference_project):
    reference_project.kedro("run", "--namespaces", "price_predictor", "--tags", "candidate1")
    assert set(reference_project.ran()) == {
        f"price_predictor.{n}" for n in DP_NODES
    } | variant_nodes("price_predictor", "candidate1")


def test_tags_without_pipelines(reference_project):
    reference_project.kedro("run", "--tags", "test1")
    assert set(reference_project.ran()) == {
        f"reviews_predictor.{n}" for n in DP_NODES
    } | variant_nodes("reviews_predictor", "test1")


def test_pipelines_selects_a_namespace_and_a_variant(reference_project):
    reference_project.kedro("run", "--pipelines", "reviews_predictor")
    assert len(reference_project.ran()) == 3 + 2 * 4
    reference_project.kedro("run", "--pipelines", "reviews_predictor.test1")
    assert set(reference_project.ran()) == variant_nodes("reviews_predictor", "test1")


def test_default_runs_every_expansion_and_no_template(reference_project):
    reference_project.kedro("run")
    ran = reference_project.ran()
    assert len(ran) == 19 + 3 + 2 * 4
    assert all(name.split(".")[0] in {"price_predictor", "reviews_predictor"} for name in ran)


def test_params_change_one_variant(reference_project, tmp_path):
    reference_project.kedro(
        "run",
        "--namespaces",
        "price_predictor.candidate1",
        "--params",
        "price_predictor.candidate1.model_options.test_size=0.5",
    )
    # Read back what the variant actually trained on through a session.
    script = (
        "from kedro.framework.session import KedroSession\n"
        "from kedro.framework.startup import bootstrap_project\n"
        "import json, pathlib\n"
        "bootstrap_project(pathlib.Path.cwd())\n"
        "with KedroSession.create(runtime_params={'price_predictor': {'candidate1': {'model_options': {'test_size': 0.5}}}}) as s:\n"
        "    p = s.load_context().params\n"
        "    print(json.dumps([p['price_predictor'][v]['model_options'].test_size for v in ('base', 'candidate1')]))\n"
    )
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=reference_project.path,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "PYTHONPATH": str(reference_project.path / "src")},
        check=True,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [0.2, 0.5]


def test_bad_declaration_is_one_readable_error(make_project):
    project = make_project(
        REFERENCE.replace(
            "    variants:\n      base: {}\n      candidate1",
            "    varients:\n      base: {}\n      candidate1",
            1,
        )
    )
    result = project.kedro("run", check=False)
    assert result.returncode == 1
    assert (
        "Error: Invalid dynamic pipelines declaration at 'dynamic_pipelines.price_predictor.varients' "
        "(in conf/base/parameters.yml): unknown key 'varients'." in result.stderr
    )
    assert "Did you mean 'variants'?" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (project.path / "ran.json").exists()


def test_filepath_collision_is_refused_before_any_node_runs(make_project):
    bad = REFERENCE.replace(
        "data/06_models/{namespace}/{variant}/regressor.pickle",
        "data/06_models/{namespace}/regressor.pickle",
    )
    project = make_project(bad)
    result = project.kedro("run", check=False)
    assert result.returncode == 1
    assert "'price_predictor.base.regressor' ('regressor' of price_predictor.base)" in result.stderr
    assert (
        "'price_predictor.candidate1.regressor' ('regressor' of price_predictor.candidate1)"
        in result.stderr
    )
    assert not (project.path / "ran.json").exists()
    assert not any("06_models" in f for f in project.files())


def test_catalog_commands_list_the_registered_variant_datasets(reference_project):
    import yaml

    out = reference_project.kedro("catalog", "describe-datasets", "-p", "price_predictor").stdout
    described = yaml.safe_load(out[out.index("price_predictor:") :])["price_predictor"]["datasets"]
    pickles = described["kedro_datasets.pickle.pickle_dataset.PickleDataset"]
    assert sorted(pickles) == [f"price_predictor.{v}.regressor" for v in PP_VARIANTS]
