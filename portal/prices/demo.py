"""Demo price observations for four regions in 2022 and 2023, labelled as demo data wherever shown.

The campaign year of an observation is the year of its date, so the 2022 comparison needs
no 2022 ``Campaign`` row (the reference data has only 2023).
"""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa

from ..cli import demo_loader
from ..extensions import db
from .models import ITEMS, OUTLETS, PriceObservation

# Typical 2023 prices in tenge; 2022 was about 12 % cheaper.
BASE = {
    "uniform_set": 18000, "shirt_blouse": 4500, "shoes": 12000, "sports_kit": 8000, "backpack": 9000,
    "notebook_12": 60, "notebook_48": 300, "pen": 120, "coloured_pencils": 900, "pencil_case": 1500,
}
REGIONS = {"KZ-71": 1.15, "KZ-75": 1.1, "KZ-61": 0.9, "KZ-47": 1.2}
YEARS = {2023: 1.0, 2022: 0.88}
# One thin spot on purpose: the page shows "not enough data" there.
THIN = {("KZ-47", "sports_kit")}


def demo_rows() -> list[dict]:
    rng = random.Random(2023)
    outlets = list(OUTLETS)
    rows = []
    for year, year_factor in YEARS.items():
        for region, factor in REGIONS.items():
            for item in ITEMS:
                count = 2 if (region, item) in THIN else rng.randint(4, 7)
                for _n in range(count):
                    price = BASE[item] * factor * year_factor * rng.uniform(0.8, 1.25)
                    step = 10 if price < 2000 else 100
                    rows.append(dict(
                        year=year, region_code=region, item=item, outlet=rng.choice(outlets),
                        price=max(int(round(price / step)) * step, step),
                        observed_on=dt.date(year, 7, 15) + dt.timedelta(days=rng.randint(0, 30)),
                        batch="demo", is_demo=True,
                    ))
    return rows


@demo_loader
def load_demo_prices() -> int:
    if db.session.scalar(sa.select(sa.exists().where(PriceObservation.is_demo.is_(True)))):
        return 0
    rows = demo_rows()
    db.session.add_all(PriceObservation(**row) for row in rows)
    return len(rows)
