"""Template instantiated once per variant: split -> train -> predict -> evaluate."""

from kedro.pipeline import Pipeline, node

from .nodes import evaluate_model, predict, split_data, train_model


def create_pipeline(**kwargs: object) -> Pipeline:
    return Pipeline(
        [
            node(
                split_data,
                ["model_input_table", "params:model_options"],
                ["X_train", "X_test", "y_train", "y_test"],
                name="split_data",
            ),
            node(
                train_model,
                ["X_train", "y_train", "params:model_options"],
                "regressor",
                name="train_model",
            ),
            node(predict, ["regressor", "X_test"], "predictions", name="predict"),
            node(
                evaluate_model,
                ["predictions", "y_test", "params:model_options"],
                "metrics",
                name="evaluate_model",
            ),
        ]
    )
