"""Broken projects, not only broken declarations: validate names the problem, and
``kedro run`` stops with the same one-line message before any node runs, with
every file under data/ as it was.

``kedro dynamic validate`` runs in this process (click's CliRunner, as the
``kedro`` CLI calls it); each ``kedro run`` is a real subprocess.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import dynamic, sample_project

PARAMS = "conf/base/parameters.yml"
CATALOG = "conf/base/catalog.yml"
REGISTRY = "src/spaceflights_dynamic/pipeline_registry.py"
Change = Callable[[Path], None]


def replace(file: str, old: str, new: str) -> Change:
    def change(project: Path) -> None:
        text = (project / file).read_text()
        assert old in text, f"{old!r} not in {file}"
        (project / file).write_text(text.replace(old, new, 1))

    return change


def append(file: str, text: str) -> Change:
    def change(project: Path) -> None:
        with (project / file).open("a") as f:
            f.write(text)

    return change


def both(*changes: Change) -> Change:
    def change(project: Path) -> None:
        for one in changes:
            one(project)

    return change


PP = "dynamic_pipelines.price_predictor"
REGRESSOR = "filepath: data/06_models/{namespace}/{variant}/regressor.pickle"
METRICS = "filepath: data/08_reporting/{namespace}/{variant}/metrics.json"
MODEL_INPUT = """      model_input_table:
        type: pandas.ParquetDataset
        filepath: data/03_primary/{namespace}/model_input_table.parquet
"""


def plain_node_in_default(inputs: str, output: str, name: str, namespace: str | None = None) -> str:
    """pipeline_registry.py code that adds one hand-written node to __default__."""
    return f"""

from kedro.pipeline import Pipeline as _Pipeline, node as _node


def _identity(x):
    return x


_register = register_pipelines


def register_pipelines():
    found = _register()
    mine = _Pipeline([_node(_identity, {inputs!r}, {output!r}, name={name!r}, namespace={namespace!r})])
    found["__default__"] = found["__default__"] + mine
    return found
