"""One month of a chain: forecast with last month's state, then update the state."""

import logging
from typing import Any

import pandas as pd

logger = logging.getLogger(__name__)


def select_month(sales: pd.DataFrame, options: dict[str, Any]) -> pd.DataFrame:
    """Keep this month's rows of the sales table."""
    month = sales[sales["month"] == options["month"]]
    if month.empty:
        raise ValueError(f"no sales rows for month {options['month']!r}")
    return month.reset_index(drop=True)


def update_state(
    previous_state: dict[str, Any], month_sales: pd.DataFrame, options: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, float]]:
    """Forecast this month from the previous state, score it, and roll the state forward.

    The state is an exponentially weighted level per store plus the running count
    of months seen; it is persisted so that one month can be re-run alone.
    """
    alpha = float(options["smoothing"])
    levels: dict[str, float] = dict(previous_state.get("levels", {}))
    errors = []
    for row in month_sales.itertuples():
        store, actual = str(row.store), float(row.sales)
        forecast = levels.get(store, actual)
        errors.append(abs(actual - forecast))
        levels[store] = alpha * actual + (1 - alpha) * forecast
    months = [*previous_state.get("months", []), options["month"]]
    state = {"months": months, "levels": levels}
    metrics = {
        "mae": sum(errors) / len(errors),
        "months_seen": float(len(months)),
        "smoothing": alpha,
    }
    logger.info(
        "Month %s: forecast MAE %.2f after %d month(s)",
        options["month"],
        metrics["mae"],
        len(months),
    )
    return state, metrics
