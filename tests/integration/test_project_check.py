"""The project around a valid declaration: everything a run reads must resolve."""

from __future__ import annotations

import pytest
from helpers import DEMO_PACKAGE, demo_project, dynamic, load_context_error
from kedro.framework.session import KedroSession

from kedro_dynamic_hooks import DeclarationError, ProjectError
from kedro_dynamic_hooks._errors import ConfigError


def _set_parameters(project, old: str, new: str) -> None:
    params = project / "conf" / "base" / "parameters.yml"
    text = params.read_text()
    assert old in text
    params.write_text(text.replace(old, new, 1))


def _run_refused(project, **selection) -> ProjectError:
    with (
        KedroSession.create(project_path=project) as session,
        pytest.raises(ProjectError) as info,
    ):
        session.run(**selection)
    assert not (project / "ran.json.nodes").exists(), "a node ran before the refusal"
    return info.value


def test_a_global_input_not_listed_under_inputs(session_project):
    _set_parameters(
        session_project,
        "  reviews_predictor:\n    shared: [data_processing]\n    pipelines: [data_science]\n"
        "    inputs: [companies, shuttles, reviews]",
        "  reviews_predictor:\n    shared: [data_processing]\n    pipelines: [data_science]\n"
        "    inputs: [shuttles, reviews]",
    )
    error = _run_refused(session_project, pipeline_names=["reviews_predictor"])
    assert error.path == "dynamic_pipelines.reviews_predictor.inputs"
    assert error.source == "conf/base/parameters.yml"
    assert error.detail == (
        "'reviews_predictor.companies' (read by node 'reviews_predictor.preprocess_companies') "
        "is not found: 'companies' exists globally in the catalog, but namespace "
        "'reviews_predictor' reads its own copy. List 'companies' under "
        "'dynamic_pipelines.reviews_predictor.inputs' to read the global one."
    )


def test_a_variant_alone_without_its_persisted_shared_output(session_project):
    error = _run_refused(session_project, namespaces=["reviews_predictor.test1"])
    assert error.path == "dynamic_pipelines.reviews_predictor.catalog"
    assert error.detail == (
        "'reviews_predictor.model_input_table' is read by node "
        "'reviews_predictor.test1.split_data' but produced by node "
        "'reviews_predictor.create_model_input_table', which 'kedro run --namespaces "
        "reviews_predictor.test1' does not run, and it is not persisted, so there is nothing "
        "to read. Persist it with a catalog template "
        "'dynamic_pipelines.reviews_predictor.catalog.model_input_table' (or a dataset factory "
        "in catalog.yml), or run the whole namespace: 'kedro run --namespaces "
        "reviews_predictor'."
    )


def test_the_same_run_with_the_shared_step_is_not_refused(session_project):
    with KedroSession.create(project_path=session_project) as session:
        outputs = session.run(namespaces=["reviews_predictor"], tags=["test1"])
    assert "reviews_predictor.test1.metrics" in outputs


def test_a_template_typo_under_selective_loading_is_our_error(session_project):
    _set_parameters(session_project, "pipelines: [data_science]", "pipelines: [data_sciense]")
    with (
        KedroSession.create(project_path=session_project) as session,
        pytest.raises(DeclarationError) as info,
    ):
        session.run(pipeline_names=["price_predictor"])
    assert info.value.path == "dynamic_pipelines.price_predictor.pipelines"
    assert "unknown pipeline 'data_sciense'" in info.value.detail
    assert "Did you mean 'data_science'?" in info.value.detail


def test_a_kedro_config_error_is_one_line(session_project):
    (session_project / "conf/base/parameters_extra.yml").write_text(
        "model_options: {test_size: 0.5}\n"
    )
    error = load_context_error(session_project, ProjectError)
    assert isinstance(error, ConfigError)  # Kedro's error, not our check failing
    assert error.path == "parameters"
    assert str(error).startswith("Kedro could not read the configuration at 'parameters': ")
    detail = error.detail
    assert detail.startswith("Duplicate keys found in ")
    assert ": model_options.test_size. A top-level key lives in one parameters file" in detail
    assert "the declaration itself may go in any parameters*.yml file" in detail
    assert "conf/base/parameters.yml" in detail and "conf/base/parameters_extra.yml" in detail
    assert "\n" not in str(error)


PROD = """
model_options:
  test_size: 0.2
  random_state: 3
  target: price
  features: [engines, crew]
  model: sklearn.linear_model.LinearRegression
  model_params: {}

dynamic_pipelines:
  reviews_predictor:
    shared: [data_processing]
    pipelines: [data_science]
    inputs: [companies, shuttles, reviews]
    variants:
      only: {}
"""


