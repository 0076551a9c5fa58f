"""Not a template: a plain pipeline of '__default__' whose output lists variants."""

from kedro.pipeline import Pipeline, node

from .nodes import list_active_regions


def create_pipeline(**kwargs: object) -> Pipeline:
    return Pipeline(
        [
            node(
                list_active_regions,
                ["stores", "monthly_sales", "params:region_listing"],
                "active_regions",
                name="list_active_regions",
            )
        ]
    )
