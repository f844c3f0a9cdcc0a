"""Demo phone lines for a few regions. Real regional numbers change every year and are entered by staff."""

import sqlalchemy as sa

from ..cli import demo_loader
from ..extensions import db
from .models import PhoneLine

DEMO_LINES = {
    "KZ-71": [("hotline", "+7 (7172) 55-00-01"), ("trust", "+7 (7172) 55-00-02")],
    "KZ-75": [("hotline", "+7 (727) 300-00-01"), ("trust", "+7 (727) 300-00-02"), ("reception", "+7 (727) 300-00-03")],
    "KZ-79": [("hotline", "+7 (7252) 40-00-01")],
    "KZ-15": [("hotline", "+7 (7132) 50-00-01"), ("trust", "+7 (7132) 50-00-02")],
    "KZ-47": [("hotline", "+7 (7292) 60-00-01")],
    "KZ-61": [("hotline", "+7 (72533) 7-00-01"), ("trust", "+7 (72533) 7-00-02")],
}

TITLES = {
    "hotline": ("Білім басқармасының жедел желісі", "Горячая линия управления образования", "Education department hotline"),
    "trust": ("Сенім телефоны", "Телефон доверия", "Trust phone"),
    "reception": ("Қоғамдық қабылдау бөлмесі", "Общественная приёмная", "Public reception office"),
}
HOURS = ("дс–жм, 09:00–18:00", "пн–пт, 09:00–18:00", "Mon–Fri, 09:00–18:00")


@demo_loader
def load_demo_lines() -> int:
    have = {tuple(row) for row in db.session.execute(sa.select(PhoneLine.region_code, PhoneLine.number))}
    added = 0
    for region, lines in DEMO_LINES.items():
        for position, (kind, number) in enumerate(lines, 1):
            if (region, number) in have:
                continue
            kk, ru, en = TITLES[kind]
            db.session.add(
                PhoneLine(
                    region_code=region, kind=kind, number=number, position=position, is_demo=True,
                    title_kk=kk, title_ru=ru, title_en=en,
                    hours_kk=HOURS[0], hours_ru=HOURS[1], hours_en=HOURS[2],
                )
            )
            added += 1
    return added