def test_each_session_gets_the_expansion_of_its_own_environment(session_project):
    from kedro.framework.project import pipelines

    (session_project / "conf/prod").mkdir()
    (session_project / "conf/prod/parameters.yml").write_text(PROD)
    with KedroSession.create(project_path=session_project) as session:
        session.load_context()
    assert "price_predictor.candidate1" in pipelines
    with KedroSession.create(project_path=session_project, env="prod") as session:
        context = session.load_context()
        assert set(context.params["reviews_predictor"]) >= {"only"}
        assert "price_predictor.candidate1" not in pipelines
        assert "reviews_predictor.test1" not in pipelines
        default = {n.name for n in pipelines["__default__"].nodes}
        assert default == {n.name for n in pipelines["reviews_predictor"].nodes}


def _validate(*args: str):
    return dynamic("validate", *args, catch_exceptions=True)


def test_a_misspelt_dataset_type_in_a_template(session_project):
    _set_parameters(session_project, "type: pickle.PickleDataset", "type: pickle.PickleDatset")
    result = _validate()
    assert result.exit_code == 1
    assert (
        "Error: Dynamic pipelines project check failed at "
        "'dynamic_pipelines.price_predictor.catalog.regressor' (in conf/base/parameters.yml): "
        "the dataset type 'pickle.PickleDatset' of 'price_predictor.base.regressor' cannot be "
        "loaded:"
    ) in result.output
    error = _run_refused(session_project, namespaces=["price_predictor"])
    assert error.path == "dynamic_pipelines.price_predictor.catalog.regressor"
    assert error.detail.startswith(
        "dataset 'price_predictor.base.regressor' (type 'pickle.PickleDatset') cannot be created:"
    )


def test_a_chain_initial_that_names_nothing(sample_session):
    _set_parameters(sample_session, "initial: initial_state", "initial: inital_state")
    result = _validate()
    assert result.exit_code == 1
    assert (
        "at 'dynamic_pipelines.forecast.chain.initial' (in conf/base/parameters.yml): "
        "'inital_state', the dataset the chain's first variant reads ('chain.initial'), has "
        "no catalog entry and no node produces it."
    ) in result.output


def test_validate_warns_about_catalog_entries_left_unused(session_project):
    from helpers import FACTORY

    with (session_project / "conf/base/catalog.yml").open("a") as f:
        f.write(FACTORY + "\nregressor:\n  type: pickle.PickleDataset\n  filepath: data/r.pkl\n")
    result = _validate()
    assert result.exit_code == 0, result.output
    assert "catalog.yml entries no pipeline uses once namespaced" in result.output
    assert "\n  regressor\n" in result.output + "\n"


def test_params_can_add_a_variant_and_are_checked_like_the_file(session_project):
    from helpers import FACTORY

    with (session_project / "conf/base/catalog.yml").open("a") as f:
        f.write(FACTORY)
    added = _validate("--params", "dynamic_pipelines.reviews_predictor.variants.extra={}")
    assert added.exit_code == 0, added.output
    assert "OK: 2 namespace(s), 7 variant(s), 34 node(s)." in added.output
    typo = _validate(
        "--params",
        "dynamic_pipelines.reviews_predictor.variants.extra.overrides.model_options.tset_size=1",
    )
    assert typo.exit_code == 1
    assert (
        "at 'dynamic_pipelines.reviews_predictor.variants.extra.overrides.model_options.tset_size'"
        " (in --params): override of 'tset_size', which the base parameters do not define."
    ) in typo.output


def test_plan_explains_an_empty_selection_and_an_unwritable_output(session_project):
    from click.testing import CliRunner

    from kedro_dynamic_hooks._cli import commands

    empty = CliRunner().invoke(commands, ["dynamic", "plan", "--namespaces", "nosuch"])
    assert empty.exit_code == 1
    assert empty.output.startswith("Error: ") and "nosuch" in empty.output  # Kedro's words
    assert "Namespaces: price_predictor, reviews_predictor;" in empty.output
    missing = session_project / "no" / "such" / "plan.json"
    unwritable = CliRunner().invoke(commands, ["dynamic", "plan", "-o", str(missing)])
    assert unwritable.exit_code == 1
    assert f"Cannot write {missing}: No such file or directory." in unwritable.output
    schema = CliRunner().invoke(commands, ["dynamic", "schema", "-o", str(missing)])
    assert schema.exit_code == 1 and "Cannot write" in schema.output
    assert "Traceback" not in empty.output + unwritable.output + schema.output


