"""Template for one region's forecast (its variants come from a table)."""

from kedro.pipeline import Pipeline, node

from .nodes import forecast_region, select_region


def create_pipeline(**kwargs: object) -> Pipeline:
    return Pipeline(
        [
            node(
                select_region,
                ["monthly_sales", "stores", "params:region_options"],
                "region_sales",
                name="select_region",
            ),
            node(
                forecast_region,
                ["region_sales", "params:region_options"],
                "metrics",
                name="forecast_region",
            ),
        ]
    )
