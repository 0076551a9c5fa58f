"""Airflow ids are valid and unique for every valid Kedro name; no DAG replaces another."""

from __future__ import annotations

import re

import pytest

from kedro_dynamic_hooks._checks.groups import TaskGroup
from kedro_dynamic_hooks._deploy.airflow import task_ids

AIRFLOW_ID = re.compile(r"^[A-Za-z0-9_.-]{1,250}$")  # Airflow's KEY_REGEX, ASCII


def _group(name: str) -> TaskGroup:
    return TaskGroup(name, "node", None, None, (name,), ())


@pytest.mark.parametrize(
    "names",
    [
        ["a.b", "a_b", "a-b"],  # one slug for three names
        ["über", "ünter", "日本"],  # nothing ASCII left, or the same bits left
        ["x" * 300, "x" * 301],  # longer than Airflow allows
        ["price_predictor.candidate1", "price_predictor.candidate2"],
    ],
)
def test_task_ids_are_valid_and_unique(names):
    ids = task_ids([_group(n) for n in names])
    assert len(set(ids.values())) == len(names), ids
    assert all(AIRFLOW_ID.match(i) for i in ids.values()), ids


def test_a_unique_slug_is_kept_as_kedro_airflow_makes_it():
    ids = task_ids([_group("price_predictor.Candidate_1"), _group("a.b"), _group("a_b")])
    assert ids["price_predictor.Candidate_1"] == "price-predictor-candidate-1"
    assert ids["a.b"].startswith("a-b-") and ids["a_b"].startswith("a-b-")