def test_a_variant_alone_before_its_shared_step_ever_ran(session_project):
    from helpers import FACTORY

    with (session_project / "conf/base/catalog.yml").open("a") as f:
        f.write(FACTORY)  # persisted, but no run has written it yet
    error = _run_refused(session_project, namespaces=["reviews_predictor.test1"])
    assert error.path == "dynamic_pipelines.reviews_predictor"
    assert error.detail == (
        "'reviews_predictor.model_input_table' is read by node "
        "'reviews_predictor.test1.split_data' but produced by node "
        "'reviews_predictor.create_model_input_table', which 'kedro run --namespaces "
        "reviews_predictor.test1' does not run, and no earlier run has written it yet. Run its "
        "producer first, e.g. 'kedro run --namespaces reviews_predictor'."
    )
    with KedroSession.create(project_path=session_project) as session:
        session.run(namespaces=["reviews_predictor"])
    with KedroSession.create(project_path=session_project) as session:
        assert "reviews_predictor.test1.metrics" in session.run(
            namespaces=["reviews_predictor.test1"]
        )


def test_registry_describe_with_a_template_typo_is_our_error(session_project):
    from kedro.framework.project import pipelines

    if not hasattr(pipelines, "set_requested"):
        pytest.skip("selective pipeline loading is Kedro >= 1.5")
    _set_parameters(session_project, "pipelines: [data_science]", "pipelines: [data_sciense]")
    pipelines.set_requested(["price_predictor"])  # what `kedro registry describe` does
    try:
        with pytest.raises(DeclarationError) as info:
            pipelines["price_predictor"]
    finally:
        pipelines.set_requested(None)
    assert info.value.path == "dynamic_pipelines.price_predictor.pipelines"
    assert "unknown pipeline 'data_sciense'" in info.value.detail


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            {"model_options": {"test_sise": 0.3}},
            "--params targets 'model_options.test_sise', which does not exist.",
        ),
        (
            {"model_options": 5},
            "--params 'model_options=5' would replace the whole mapping 'model_options'.",
        ),
    ],
    ids=["typo-below-a-root-parameter", "replacing-a-root-mapping"],
)
def test_root_level_params_are_checked_against_the_files(session_project, given, message):
    with (
        KedroSession.create(project_path=session_project, runtime_params=given) as session,
        pytest.raises(DeclarationError) as info,
    ):
        session.load_context()
    assert message in info.value.detail
    assert info.value.source == "--params"


def test_root_level_params_that_change_a_value_or_add_a_parameter_pass(session_project):
    given = {"model_options": {"test_size": 0.3, "model_params": {"alpha": 1.0}}, "seed": 4}
    with KedroSession.create(project_path=session_project, runtime_params=given) as session:
        params = session.load_context().params
    assert params["seed"] == 4
    assert params["reviews_predictor"]["test1"]["model_options"].test_size == 0.3


def test_a_register_pipelines_that_cannot_build_is_one_line(session_project):
    registry = session_project / "src/spaceflights_dynamic/pipeline_registry.py"
    registry.write_text(
        "from kedro.framework.project import find_pipelines\n\n\n"
        "def register_pipelines():\n"
        "    pipelines = find_pipelines(raise_errors=True)\n"
        "    pipelines['__default__'] = sum(pipelines.values())  # two templates write 'metrics'\n"
        "    return pipelines\n"
    )
    error = load_context_error(session_project, ProjectError)
    assert error.path == "register_pipelines"
    assert error.source == "the pipeline registry"
    assert error.detail.startswith("Kedro could not build the project's pipelines: ")
    assert "find_dynamic_pipelines() does that" in error.detail
    assert "\n" not in str(error)


def _demo_with_ingest(tmp_path, bootstrapped):
    """The demo project, whose raw sales a global 'ingest' pipeline writes; that
    pipeline is registered but not in __default__ (as find_dynamic_pipelines()
    leaves it), and has never run."""
    project = demo_project(tmp_path / "demo")
    registry = project / "src" / DEMO_PACKAGE / "pipeline_registry.py"
    registry.write_text(
        registry.read_text().replace(
            '"__default__": Pipeline([]),',
            '"__default__": Pipeline([]),\n'
            '        "ingest": Pipeline([node(make_table, "params:size", "sales", name="ingest")]),',
        )
    )
    (project / "data" / "raw" / "sales.json").unlink()
    return bootstrapped(project)