"""


# A plain node that reads an output of the data_processing template.
SHUTTLE_REPORT = plain_node_in_default("preprocessed_shuttles", "shuttle_report", "shuttle_report")
# A hand-written node in the declared namespace 'forecast' whose name an expansion has too.
OWN_FORECAST_NODE = plain_node_in_default(
    "monthly_sales", "forecast.audit", "compare_variants", namespace="forecast"
)

# (id, change, extra kedro args for both commands, what the message must say)
CASES: list[tuple[str, Change, tuple[str, ...], list[str]]] = [
    (
        "unknown key",
        replace(PARAMS, "    variants:\n      base: {}", "    varients:\n      base: {}"),
        (),
        [f"at '{PP}.varients' (in conf/base/parameters.yml): unknown key 'varients'"],
    ),
    (
        "template typo",
        replace(PARAMS, "pipelines: [data_science]", "pipelines: [data_sciense]"),
        (),
        ["unknown pipeline 'data_sciense'", "Did you mean 'data_science'?"],
    ),
    (
        "override typo",
        replace(PARAMS, "model_options: {target: price}", "model_options: {targt: price}"),
        (),
        [f"at '{PP}.overrides.model_options.targt'", "Did you mean 'target'?"],
    ),
    (
        "unknown placeholder",
        replace(PARAMS, REGRESSOR, REGRESSOR.replace("{namespace}", "{namspace}")),
        (),
        ["unknown placeholder '{namspace}'", "Did you mean '{namespace}'?"],
    ),
    (
        "global parameter that does not exist",
        replace(
            PARAMS,
            "    inputs: [companies, shuttles, reviews]\n    collect",
            "    inputs: [companies, shuttles, reviews]\n    parameters: [seed]\n    collect",
        ),
        (),
        [f"at '{PP}.parameters'", "'seed' is not a top-level parameter"],
    ),
    (
        "override replaces a mapping",
        replace(PARAMS, "model_options: {target: price}", "model_options: 5"),
        (),
        ["override replaces the mapping 'model_options' with 5"],
    ),
    (
        "variant named like a namespace",
        replace(PARAMS, "      candidate1:\n", "      forecast: {}\n      candidate1:\n"),
        (),
        [f"at '{PP}.variants.forecast'", "has the same name as a namespace"],
    ),
    (
        "chain order names an unknown month",
        replace(
            PARAMS,
            "chain: {input: previous_state, output: state, initial: initial_state}",
            "chain: {input: previous_state, output: state, initial: initial_state, order: [m2024_01, m2024_13]}",
        ),
        (),
        ["at 'dynamic_pipelines.forecast.chain.order'", "unknown variant 'm2024_13'"],
    ),
    (
        "collect input no variant produces",
        replace(
            PARAMS,
            "collect: {pipeline: reporting, input: metrics}",
            "collect: {pipeline: reporting, input: metric}",
        ),
        (),
        [f"at '{PP}.collect.input'", "'metric' is not an output", "Did you mean 'metrics'?"],
    ),
    (
        "collect pipeline typo",
        replace(
            PARAMS,
            "collect: {pipeline: reporting, input: metrics}",
            "collect: {pipeline: reportng, input: metrics}",
        ),
        (),
        [f"at '{PP}.collect.pipeline'", "unknown pipeline 'reportng'"],
    ),
    (
        "catalog template for a global input",
        replace(
            PARAMS,
            "    catalog: &model_catalog\n",
            "    catalog: &model_catalog\n      companies: {type: pandas.CSVDataset, filepath: data/x.csv}\n",
        ),
        (),
        [f"at '{PP}.catalog.companies'", "is a global input; declare it in catalog.yml"],
    ),
    (
        "matrix larger than max_size",
        replace(PARAMS, "max_size: 50", "max_size: 5"),
        (),
        [
            "at 'dynamic_pipelines.experiments.matrix'",
            "matrix has 6 combinations, more than max_size=5",
        ],
    ),
    (
        "per-variant filepath without its variant",
        replace(PARAMS, REGRESSOR, REGRESSOR.replace("/{variant}", "")),
        (),
        [
            "'price_predictor.base.regressor' ('regressor' of price_predictor.base)",
            "both resolve to filepath",
            "one would overwrite the other",
        ],
    ),
    (
        "collision nested in a wrapping dataset",
        replace(
            PARAMS,
            f"      metrics:\n        type: json.JSONDataset\n        {METRICS}",
            "      metrics:\n        type: CachedDataset\n        dataset: {type: json.JSONDataset, filepath: 'data/08_reporting/{namespace}/metrics.json'}",
        ),
        (),
        ["both resolve to filepath", "data/08_reporting/price_predictor/metrics.json'"],
    ),
    (
        "template writes onto a raw input",
        replace(PARAMS, REGRESSOR, "filepath: data/01_raw/companies.csv"),
        (),
        ["'companies' (a catalog entry)", "both resolve to filepath", "data/01_raw/companies.csv'"],
    ),
    (
        "collision through a dataset factory",
        append(
            CATALOG,
            '\n"{namespace}.{variant}.X_train":\n  type: pickle.PickleDataset\n  filepath: data/05_model_input/{namespace}/X_train.pickle\n',
        ),
        (),
        [
            "'price_predictor.base.X_train' ('X_train' of price_predictor.base)",
            "both resolve to filepath",
        ],
    ),
    (
        "names that differ only in case",
        replace(PARAMS, "      candidate1:\n", "      Base: {}\n      candidate1:\n"),
        (),
        ["(one path on a case-insensitive file system)"],
    ),
    (
        "a written folder dataset over other datasets' files",
        replace(
            PARAMS,
            "      comparison_table:\n        type: pandas.CSVDataset\n        filepath: data/08_reporting/{namespace}/comparison.csv",
            "      comparison_table:\n        type: partitions.PartitionedDataset\n        path: data/08_reporting/{namespace}\n        dataset: pandas.CSVDataset\n        overwrite: true",
        ),
        (),
        [
            "folder dataset 'price_predictor.comparison_table'",
            "writes into 'data/08_reporting/price_predictor', which holds",
            "writing the folder can overwrite or delete that file",
        ],
    ),
    (
        "file URL and plain path for one file",
        append(
            CATALOG,
            "\nold_model:\n  type: pickle.PickleDataset\n  filepath: file://{project}/data/06_models/price_predictor/base/regressor.pickle\n",
        ),
        (),
        ["'old_model' (a catalog entry)", "both resolve to filepath"],
    ),
    (
        "a global input not listed under inputs",
        replace(
            PARAMS,
            "    inputs: [companies, shuttles, reviews]\n    collect",
            "    inputs: [shuttles, reviews]\n    collect",
        ),
        (),
        [
            f"at '{PP}.inputs'",
            "'companies' exists globally in the catalog, but namespace 'price_predictor' reads its own copy",
        ],
    ),
    (
        "a namespace named like its own template",
        replace(PARAMS, "  reviews_predictor:\n", "  data_science:\n"),
        (),
        [
            "at 'dynamic_pipelines.data_science'",
            "namespace 'data_science' has the same name as a registered pipeline",
        ],
    ),
    (
        "chain initial that names nothing",
        replace(PARAMS, "initial: initial_state", "initial: inital_state"),
        (),
        [
            "at 'dynamic_pipelines.forecast.chain.initial'",
            "'inital_state', the dataset the chain's first variant reads",
        ],
    ),
    (
        "misspelt dataset type in a template",
        replace(PARAMS, "type: pickle.PickleDataset", "type: pickle.PickleDatset"),
        (),
        [".catalog.regressor' (in conf/base/parameters.yml)", "pickle.PickleDatset"],
    ),
    (
        "misspelt dataset type in catalog.yml",
        replace(
            CATALOG, "companies:\n  type: pandas.CSVDataset", "companies:\n  type: pandas.CSVDatset"
        ),
        (),
        ["at 'companies' (in the catalog)", "pandas.CSVDatset"],
    ),
    (
        "a variant alone without its persisted shared output",
        replace(PARAMS, MODEL_INPUT, ""),
        ("--namespaces", "price_predictor.candidate1"),
        [
            "'price_predictor.model_input_table' is read by node 'price_predictor.",
            "or run the whole namespace: 'kedro run --namespaces price_predictor'",
        ],
    ),
    (
        "a plain node reading a template output",
        append(REGISTRY, SHUTTLE_REPORT),
        (),
        [
            "node 'shuttle_report' of __default__ reads 'preprocessed_shuttles', an output of template pipeline 'data_processing'"
        ],
    ),
    (
        "a hand-written node named like an expanded one",
        append(REGISTRY, OWN_FORECAST_NODE),
        (),
        ["the expansion cannot join '__default__'", "forecast.compare_variants"],
    ),
    (
        "duplicate keys across parameters files",
        append("conf/base/parameters_extra.yml", "model_options:\n  test_size: 0.5\n"),
        (),
        [
            "Error: Kedro could not read the configuration at 'parameters': Duplicate keys found in",
            "model_options.test_size",
        ],
    ),
    (
        "--params for an unknown variant",
        lambda project: None,
        ("--params", "price_predictor.candidat1.model_options.test_size=0.3"),
        [
            "--params targets 'price_predictor.candidat1', which does not exist",
            "Did you mean 'price_predictor.candidate1'?",
        ],
    ),
    (
        "--params naming a variant without its namespace",
        lambda project: None,
        ("--params", "candidate1.model_options.test_size=0.3"),
        [
            "(in --params): --params 'candidate1.model_options.test_size=0.3' starts with variant 'candidate1' without its namespace",
            "Did you mean '--params price_predictor.candidate1.model_options.test_size=0.3'?",
        ],
    ),
    (
        "--params replacing a variant",
        lambda project: None,
        ("--params", "price_predictor.base=5"),
        ["--params 'price_predictor.base=5' would replace the whole mapping"],
    ),
    (
        "--params adding a variant with a typo",
        lambda project: None,
        (
            "--params",
            "dynamic_pipelines.price_predictor.variants.extra.overrides.model_options.tset_size=0.3",
        ),
        ["(in --params): override of 'tset_size', which the base parameters do not define"],
    ),
    (
        "shared and per-variant at once",
        replace(
            PARAMS,
            "shared: [data_processing]        # once per namespace",
            "shared: [data_processing, data_science]",
        ),
        (),
        [f"at '{PP}.shared'", "'data_science' listed under both 'shared' and 'pipelines'"],
    ),
    (
        "chain input that is a global input",
        replace(
            PARAMS, "    inputs: [monthly_sales]\n", "    inputs: [monthly_sales, previous_state]\n"
        ),
        (),
        [
            "at 'dynamic_pipelines.forecast.chain.input'",
            "'previous_state' is a global input or a shared output",
        ],
    ),
]


def _data_hashes(project: Path) -> dict[str, str]:
    return {
        p.relative_to(project).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((project / "data").rglob("*"))
        if p.is_file()
    }


def test_at_least_thirty_broken_projects():
    assert len({c[0] for c in CASES}) >= 30


# A run of one variant alone is validate's warning, and its error with --strict.
STRICT = {"a variant alone without its persisted shared output"}


@pytest.mark.parametrize(("case", "change", "args", "fragments"), CASES, ids=[c[0] for c in CASES])
def test_broken_project(tmp_path, bootstrapped, caplog, case, change, args, fragments):
    project = sample_project(tmp_path)
    catalog = project.path / CATALOG
    change(project.path)
    catalog.write_text(catalog.read_text().replace("{project}", project.path.as_posix()))
    before = _data_hashes(project.path)

    # validate takes --params like kedro run; a selection is for the run only.
    validate_args = args if args[:1] == ("--params",) else ()
    validate_args += ("--strict",) if case in STRICT else ()
    # validate in this process (an exception other than click's exit fails the
    # test here, as a traceback would; what it logs counts as its output), the
    # run in a real `kedro run`.
    bootstrapped(project.path)
    validated = dynamic("validate", *validate_args)
    ran = project.kedro("run", *args, check=False)

    outputs = (
        ("validate", validated.exit_code, validated.output + caplog.text),
        ("run", ran.returncode, ran.stdout + ran.stderr),
    )
    for what, exit_code, output in outputs:
        assert exit_code == 1, f"{what} exited {exit_code}:\n{output[-3000:]}"
        assert "Traceback" not in output, f"{what}:\n{output[-3000:]}"
        for fragment in fragments:
            assert fragment in output, f"{what} does not say {fragment!r}:\n{output[-3000:]}"
    assert isinstance(validated.exception, SystemExit), validated.exception  # click's exit 1
    assert not project.completed(), "a node ran before the refusal"
    assert _data_hashes(project.path) == before
