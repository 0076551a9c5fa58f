"""Inputs a run reads that nothing resolves: each explained."""

from __future__ import annotations


def test_the_other_unresolved_inputs_are_explained():
    from kedro.pipeline import Pipeline, node

    from kedro_dynamic_hooks._checks.inputs import check_pipeline

    pipeline = Pipeline([node(lambda a, b: a, ["raw_table", "params:opts.k"], "out", name="n")])
    param, dataset = check_pipeline(
        pipeline, "kedro run --pipelines mine", lambda name: False, None, key="dp", source=None
    )
    assert (param.path, param.source) == ("params:opts.k", "the parameters")
    assert param.detail == (
        "parameter 'opts.k' (read by node 'n' in 'kedro run --pipelines mine') is not defined. "
        "Define it in parameters.yml."
    )
    assert (dataset.path, dataset.source) == ("raw_table", "the catalog")
    assert dataset.detail == (
        "dataset 'raw_table' (read by node 'n' in 'kedro run --pipelines mine') is produced by "
        "no node that runs and has no catalog entry. Add an entry (or a dataset factory) for it "
        "in catalog.yml, or run what produces it too."
    )
