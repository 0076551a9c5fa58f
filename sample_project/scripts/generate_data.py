"""Generate the sample project's small, deterministic raw data.

Spaceflights-shaped tables (companies, shuttles, reviews) and a monthly sales
series, from a fixed seed. The CSVs it writes are committed under data/01_raw,
so a run never needs the network; re-run this script to regenerate them.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pandas as pd

RAW = Path(__file__).resolve().parents[1] / "data" / "01_raw"
SEED = 20241126


def generate(raw: Path = RAW, seed: int = SEED) -> None:
    rng = random.Random(seed)
    raw.mkdir(parents=True, exist_ok=True)
    companies = pd.DataFrame(
        {
            "id": range(1, 121),
            "company_rating": [f"{rng.randint(40, 100)}%" for _ in range(120)],
            "company_location": [
                rng.choice(["Niue", "Anguilla", "Russia", "Barbados"]) for _ in range(120)
            ],
            "total_fleet_count": [rng.randint(1, 8) for _ in range(120)],
            "iata_approved": [rng.choice("tf") for _ in range(120)],
        }
    )
    rows = []
    for shuttle_id in range(1, 601):
        engines = rng.randint(1, 4)
        capacity = rng.randint(2, 10)
        crew = rng.randint(1, 6)
        d_check = rng.choice("tf")
        moon = rng.choice("tf")
        company = rng.randint(1, 120)
        rating = int(companies.loc[company - 1, "company_rating"].rstrip("%"))
        price = (
            400 * engines
            + 150 * capacity
            + 90 * crew
            + 300 * (d_check == "t")
            + 200 * (moon == "t")
            + 8 * rating
            + rng.gauss(0, 250)
        )
        rows.append(
            {
                "id": shuttle_id,
                "shuttle_location": rng.choice(["Sao Tome", "Wallis", "Niue"]),
                "shuttle_type": rng.choice(["Type V5", "Type F5", "Type D3"]),
                "engine_type": rng.choice(["Quantum", "Plasma"]),
                "engine_vendor": rng.choice(["ThetaBase", "ZetaFuel"]),
                "engines": engines,
                "passenger_capacity": capacity,
                "cancellation_policy": rng.choice(["strict", "moderate", "flexible"]),
                "crew": crew,
                "d_check_complete": d_check,
                "moon_clearance_complete": moon,
                "price": f"${price:,.1f}",
                "company_id": company,
            }
        )
    shuttles = pd.DataFrame(rows)
    reviews = pd.DataFrame(
        {
            "shuttle_id": range(1, 601),
            "review_scores_rating": [
                round(
                    min(100, max(20, 60 + 0.004 * float(p[1:].replace(",", "")) + rng.gauss(0, 6))),
                    1,
                )
                for p in shuttles["price"]
            ],
            "review_scores_comfort": [rng.randint(5, 10) for _ in range(600)],
            "number_of_reviews": [rng.randint(0, 300) for _ in range(600)],
        }
    )
    sales = []
    for m in range(1, 7):
        for store in range(1, 16):
            base = 100 + 10 * store
            sales.append(
                {
                    "month": f"2024-{m:02d}",
                    "store": f"s{store:02d}",
                    "sales": round(base * (1 + 0.05 * m) + rng.gauss(0, 8), 2),
                }
            )
    companies.to_csv(raw / "companies.csv", index=False)
    shuttles.to_csv(raw / "shuttles.csv", index=False)
    reviews.to_csv(raw / "reviews.csv", index=False)
    pd.DataFrame(sales).to_csv(raw / "monthly_sales.csv", index=False)
    # The chain starts from December 2023's level of every store (the trend at
    # month 0), so January is a real forecast: an empty state would forecast
    # each store's actual value and score a meaningless MAE of 0.
    levels = {f"s{store:02d}": float(100 + 10 * store) for store in range(1, 16)}
    state = {"months": ["2023-12"], "levels": levels}
    (raw / "initial_state.json").write_text(json.dumps(state) + "\n")


if __name__ == "__main__":
    generate()
