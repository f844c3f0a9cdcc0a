"""Demo price observations for four regions in the latest two years (dates relative to today),
labelled as demo data wherever shown. The campaign year of an observation is the year of its date.
"""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa

from .. import clock
from ..extensions import db
from ..seeding import demo_loader
from .models import ITEMS, OUTLETS, PriceObservation

# Typical prices in tenge in the current year; the year before was about 12 % cheaper.
BASE = {
    "uniform_set": 18000, "shirt_blouse": 4500, "shoes": 12000, "sports_kit": 8000, "backpack": 9000,
    "notebook_12": 60, "notebook_48": 300, "pen": 120, "coloured_pencils": 900, "pencil_case": 1500,
}
REGIONS = {"KZ-71": 1.15, "KZ-75": 1.1, "KZ-61": 0.9, "KZ-47": 1.2}
YEARS = {0: 1.0, 1: 0.88}  # years back from the latest year whose observations are all past
# One thin spot on purpose: the page shows "not enough data" there.
THIN = {("KZ-47", "sports_kit")}


def latest_year() -> int:
    """This year once its observations (15 July – 14 August) are past, else last year."""
    today = clock.today_in()
    return today.year if today >= dt.date(today.year, 8, 15) else today.year - 1


def demo_rows() -> list[dict]:
    rng = random.Random(2023)
    outlets = list(OUTLETS)
    rows = []
    for back, year_factor in YEARS.items():
        year = latest_year() - back
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
