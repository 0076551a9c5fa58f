"""The JSON schema of the parameters: the sample's committed copy is current."""

from __future__ import annotations

import json

from helpers import SAMPLE

from kedro_dynamic_hooks._declaration.schema import parameters_schema


def test_committed_sample_schema_is_current():
    committed = json.loads((SAMPLE / "dynamic_pipelines.schema.json").read_text())
    assert committed == parameters_schema(), "run 'kedro dynamic schema' in sample_project"
