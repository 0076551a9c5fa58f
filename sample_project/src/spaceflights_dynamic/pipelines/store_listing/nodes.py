"""List the regions with sales this month: one row per region, one variant each."""

import logging
from typing import Any

import pandas as pd

logger = logging.getLogger(__name__)


def list_active_regions(
    stores: pd.DataFrame, sales: pd.DataFrame, options: dict[str, Any]
) -> pd.DataFrame:
    """The regions with at least one store selling in ``options['month']``.

    The table is what the ``regional`` namespace takes its variants from: the
    ``region`` column names each variant, ``region_options.region`` is the
    parameter it overrides.
    """
    selling = set(sales.loc[sales["month"] == options["month"], "store"])
    active = sorted(set(stores.loc[stores["store"].isin(selling), "region"]))
    if not active:
        raise ValueError(f"no store sold anything in {options['month']!r}")
    logger.info("Regions with sales in %s: %s", options["month"], ", ".join(active))
    return pd.DataFrame({"region": active, "region_options.region": active})
