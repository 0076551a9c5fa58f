"""Datasets that cross Airflow tasks: kept in memory, or on a disk other workers do not see."""

from __future__ import annotations

import warnings

from kedro.pipeline import Pipeline, node

from kedro_dynamic_hooks._checks.groups import TaskGroup
from kedro_dynamic_hooks._deploy.airflow_tasks import airflow_tasks
from kedro_dynamic_hooks._deploy.crossing import Crossing, crossings, unreachable


def _identity(x):
    return x


def _pipeline() -> Pipeline:
    """The expanded shape: dotted names as the hook's namespacing gives them."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "One or more dataset names contain '.'")
        return Pipeline(
            [
                node(_identity, "raw", "ns.table", name="ns.make"),
                *(node(_identity, "ns.table", f"ns.{v}.model", name=f"ns.{v}.fit") for v in "ab"),
                *(
                    node(_identity, f"ns.{v}.model", f"ns.{v}.metrics", name=f"ns.{v}.score")
                    for v in "ab"
                ),
                node(min, ["ns.a.metrics", "ns.b.metrics"], "ns.report", name="ns.compare"),
            ]
        )


GROUPS = [
    TaskGroup("ns", "shared", "ns", None, ("ns.make",), ()),
    *(
        TaskGroup(f"ns.{v}", "variant", "ns", v, (f"ns.{v}.fit", f"ns.{v}.score"), ("ns",))
        for v in "ab"
    ),
    TaskGroup("ns.collect", "collect", "ns", None, ("ns.compare",), ("ns.a", "ns.b")),
]


def test_crossings_are_what_one_task_writes_and_another_reads():
    tasks = airflow_tasks(GROUPS).tasks
    assert crossings(_pipeline(), tasks) == [
        Crossing("ns.table", "ns", ("ns[variants]",), ("ns.table",)),
        Crossing("ns.a.metrics", "ns[variants]", ("ns.collect",), ("ns.a.metrics",)),
        Crossing("ns.b.metrics", "ns[variants]", ("ns.collect",), ("ns.b.metrics",)),
    ]
    # A variant's model stays inside its task: it may be kept in memory.
    assert "ns.a.model" not in {c.dataset for c in crossings(_pipeline(), tasks)}


def test_a_crossing_kept_in_memory_or_on_a_local_disk_is_named_by_its_config():
    tasks = airflow_tasks(GROUPS).tasks
    catalog = {
        "ns.table": {"type": "pandas.ParquetDataset", "filepath": "s3://bucket/table.pq"},
        **{
            f"ns.{v}.metrics": {"type": "json.JSONDataset", "filepath": f"data/ns.{v}/metrics.json"}
            for v in "ab"
        },
    }
    found = crossings(_pipeline(), tasks)
    assert unreachable(found, catalog, shared_disk=True, project_path="/p") == []
    origin = {"ns.a.metrics": "ns.catalog.metrics", "ns.b.metrics": "ns.catalog.metrics"}
    assert unreachable(
        found, catalog, shared_disk=False, project_path="/p", origin=lambda d: origin.get(d, d)
    ) == [
        "'ns.catalog.metrics' (2 datasets, e.g. 'ns.a.metrics' written by task 'ns[variants]', "
        "read by 'ns.collect') is on a local disk (data/ns.a/metrics.json), which other workers "
        "do not see: store it on object storage (s3://, gs://, abfs://) or a database."
    ]
    # A dataset factory is named by its pattern: that is the config to change.
    factory = {
        "ns.table": catalog["ns.table"],
        "{name}.metrics": {"type": "json.JSONDataset", "filepath": "/data/{name}.json"},
    }
    assert unreachable(found, factory, shared_disk=False, project_path="/p") == [
        "'{name}.metrics' (2 datasets, e.g. 'ns.a.metrics' written by task 'ns[variants]', "
        "read by 'ns.collect') is on a local disk (/data/ns.a.json), which other workers "
        "do not see: store it on object storage (s3://, gs://, abfs://) or a database."
    ]
    in_memory = {"{name}.metrics": {"type": "json.JSONDataset", "filepath": "file:///m.json"}}
    assert unreachable(found, in_memory, shared_disk=False, project_path="/p") == [
        "'ns.table' (written by task 'ns', read by 'ns[variants]') is kept in memory, which "
        "ends with its task: give it a catalog entry, a catalog template or a dataset factory.",
        "'{name}.metrics' (2 datasets, e.g. 'ns.a.metrics' written by task 'ns[variants]', "
        "read by 'ns.collect') is on a local disk (file:///m.json), which other workers do "
        "not see: store it on object storage (s3://, gs://, abfs://) or a database.",
    ]


def test_a_transcoded_crossing_is_one_dataset_and_a_database_is_not_memory():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "One or more dataset names contain '.'")
        pipeline = Pipeline(
            [
                node(_identity, "raw", "ns.table@pandas", name="ns.make"),
                node(_identity, "ns.table@spark", "ns.a.out", name="ns.a.fit"),
            ]
        )
    groups = [
        TaskGroup("ns", "shared", "ns", None, ("ns.make",), ()),
        TaskGroup("ns.a", "variant", "ns", "a", ("ns.a.fit",), ("ns",)),
    ]
    tasks = airflow_tasks(groups).tasks
    assert crossings(pipeline, tasks) == [
        Crossing("ns.table@pandas", "ns", ("ns[variants]",), ("ns.table@pandas", "ns.table@spark"))
    ]
    catalog = {
        "ns.table@pandas": {"type": "pandas.SQLTableDataset", "table_name": "t"},
        "ns.table@spark": {"type": "spark.SparkDataset", "filepath": "data/t"},
    }
    # The reading side's config is on a local disk: refused although the writer's is not.
    assert unreachable(
        crossings(pipeline, tasks), catalog, shared_disk=False, project_path="/p"
    ) == [
        "'ns.table@spark' ('ns.table@pandas', written by task 'ns', read by 'ns[variants]') "
        "is on a local disk "
        "(data/t), which other workers do not see: store it on object storage (s3://, gs://, "
        "abfs://) or a database."
    ]
    catalog["ns.table@spark"] = {"type": "spark.SparkDataset", "filepath": "s3://b/t"}
    # A database table has no path, and is no memory either.
    assert (
        unreachable(crossings(pipeline, tasks), catalog, shared_disk=False, project_path="/p") == []
    )
    catalog["ns.table@pandas"] = {"type": "kedro.io.MemoryDataset"}
    assert (
        "is kept in memory"
        in unreachable(crossings(pipeline, tasks), catalog, shared_disk=True, project_path="/p")[0]
    )
