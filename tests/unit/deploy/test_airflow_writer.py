"""The Airflow writer's pure parts: names, task ids, limits and DAG settings."""

from __future__ import annotations

import re

import pytest

from kedro_dynamic_hooks._checks.groups import TaskGroup
from kedro_dynamic_hooks._deploy.airflow import (
    conf_source_for,
    dag_config,
    dag_name,
    slugify,
    task_ids,
    widest_level,
)
from kedro_dynamic_hooks._deploy.airflow_settings import (
    check_task_settings,
    limits,
    namespace_settings,
)
from kedro_dynamic_hooks._deploy.airflow_tasks import MAPPED, PER_VARIANT, airflow_tasks, widest


def _group(name: str, *deps: str) -> TaskGroup:
    return TaskGroup(name, "variant", "ns", name, (name,), deps)


def test_airflow_names_limits_and_config():
    assert slugify("price_predictor.Candidate_1") == "price-predictor-candidate-1"
    assert dag_name("pkg", "local", "__default__") == "pkg"
    assert dag_name("pkg", "prod", "ns.v1") == "pkg_prod_ns_v1"
    config = {"default": {"owner": "a", "retries": 2}, "ns": {"retries": 0}}
    assert dag_config(config, "ns") == {"owner": "a", "retries": 0}
    assert dag_config({}, "ns") == {}
    wide = [_group("s"), *(_group(f"v{i}", "s") for i in range(20)), _group("c", "v0", "v1")]
    assert widest_level(wide) == 20
    per_variant = airflow_tasks(wide, form=PER_VARIANT).tasks
    widest, warnings = limits(per_variant, {}, pipeline="__default__", form=PER_VARIANT)
    assert widest == 20 and warnings == [
        "up to 20 task instances can run at once, but Airflow runs at most 16 "
        "(max_active_tasks, per DAG run). Raise 'max_active_tasks' in conf/<env>/airflow.yml, "
        "or [core] parallelism (say so with 'parallelism' there), if your workers can take more."
    ]
    assert limits(per_variant, {"max_active_tasks": 32}, pipeline="ns", form=PER_VARIANT) == (
        20,
        [],
    )
    # [core] parallelism caps across DAGs: airflow.yml or the environment says what it is.
    assert "at most 8 ([core] parallelism, per scheduler)" in " ".join(
        limits(per_variant, {"max_active_tasks": 32, "parallelism": 8}, pipeline="p", form="m")[1]
    )
    many = [_group(f"v{i}") for i in range(1001)]
    many_tasks = airflow_tasks(many, form=PER_VARIANT).tasks
    assert limits(
        many_tasks,
        {"max_active_tasks": 2000, "parallelism": 2000},
        pipeline="__default__",
        form=PER_VARIANT,
    )[1] == [
        "the DAG has 1001 tasks; Airflow's scheduler and UI slow down with more than about "
        "1000. Write mapped tasks (the default: --tasks mapped)."
    ]
    # Task ids: the slug where it is unique; a digest of the name follows a shared slug.
    assert task_ids([_group("price_predictor.candidate1")]) == {
        "price_predictor.candidate1": "price-predictor-candidate1"
    }
    ids = task_ids([_group("a.b"), _group("a_b")])
    assert ids["a.b"] != ids["a_b"]
    assert all(re.fullmatch(r"a-b-[0-9a-f]{10}", task_id) for task_id in ids.values()), ids


def _in(namespace: str, name: str, kind: str = "variant", *deps: str) -> TaskGroup:
    variant = name.split(".", 1)[1] if kind == "variant" else None
    return TaskGroup(name, kind, namespace, variant, (name,), deps)


def _fan(namespace: str, count: int) -> list[TaskGroup]:
    """A shared step, ``count`` variants after it, a collect step after them."""
    variants = [_in(namespace, f"{namespace}.v{i}", "variant", namespace) for i in range(count)]
    collect = _in(namespace, f"{namespace}.collect", "collect", *(v.name for v in variants))
    return [_in(namespace, namespace, "shared"), *variants, collect]


def test_a_namespace_s_variants_become_one_mapped_task_in_batches():
    plan = airflow_tasks(_fan("ns", 5), form=MAPPED, batch_size=2)
    assert [(t.name, t.kind, t.dependencies) for t in plan.tasks] == [
        ("ns", "shared", ()),
        ("ns[variants]", "mapped", ("ns",)),
        ("ns.collect", "collect", ("ns[variants]",)),
    ]
    mapped = plan.tasks[1]
    assert mapped.batches == (("ns.v0", "ns.v1"), ("ns.v2", "ns.v3"), ("ns.v4",))
    assert mapped.variants == 5 and plan.unmapped == {}
    assert widest(plan.tasks) == 3 and widest(plan.tasks, {"ns[variants]": 2}) == 2
    # The DAG's task count does not grow with the variants.
    assert len(airflow_tasks(_fan("ns", 500)).tasks) == 3


