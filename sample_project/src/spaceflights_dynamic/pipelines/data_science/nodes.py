"""Split, train, predict and evaluate one regression model."""

import importlib
import logging
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, field_validator

logger = logging.getLogger(__name__)


class ModelOptions(BaseModel):
    """A variant's model options, validated by Kedro before the run starts."""

    model_config = ConfigDict(extra="forbid")

    test_size: float
    random_state: int
    target: str
    features: list[str]
    model: str
    model_params: dict[str, Any] = {}

    @field_validator("model")
    @classmethod
    def _only_sklearn(cls, value: str) -> str:
        # Parameters are trusted config, but a model path is still limited to sklearn.
        if not value.startswith("sklearn."):
            raise ValueError(f"model must be a scikit-learn class path, got {value!r}")
        return value


def split_data(data: pd.DataFrame, options: ModelOptions) -> tuple[Any, Any, Any, Any]:
    """Split the model input table into train and test sets."""
    # Imported here: every kedro command loads the pipeline modules, and
    # importing scikit-learn up front costs each of them about a second.
    from sklearn.model_selection import train_test_split

    X = data[options.features].astype(float)
    y = data[options.target].astype(float)
    return tuple(  # type: ignore[return-value]
        train_test_split(X, y, test_size=options.test_size, random_state=options.random_state)
    )


def train_model(X_train: pd.DataFrame, y_train: pd.Series, options: ModelOptions) -> Any:
    """Fit the model class named in the options."""
    module, _, name = options.model.rpartition(".")
    model_class = getattr(importlib.import_module(module), name)
    params = dict(options.model_params)
    if "random_state" in model_class().get_params():
        params.setdefault("random_state", options.random_state)
    return model_class(**params).fit(X_train, y_train)


def predict(regressor: Any, X_test: pd.DataFrame) -> pd.DataFrame:
    """Predict the test set."""
    return pd.DataFrame({"prediction": regressor.predict(X_test)}, index=X_test.index)


def evaluate_model(
    predictions: pd.DataFrame, y_test: pd.Series, options: ModelOptions
) -> dict[str, float]:
    """Score the predictions; the metrics feed the comparison report."""
    y_pred = predictions["prediction"].to_numpy()
    y_true = y_test.to_numpy()
    residual = y_true - y_pred
    metrics = {
        "r2": float(1 - (residual**2).sum() / ((y_true - y_true.mean()) ** 2).sum()),
        "mae": float(np.abs(residual).mean()),
        "n_features": float(len(options.features)),
        "test_size": float(options.test_size),
    }
    logger.info("Model %s predicting %s: r2=%.3f", options.model, options.target, metrics["r2"])
    return metrics
