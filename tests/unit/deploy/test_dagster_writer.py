"""The Dagster writer's pure part: the job factory, what it replaces, and the names
kedro-dagster would not give back."""

from __future__ import annotations

import copy

import pytest

from kedro_dynamic_hooks._declaration.schema import parse_declaration
from kedro_dynamic_hooks._deploy.dagster import (
    read_config,
    renamed_by_kedro_dagster,
    updated_config,
)
from kedro_dynamic_hooks._expansion.expand import expand

FACTORY = {
    "pipeline": {"pipeline_name": "__default__", "node_namespaces": ["{namespace}"]},
    "executor": "dynamic_pipelines",
}
INIT_DEFAULT = {"pipeline": {"pipeline_name": "__default__"}, "schedule": "daily"}


def test_the_job_factory_replaces_earlier_jobs_and_the_default_job_keeps_what_is_left():
    current = {
        "jobs": {
            "default": INIT_DEFAULT,
            "ns": {"pipeline": {"pipeline_name": "ns"}, "executor": "dynamic_pipelines"},
            "gone": {"pipeline": {"pipeline_name": "gone"}, "executor": "dynamic_pipelines"},
            # The user's, on our executor, for a pipeline still registered: kept.
            "data_processing": {
                "pipeline": {"pipeline_name": "data_processing"},
                "executor": "dynamic_pipelines",
            },
            "mine": {"pipeline": {"pipeline_name": "ns"}, "executor": "sequential"},
            "by_ns": {"pipeline": {"pipeline_name": "__default__", "node_namespaces": ["ns.a"]}},
            "by_node": {"pipeline": {"pipeline_name": "__default__", "node_names": ["ns.fit"]}},
            "report_only": {"pipeline": {"pipeline_name": "__default__", "node_names": ["report"]}},
        },
        "executors": {"dynamic_pipelines": {"multiprocess": {"max_concurrent": 2}}},
    }
    kwargs = {"declared_nodes": {"ns.fit"}, "registered": {"ns", "data_processing"}}
    result = updated_config(current, ["ns"], outside=["report"], max_concurrent=3, **kwargs)
    jobs = result.config["jobs"]
    # The jobs an earlier version wrote go (a removed namespace's too); the user's stay.
    assert result.removed == ["ns", "gone"]
    assert list(jobs) == [
        "default",
        "data_processing",
        "mine",
        "by_ns",
        "by_node",
        "report_only",
        "{namespace}__dynamic",
    ]
    assert jobs["{namespace}__dynamic"] == FACTORY
    assert jobs["default"] == {
        "pipeline": {"pipeline_name": "__default__", "node_names": ["report"]},
        "schedule": "daily",
    }
    assert result.default == "restricted to the nodes outside the declaration"
    # Dagster would refuse to load these with ours: they share its nodes.
    assert result.overlapping == ["mine", "by_ns", "by_node"]
    assert not result.replaced
    # The user's executor settings stay unless --max-concurrent says otherwise.
    assert result.config["executors"]["dynamic_pipelines"] == {
        "multiprocess": {"max_concurrent": 2}
    }
    forced = updated_config(
        current, ["ns"], outside=[], max_concurrent=3, replace_executor=True, **kwargs
    )
    assert forced.config["executors"]["dynamic_pipelines"] == {
        "multiprocess": {"max_concurrent": 3}
    }
    assert "default" not in forced.config["jobs"]
    assert forced.default == "removed (every node of it is in a namespace job)"
    # Run again, nothing changes.
    again = updated_config(result.config, ["ns"], outside=["report"], max_concurrent=3, **kwargs)
    assert again.config == result.config and again.removed == [] and again.default is None
    # The nodes outside the declaration changed: the default job follows them.
    moved = updated_config(result.config, ["ns"], outside=["report2"], max_concurrent=3, **kwargs)
    assert moved.config["jobs"]["default"]["pipeline"]["node_names"] == ["report2"]
    assert moved.default == "restricted to the nodes outside the declaration"
    # A job of the user's under the factory's name is reported, not silently replaced.
    theirs = updated_config(
        {"jobs": {"{namespace}__dynamic": {"pipeline": {"pipeline_name": "x"}}}},
        ["ns"],
        outside=[],
        max_concurrent=1,
    )
    assert theirs.replaced


def test_read_config(tmp_path):
    assert read_config(tmp_path / "missing.yml") == {}
    (tmp_path / "list.yml").write_text("- a\n")
    with pytest.raises(ValueError, match="does not hold a YAML mapping"):
        read_config(tmp_path / "list.yml")


def test_names_kedro_dagster_would_turn_into_others_are_named_with_their_fix(templates, reference):
    params = copy.deepcopy(reference)
    declaration = params["dynamic_pipelines"]
    ns = next(iter(declaration))
    declaration[ns]["matrix"] = {
        "parameters": {"model_options.test_size": [0.2], "model_options.random_state": [1, 2]}
    }
    declaration[ns]["variants"]["odd__one"] = {}
    expansion = expand(parse_declaration(declaration), templates, params)
    assert renamed_by_kedro_dagster(expansion, "dynamic_pipelines") == [
        f"namespace '{ns}': its matrix names 2 combination(s) that kedro-dagster rewrites "
        f"(e.g. 'test_size_0p2__random_state_1'): set 'separator: _x_' at "
        f"dynamic_pipelines.{ns}.matrix.",
        f"variant '{ns}.odd__one': rename it at dynamic_pipelines.{ns}.variants.odd__one.",
    ]
    declaration[ns]["matrix"]["separator"] = "_x_"
    del declaration[ns]["variants"]["odd__one"]
    fixed = expand(parse_declaration(declaration), templates, params)
    assert renamed_by_kedro_dagster(fixed, "dynamic_pipelines") == []
    # With another separator, a label ending in '_' is the fault: the labels' fix.
    declaration[ns]["matrix"]["parameters"]["model_options.test_size"] = {"small_": 0.2}
    labelled = expand(parse_declaration(declaration), templates, params)
    assert renamed_by_kedro_dagster(labelled, "dynamic_pipelines") == [
        f"namespace '{ns}': its matrix names 2 combination(s) that kedro-dagster rewrites "
        f"(e.g. 'test_size_small__x_random_state_1'): give its values labels without '__' or "
        f"a final '_' at dynamic_pipelines.{ns}.matrix.parameters."
    ]


def test_a_dataset_kedro_dagster_would_rename_is_named_once_per_template():
    from kedro.pipeline import Pipeline, node

    def identity(x):
        return x

    templates = {
        "t": Pipeline(
            [
                node(identity, "raw_", "table@pandas", name="a__node"),
                node(identity, "table@spark", "metrics", name="score"),
            ]
        )
    }
    params = {
        "dynamic_pipelines": {
            "ns": {"pipelines": ["t"], "inputs": ["raw_"], "variants": {"a": {}, "b": {}}}
        }
    }
    expansion = expand(parse_declaration(params["dynamic_pipelines"]), templates, params)
    assert renamed_by_kedro_dagster(expansion, "dynamic_pipelines") == [
        "dataset 'raw_' in namespace 'ns' has the part 'raw_': rename 'raw_' in its template "
        "or catalog.",
        "dataset 'ns.a.table@pandas' in namespace 'ns' has a transcoded name ('@'), which "
        "kedro-dagster writes with '__': rename 'table@pandas' in its template or catalog.",
        "dataset 'ns.a.table@spark' in namespace 'ns' has a transcoded name ('@'), which "
        "kedro-dagster writes with '__': rename 'table@spark' in its template or catalog.",
    ]