def test_a_chain_and_a_collapse_that_would_cycle_stay_per_variant():
    chain = [
        _in("c", "c.m1"),
        _in("c", "c.m2", "variant", "c.m1"),
        _in("c", "c.m3", "variant", "c.m2"),
    ]
    plan = airflow_tasks([*chain, *_fan("ns", 2)])
    assert plan.unmapped == {"c": "its variants read each other's outputs (a chain runs in order)"}
    assert [t.name for t in plan.tasks if not t.mapped and t.kind == "variant"] == [
        "c.m1",
        "c.m2",
        "c.m3",
    ]
    # a.x -> b.y -> a.z: mapping 'a' and 'b' both would make them wait for each other.
    crossed = [
        _in("a", "a.x"),
        _in("b", "b.y", "variant", "a.x"),
        _in("a", "a.z", "variant", "b.y"),
    ]
    plan = airflow_tasks(crossed)
    assert plan.unmapped == {"a": "mapping it would make two tasks wait for each other"}
    assert [(t.name, t.dependencies) for t in plan.tasks] == [
        ("a.x", ()),
        ("b[variants]", ("a.x",)),
        ("a.z", ("b[variants]",)),
    ]


def test_a_map_longer_than_airflow_allows_is_refused_with_the_batch_size_that_fits():
    tasks = airflow_tasks(_fan("ns", 1030)).tasks
    with pytest.raises(ValueError) as refused:
        limits(tasks, {"max_active_tasks": 2000}, pipeline="ns", form=MAPPED)
    assert str(refused.value) == (
        "namespace 'ns' would map 1030 task instances, more than Airflow's max_map_length "
        "(1024), so the DAG would fail when it runs. Pass --batch-size 2 (or more), or raise "
        "[core] max_map_length and say so with 'max_map_length' in conf/<env>/airflow.yml. "
        "Nothing was written."
    )
    batched = airflow_tasks(_fan("ns", 1030), batch_size=2).tasks
    assert limits(batched, {"max_active_tasks": 2000}, pipeline="ns", form=MAPPED)[0] == 515
    assert (
        limits(
            tasks, {"max_map_length": 2048, "max_active_tasks": 2000}, pipeline="ns", form=MAPPED
        )[0]
        == 1030
    )
    with pytest.raises(
        ValueError, match=r"'parallelism' in conf/<env>/airflow\.yml must be a whole"
    ):
        limits(batched, {"parallelism": "many"}, pipeline="ns", form=MAPPED)


def test_namespace_settings_bound_the_map_and_name_the_pools():
    config = {
        "max_active_tis_per_dagrun": 4,
        "namespaces": {"gpu": {"pool": "gpus", "max_active_tis_per_dagrun": 2}},
    }
    assert namespace_settings(config, "ns") == {"max_active_tis_per_dagrun": 4}
    assert namespace_settings(config, "gpu") == {"max_active_tis_per_dagrun": 2, "pool": "gpus"}
    tasks = airflow_tasks([*_fan("ns", 10), *_fan("gpu", 10)]).tasks
    width, warnings = limits(tasks, config, pipeline="__default__", form=MAPPED)
    assert width == 6  # 4 of ns's instances and 2 of gpu's at once
    assert warnings == [
        "variant tasks run in pool(s) 'gpus': create them ('airflow pools set <name> <slots> "
        "<description>') before the first run; their slots also bound how many run at once."
    ]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"namespaces": {"n_s": {"pool": "p"}}},
            "'namespaces.n_s' in conf/<env>/airflow.yml is not a namespace of the declaration "
            "(ns, gpu). Did you mean 'ns'?",
        ),
        (
            {"namespaces": {"ns": {"max_active_tis": 2}}},
            "'namespaces.ns.max_active_tis' in conf/<env>/airflow.yml is not a task setting; "
            "they are max_active_tis_per_dagrun, pool. Did you mean 'max_active_tis_per_dagrun'?",
        ),
        (
            {"namespaces": {"ns": {"max_active_tis_per_dagrun": "eight"}}},
            "'namespaces.ns.max_active_tis_per_dagrun' in conf/<env>/airflow.yml must be a whole "
            "number of at least 1, not 'eight'.",
        ),
        (
            {"max_active_tis_per_dagrun": 0},
            "'max_active_tis_per_dagrun' in conf/<env>/airflow.yml must be a whole number of at "
            "least 1, not 0.",
        ),
        (
            {"pool": ""},
            "'pool' in conf/<env>/airflow.yml must be a pool's name, not ''.",
        ),
        (
            {"namespaces": ["ns"]},
            "'namespaces' in conf/<env>/airflow.yml must map namespace names to settings.",
        ),
        (
            {"namespaces": {"ns": 4}},
            "'namespaces.ns' in conf/<env>/airflow.yml must be a mapping of settings.",
        ),
    ],
)
def test_task_settings_that_airflow_would_ignore_or_refuse_are_refused(config, message):
    with pytest.raises(ValueError) as refused:
        check_task_settings(config, ["ns", "gpu"])
    assert str(refused.value) == message


