"""Loading the reference data: regions from ``shared/data/regions.csv`` and the national phone lines."""

from __future__ import annotations

import csv
from pathlib import Path

import sqlalchemy as sa

from ..extensions import db
from .models import PhoneLine, Region

DATA_FILE = Path(__file__).with_name("regions.csv")

# National lines (shared/data/DOMAIN.md §3): 111 first, the state line for families and children.
NATIONAL_LINES = [
    dict(
        kind="hotline",
        number="111",
        position=1,
        free_of_charge=True,
        title_kk="«111» бірыңғай байланыс орталығы — отбасы, әйелдер мен балалардың құқықтарын қорғау мәселелері бойынша",
        title_ru="Единый контакт-центр «111» по вопросам семьи, защиты прав женщин и детей",
        title_en="Unified contact centre 111 for family matters and the rights of women and children",
        hours_kk="тәулік бойы, тегін, анонимді",
        hours_ru="круглосуточно, бесплатно, анонимно",
        hours_en="24/7, free of charge, anonymous",
    ),
    dict(
        kind="trust",
        number="150",
        position=2,
        free_of_charge=True,
        title_kk="Балалар мен жастарға арналған «150» ұлттық сенім телефоны — психологиялық көмек",
        title_ru="Национальный телефон доверия для детей и молодёжи «150» — психологическая помощь",
        title_en="National helpline 150 for children and young people — psychological help",
        hours_kk="тегін",
        hours_ru="бесплатно",
        hours_en="free of charge",
    ),
    dict(
        kind="hotline",
        number="+7 (7172) 74-25-28",
        position=3,
        title_kk="«Мектепке жол» акциясының жедел желісі — Балалардың құқықтарын қорғау комитеті",
        title_ru="Горячая линия акции «Дорога в школу» — Комитет по охране прав детей",
        title_en="“Road to School” campaign hotline — Committee for the Protection of Children's Rights",
        hours_kk="акция кезінде: 1 тамыз – 30 қыркүйек",
        hours_ru="во время акции: 1 августа – 30 сентября",
        hours_en="during the campaign: 1 August – 30 September",
    ),
]


def load_regions(path: Path = DATA_FILE) -> int:
    """Insert or update the 20 regions; returns how many rows were written."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    existing = {r.code: r for r in db.session.scalars(sa.select(Region))}
    for row in rows:
        region = existing.get(row["code"]) or Region(code=row["code"])
        for field in ("name_kk", "name_ru", "name_en", "centre_en", "kind", "tz"):
            setattr(region, field, row[field])
        db.session.add(region)
    return len(rows)


def load_national_lines() -> int:
    """Insert the national phone lines once (staff may edit them later; existing rows are kept)."""
    have = set(
        db.session.scalars(sa.select(PhoneLine.number).where(PhoneLine.region_code.is_(None)))
    )
    added = 0
    for line in NATIONAL_LINES:
        if line["number"] not in have:
            db.session.add(PhoneLine(**line))
            added += 1
    return added