def test_an_input_only_a_pipeline_outside_the_run_writes(tmp_path, bootstrapped):
    project = _demo_with_ingest(tmp_path, bootstrapped)
    result = _validate()
    assert result.exit_code == 0, result.output
    warning = (
        "'sales' (read by node 'forecast.m1.step' in 'kedro run') is written by node 'ingest' "
        "of pipeline 'ingest', which 'kedro run' does not run, and the run reads whatever an "
        "earlier run of it left (or fails if none did). Run it first ('kedro run --pipelines "
        "ingest'), or put it in __default__ (with find_dynamic_pipelines, pass default=...)."
    )
    assert warning in " ".join(result.output.split())
    assert dynamic("validate", "--strict", catch_exceptions=True).exit_code == 1
    before = sorted(p.name for p in (project / "data").rglob("*"))
    with (
        KedroSession.create(project_path=project) as session,
        pytest.raises(ProjectError) as info,
    ):
        session.run(namespaces=["forecast"])
    assert info.value.detail == (
        "'sales' (read by node 'forecast.m1.step' in 'kedro run --namespaces forecast') is "
        "written by node 'ingest' of pipeline 'ingest', which 'kedro run --namespaces "
        "forecast' does not run, and nothing has written it yet. Run it first ('kedro run "
        "--pipelines ingest'), or put it in __default__ (with find_dynamic_pipelines, pass "
        "default=...)."
    )
    assert sorted(p.name for p in (project / "data").rglob("*")) == before


def _demo_with_folder_reader(tmp_path, bootstrapped, *, linked: bool):
    """The demo project plus a node of __default__ that summarises every file under
    data/models (a PartitionedDataset), where the variants write their metrics;
    ``linked`` also makes it read the collect step's output, which orders it."""
    project = demo_project(tmp_path / "demo")
    package = project / "src" / DEMO_PACKAGE
    (package / "nodes.py").write_text(
        (package / "nodes.py").read_text()
        + "\n\ndef summarise(parts, *after):\n    return sorted(parts)\n"
    )
    inputs = '["all_metrics", "models.comparison"]' if linked else '"all_metrics"'
    registry = package / "pipeline_registry.py"
    registry.write_text(
        registry.read_text()
        .replace("from .nodes import ", "from .nodes import summarise, ")
        .replace(
            '"__default__": Pipeline([]),',
            f'"__default__": Pipeline([node(summarise, {inputs}, "summary", name="summarise")]),',
        )
    )
    with (project / "conf" / "base" / "catalog.yml").open("a") as catalog:
        catalog.write(
            "all_metrics:\n  type: partitions.PartitionedDataset\n  path: data/models\n"
            "  dataset: json.JSONDataset\n"
        )
    return bootstrapped(project)


FOLDER_FIRST = (
    "node 'summarise' reads folder dataset 'all_metrics' ('data/models'), which holds "
    "'models.comparison', written by node 'models.compare'; no dataset makes "
    "'summarise' run after it, so '{run}' may read the folder first: no partitions on the "
    "first run, the previous run's files after that. Make the reader take the written "
    "datasets as inputs (a 'collect' step does), or give 'all_metrics' a folder of its own."
)


def test_a_folder_read_before_the_variants_write_into_it(tmp_path, bootstrapped):
    project = _demo_with_folder_reader(tmp_path, bootstrapped, linked=False)
    result = _validate()
    assert result.exit_code == 1
    assert FOLDER_FIRST.format(run="kedro run") in " ".join(result.output.split())
    before = sorted(p.name for p in (project / "data").rglob("*"))
    with (
        KedroSession.create(project_path=project) as session,
        pytest.raises(ProjectError) as info,
    ):
        session.run()
    assert FOLDER_FIRST.format(run="kedro run") in info.value.detail
    assert info.value.path == "all_metrics"
    assert sorted(p.name for p in (project / "data").rglob("*")) == before


@pytest.mark.filterwarnings("ignore:One or more dataset names contain")  # Kedro's advice
def test_a_folder_read_after_every_writer_is_fine(tmp_path, bootstrapped):
    _demo_with_folder_reader(tmp_path, bootstrapped, linked=True)
    result = _validate()
    assert result.exit_code == 0, result.output
    assert "all_metrics" not in result.output


def test_a_collect_template_run_bare_is_refused_naming_its_namespaces(sample_session):
    with (
        KedroSession.create(project_path=sample_session) as session,
        pytest.raises(ProjectError) as info,
    ):
        session.run(pipeline_names=["reporting"])
    assert info.value.detail.startswith(
        "'metrics' (read by node 'compare_variants' in 'kedro run --pipelines reporting') is an "
        "output of the declaration's templates, which run only as namespaced copies ("
    )
    assert info.value.detail.endswith(
        "Read a namespaced copy, or declare this pipeline in a namespace (under 'shared' or "
        "'collect'); if it is a template already, run it through its namespace ('kedro run "
        "--pipelines <namespace>')."
    )