def test_an_airflow_setting_from_the_environment_is_blamed_on_it(monkeypatch):
    tasks = airflow_tasks(_fan("ns", 3)).tasks
    monkeypatch.setenv("AIRFLOW__CORE__PARALLELISM", "lots")
    with pytest.raises(ValueError) as refused:
        limits(tasks, {}, pipeline="ns", form=MAPPED)
    assert str(refused.value) == "AIRFLOW__CORE__PARALLELISM must be a whole number, not 'lots'."
    monkeypatch.setenv("AIRFLOW__CORE__PARALLELISM", "2")
    assert limits(tasks, {}, pipeline="ns", form=MAPPED)[1] == [
        "up to 3 task instances can run at once, but Airflow runs at most 2 ([core] "
        "parallelism, per scheduler). Raise 'max_active_tasks' in conf/<env>/airflow.yml, or "
        "[core] parallelism (say so with 'parallelism' there), if your workers can take more."
    ]
    # A namespace's own DAG over 1,000 tasks: the advice is not --pipelines again.
    chain = [_in("c", f"c.m{i}", "variant", *([f"c.m{i - 1}"] if i else [])) for i in range(1001)]
    advice = limits(
        airflow_tasks(chain).tasks, {"max_active_tasks": 5000}, pipeline="c", form=MAPPED
    )[1]
    assert advice == [
        "the DAG has 1001 tasks; Airflow's scheduler and UI slow down with more than about "
        "1000. Most are groups that cannot be mapped (a chain's months, nodes of no namespace)."
    ]


def test_a_relative_conf_source_is_the_project_s_wherever_a_worker_starts():
    assert conf_source_for("", "/opt/p") == ""
    assert conf_source_for("conf_prod", "/opt/p/") == "/opt/p/conf_prod"
    assert conf_source_for("./conf", "/opt/p") == "/opt/p/conf"
    assert conf_source_for("s3://b/conf.tgz", "/opt/p") == "s3://b/conf.tgz"
    assert conf_source_for("/etc/conf", "/opt/p") == "/etc/conf"
    assert conf_source_for("C:\\conf", "/opt/p") == "C:\\conf"


def test_a_table_a_task_writes_is_mapped_over_what_a_listing_task_reads_at_run_time():
    from kedro_dynamic_hooks._deploy.airflow_tasks import with_listings

    groups = [
        _group("ns.a", "ns"),
        _group("ns.b", "ns"),
        TaskGroup("ns", "shared", "ns", None, ("ns.prep",), ()),
        TaskGroup("list_rows", "node", None, None, ("list_rows",), ()),
        TaskGroup("ns.collect", "collect", "ns", None, ("ns.compare",), ("ns.a", "ns.b")),
    ]
    plan = with_listings(airflow_tasks(groups, form=MAPPED), {"ns": "list_rows"}, batch_size=5)
    names = [t.name for t in plan.tasks]
    listing = next(t for t in plan.tasks if t.kind == "listing")
    mapped = next(t for t in plan.tasks if t.mapped)
    assert listing.dependencies == ("list_rows",) and listing.batch_size == 5
    assert mapped.listed_by == "ns[rows]" and mapped.batches == ()
    assert "ns[rows]" in mapped.dependencies
    assert names.index("list_rows") < names.index("ns[rows]") < names.index(mapped.name)
    # Written outside this DAG: listed at run time, after nothing.
    outside = with_listings(airflow_tasks(groups, form=MAPPED), {"ns": None})
    assert next(t for t in outside.tasks if t.kind == "listing").dependencies == ()
    # Not in this DAG's pipeline: unchanged.
    assert with_listings(airflow_tasks(groups), {"other": "x"}).tasks == airflow_tasks(groups).tasks
    with pytest.raises(ValueError) as per_variant:
        with_listings(airflow_tasks(groups, form=PER_VARIANT), {"ns": "list_rows"})
    assert str(per_variant.value) == (
        "namespace 'ns' takes its variants from a table that node 'list_rows' writes: they "
        "are known only when the DAG runs, so they must be one mapped task, but --tasks "
        "per-variant writes a task per variant. Drop '--tasks per-variant', or give the "
        "namespace named variants."
    )
