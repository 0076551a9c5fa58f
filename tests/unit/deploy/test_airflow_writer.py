"""The Airflow writer's pure parts: names, task ids, limits and DAG settings."""

from __future__ import annotations

import re

from kedro_dynamic_hooks._checks.groups import TaskGroup
from kedro_dynamic_hooks._deploy.airflow import (
    dag_config,
    dag_name,
    limits,
    slugify,
    task_ids,
    widest_level,
)


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
    widest, warnings = limits(wide, {})
    assert widest == 20 and warnings == [
        "up to 20 tasks can run at once, but Airflow runs at most 16 tasks of a DAG run at a "
        "time (max_active_tasks). Raise it with 'max_active_tasks' in conf/<env>/airflow.yml "
        "if your workers can take more."
    ]
    assert limits(wide, {"max_active_tasks": 32}) == (20, [])
    many = [_group(f"v{i}") for i in range(1001)]
    assert limits(many, {"max_active_tasks": 2000})[1] == [
        "the DAG has 1001 tasks; Airflow's scheduler and UI slow down with more than about "
        "1000. Consider one DAG per namespace: --pipelines <namespace>."
    ]
    # Task ids: the slug where it is unique; a digest of the name follows a shared slug.
    assert task_ids([_group("price_predictor.candidate1")]) == {
        "price_predictor.candidate1": "price-predictor-candidate1"
    }
    ids = task_ids([_group("a.b"), _group("a_b")])
    assert ids["a.b"] != ids["a_b"]
    assert all(re.fullmatch(r"a-b-[0-9a-f]{10}", task_id) for task_id in ids.values()), ids
