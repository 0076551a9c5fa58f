"""Fan-in: compare every variant's metrics in one table and one chart.

matplotlib is imported where the chart is drawn: every kedro command loads
the pipeline modules, and importing it up front costs about a second each.
"""

import logging
from typing import Any

import pandas as pd

logger = logging.getLogger(__name__)


def compare_variants(
    metrics: dict[str, dict[str, float]], options: dict[str, Any]
) -> tuple[pd.DataFrame, Any]:
    """Build the comparison table and bar chart from ``{variant: metrics}``.

    The table is also logged as Markdown, so the run ends with the comparison.
    """
    table = pd.DataFrame.from_dict(metrics, orient="index")
    table.index.name = "variant"
    table = table.reset_index()
    key = options["metric"]
    ascending = options["lower_is_better"]
    table = table.sort_values(key, ascending=ascending).reset_index(drop=True)
    table.insert(0, "rank", range(1, len(table) + 1))
    logger.info("Variant comparison by %s:\n%s", key, _markdown(table))

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(max(4, len(table) * 1.2), 3.5))
    axis.bar(table["variant"], table[key], color="#3b6ea5")
    axis.set_ylabel(key)
    axis.set_title(f"{key} per variant")
    axis.tick_params(axis="x", labelrotation=30)
    figure.tight_layout()
    plt.close(figure)
    return table, figure


def _markdown(table: pd.DataFrame) -> str:
    columns = list(table.columns)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in table.itertuples(index=False):
        cells = [f"{v:.4g}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
