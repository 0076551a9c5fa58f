"""Template for the per-namespace comparison report (a 'collect' pipeline)."""

from kedro.pipeline import Pipeline, node

from .nodes import compare_variants


def create_pipeline(**kwargs: object) -> Pipeline:
    return Pipeline(
        [
            node(
                compare_variants,
                ["metrics", "params:report_options"],
                ["comparison_table", "comparison_plot"],
                name="compare_variants",
            )
        ]
    )
