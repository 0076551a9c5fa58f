"""One region's forecast: its stores' total sales, smoothed month to month."""

from typing import Any

import pandas as pd


def select_region(
    sales: pd.DataFrame, stores: pd.DataFrame, options: dict[str, Any]
) -> pd.DataFrame:
    """The region's total sales per month."""
    mine = stores.loc[stores["region"] == options["region"], "store"]
    rows = sales[sales["store"].isin(mine)]
    if rows.empty:
        raise ValueError(f"no sales rows for region {options['region']!r}")
    return rows.groupby("month", as_index=False)["sales"].sum().sort_values("month")


def forecast_region(region_sales: pd.DataFrame, options: dict[str, Any]) -> dict[str, float]:
    """Score a one-month-ahead exponential smoothing forecast of the region's total."""
    alpha = float(options["smoothing"])
    totals = region_sales["sales"].tolist()
    level, errors = totals[0], []
    for actual in totals[1:]:
        errors.append(abs(actual - level))
        level = alpha * actual + (1 - alpha) * level
    return {
        "mae": sum(errors) / len(errors) if errors else 0.0,
        "months": float(len(totals)),
        "last_total": float(totals[-1]),
    }
