"""Template for one month of the forecasting chain."""

from kedro.pipeline import Pipeline, node

from .nodes import select_month, update_state


def create_pipeline(**kwargs: object) -> Pipeline:
    return Pipeline(
        [
            node(
                select_month,
                ["monthly_sales", "params:forecast_options"],
                "month_sales",
                name="select_month",
            ),
            node(
                update_state,
                ["previous_state", "month_sales", "params:forecast_options"],
                ["state", "metrics"],
                name="update_state",
            ),
        ]
    )
