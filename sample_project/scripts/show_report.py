"""Print every namespace's variant comparison table after a run."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

REPORTING = Path(__file__).resolve().parents[1] / "data" / "08_reporting"


def main() -> int:
    tables = sorted(REPORTING.glob("*/comparison.csv"))
    if not tables:
        print(f"No comparison tables under {REPORTING}: run 'kedro run' first.", file=sys.stderr)
        return 1
    for path in tables:
        table = pd.read_csv(path)
        print(f"\n## {path.parent.name}  ({path.parent / 'comparison.png'})\n")
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
