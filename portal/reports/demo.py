"""Demo reports for the demo's past campaign years: invented figures, labelled as demo data wherever they appear.

No national totals for 2023 were ever published (see DOMAIN.md §4.2), so the demo does
not imitate real ones: the figures are drawn from a seeded random generator, and the
title, methodology and every page that shows them say they are invented. Each demo version also
carries demo indicators: counted from demo records only, with invented regional sign-offs (planned
budget, children identified, appeals about children out of school) handed to ``publish``, never stored
as a region's sign-off; with two past years, the year-over-year series shows too.
"""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa

from ..campaigns.demo import PAST_YEARS, demo_campaign
from ..campaigns.models import Campaign
from ..extensions import db
from ..regions.models import Region
from ..seeding import demo_loader
from .models import GROUPS, KINDS, SOURCES, Allocation, Report
from ..disclosure import threshold
from .publish import default_texts, publish

# What one demo sponsor delivered in each past demo year (not on the sponsor wall): the indicators' split
# between towns and villages. (region, place, locality, children, value in tenge)
PAST_DELIVERIES = [
    ("KZ-71", "Астана, № 12 мектеп-гимназия", "urban", 140, 2_100_000),
    ("KZ-15", "Мұғалжар ауданы, Қандыағаш қаласы", "urban", 60, 900_000),
    ("KZ-15", "Ойыл ауданы, Ойыл ауылы", "rural", 45, 675_000),
    ("KZ-61", "Сайрам ауданы, Ақсу ауылы", "rural", 80, 1_200_000),
    ("KZ-61", "Түркістан қаласы, № 5 мектеп", "urban", 35, 525_000),
    ("KZ-47", "Маңғыстау ауданы, Шетпе ауылы", "rural", 6, 90_000),  # few children: hidden when published
]

# Rough value of one item per child, in tenge (money: the Vseobuch minimum of 2025, DOMAIN.md §4.1).
UNIT_VALUE = {"uniform": 15000, "shoes": 11000, "backpack": 8000, "stationery": 5000, "money": 46228, "other": 7000}


def demo_allocations(campaign: Campaign, seed: int | None = None) -> list[dict]:
    rng = random.Random(seed if seed is not None else campaign.year)
    regions = [code for (code,) in db.session.execute(sa.select(Region.code).order_by(Region.code))]
    rows = []
    for region in regions:
        size = rng.choice((1, 2, 3, 4))
        for group in GROUPS:
            for kind in KINDS:
                for source in SOURCES:
                    if rng.random() > 0.35:
                        continue
                    # Mostly sizeable lines, some small ones: the report must hide those.
                    children = rng.randint(1, 9) if rng.random() < 0.2 else rng.randint(10, 120 * size)
                    rows.append(dict(
                        campaign_id=campaign.id, region_code=region, recipient_group=group, aid_kind=kind,
                        source=source, children=children, amount=children * UNIT_VALUE[kind],
                        items=0 if kind == "money" else children, batch="demo", is_demo=True,
                    ))
    return rows


def demo_indicator_inputs(campaign: Campaign) -> dict:
    """Invented sign-offs of every region with demo lines: a planned budget a little above what was spent,
    a few more children identified than helped, and appeals about children out of school (some few enough
    to be hidden when published)."""
    rng = random.Random(campaign.year * 16)
    a = Allocation
    spent = db.session.execute(
        sa.select(a.region_code, sa.func.sum(a.children), sa.func.sum(a.amount))
        .where(a.campaign_id == campaign.id, a.is_demo.is_(True)).group_by(a.region_code).order_by(a.region_code)
    )
    inputs = {}
    for code, children, amount in spent:
        out_of_school = rng.choice((rng.randint(1, 9), rng.randint(10, 60)))
        inputs[code] = {
            "planned_budget": int(round(int(amount or 0) * rng.uniform(1.0, 1.3), -3)),
            "children_identified": int(int(children or 0) * rng.uniform(1.05, 1.4)),
            "out_of_school": out_of_school,
            "back_to_school": rng.randint(out_of_school // 2, out_of_school),
        }
    return inputs


@demo_loader
def load_demo_report() -> int:
    """A published demo report for each past demo year; the latest one also gets a correction (version 2)."""
    added = 0
    for back in range(PAST_YEARS, 0, -1):
        added += _demo_report(demo_campaign(back), correction=back == 1)
    return added


def demo_past_deliveries(campaign: Campaign) -> int:
    """A delivered demo offer of ``campaign``'s year with its deliveries to towns and villages (idempotent)."""
    from ..offers.models import Delivery, Offer, OfferKind, OfferRegion
    from ..offers.services import next_reference

    token = "demo-past-offer-%d" % campaign.year
    if db.session.scalar(sa.select(Offer.id).where(Offer.form_token == token)):
        return 0
    arrived = dt.datetime(campaign.year, 7, 20, 6, tzinfo=dt.timezone.utc)
    number, reference = next_reference(campaign.year)
    offer = Offer(
        reference=reference, year=campaign.year, number=number, campaign_id=campaign.id, form_token=token,
        donor_type="company", org_name="«Демо Сауда» ЖШС", tax_id="230840001231", contact_name="Демо Сәуле",
        phone="+77010009999", email="demo-past@example.kz", consent_data_at=arrived, consent_public=False,
        status="delivered", language="kk", is_demo=True, created_at=arrived,
        quantity=sum(row[3] for row in PAST_DELIVERIES), value_tenge=sum(row[4] for row in PAST_DELIVERIES),
    )
    offer.kinds = [OfferKind(kind="backpacks")]
    offer.regions = [OfferRegion(region_code=code) for code in sorted({row[0] for row in PAST_DELIVERIES})]
    offer.deliveries = [
        Delivery(kind="backpacks", quantity=children, value_tenge=value, children=children, region_code=region,
                 place=place, locality=locality, delivered_on=dt.date(campaign.year, 8, 10 + n))
        for n, (region, place, locality, children, value) in enumerate(PAST_DELIVERIES)
    ]
    db.session.add(offer)
    db.session.flush()
    return 1


def _demo_report(campaign: Campaign, correction: bool) -> int:
    if db.session.scalar(sa.select(Report).where(Report.campaign_id == campaign.id, Report.is_demo)):
        return 0
    demo_past_deliveries(campaign)
    have = db.session.scalar(
        sa.select(sa.func.count()).select_from(Allocation).where(Allocation.campaign_id == campaign.id, Allocation.is_demo)
    )
    rows, late = [], []
    if not have:
        rows = demo_allocations(campaign)
        if correction:
            # The first version misses the last region's lines; the correction adds them.
            late = [r for r in rows if r["region_code"] == rows[-1]["region_code"]]
        db.session.execute(sa.insert(Allocation), [r for r in rows if r not in late])
    texts = default_texts(campaign, True, threshold())
    publish(campaign, texts=texts, is_demo=True, indicator_inputs=demo_indicator_inputs(campaign))
    if not correction:
        return len(rows) + 1
    if late:
        db.session.execute(sa.insert(Allocation), late)
    notes = {
        "change_note_kk": "Демо-түзету: соңғы өңірдің кеш келген деректері қосылды.",
        "change_note_ru": "Демо-исправление: добавлены поздно поступившие данные последнего региона.",
        "change_note_en": "Demo correction: late figures of the last region were added.",
    }
    publish(campaign, texts={**texts, **notes}, is_demo=True, indicator_inputs=demo_indicator_inputs(campaign))
    return len(rows) + 2
