"""Demo offers: a few sponsors on the wall, price pledges, and offers waiting for triage (all ``is_demo``)."""

import datetime as dt

import sqlalchemy as sa

from .. import clock
from ..campaigns.demo import demo_campaign
from ..campaigns.models import campaign_for
from ..extensions import db
from ..seeding import demo_loader
from .models import Delivery, Offer, OfferKind, OfferRegion
from .services import next_reference

# (token, donor type, organisation, contact, regions, kinds, status, public, approved, extra)
DEMO_OFFERS = [
    ("demo-offer-01", "company", "«Білім Маркет» ЖШС", "Демо Айгерім", ["KZ-71"], ["backpacks", "stationery"],
     "accepted", True, True, {"quantity": 300, "value_tenge": 4_500_000}),
    ("demo-offer-02", "ngo", "Қоғамдық қор «Жақсылық»", "Демо Ерлан", ["KZ-15"], ["uniforms", "shoes"],
     "delivered", True, True, {"quantity": 120}),
    ("demo-offer-03", "sole_proprietor", "ЖК «Аяқ киім әлемі»", "Демо Гүлнар", ["KZ-61"], ["price_reduction"],
     "accepted", True, True, {"discount_percent": 15, "shop_name": "Аяқ киім әлемі",
                              "shop_address": "Түркістан, Тәуке хан даңғылы, 12"}),
    ("demo-offer-04", "company", "«Парта» ЖШС", "Демо Мария", ["KZ-75", "KZ-19"], ["price_reduction", "stationery"],
     "accepted", True, True, {"discount_percent": 10, "shop_name": "«Парта» кеңсе тауарлары",
                              "shop_address": "Алматы, Төле би көшесі, 45", "quantity": 500}),
    ("demo-offer-05", "person", "", "Демо Асқар", [], ["money"], "new", False, False, {"value_tenge": 100_000}),
    ("demo-offer-06", "company", "«Каспий Транс» ЖШС", "Демо Данияр", ["KZ-47"], ["services"],
     "contacted", True, False, {"description": "Ақтаудағы мектеп жәрмеңкесіне тегін автобус."}),
]

# What reached where (issue 16): the accepted offer is partly delivered, the delivered one in full.
# (token, kind, quantity, value, children, region, place, locality, days ago)
DEMO_DELIVERIES = [
    ("demo-offer-01", "backpacks", 120, 1_800_000, 120, "KZ-71", "Алматы ауданы, № 45 мектеп-лицей", "urban", 6),
    ("demo-offer-02", "uniforms", 80, 2_400_000, 80, "KZ-15", "Мұғалжар ауданы, Қандыағаш қаласы", "urban", 12),
    ("demo-offer-02", "shoes", 40, 600_000, 40, "KZ-15", "Ойыл ауданы, Ойыл ауылы", "rural", 9),
]


@demo_loader
def load_demo_offers() -> int:
    have = set(db.session.scalars(sa.select(Offer.form_token).where(Offer.is_demo)))
    today = clock.today_in()
    demo_campaign()
    campaign = campaign_for(today)
    added = 0
    for n, (token, donor, org, contact, regions, kinds, status, public, approved, extra) in enumerate(DEMO_OFFERS, 1):
        if token in have:
            continue
        number, reference = next_reference(campaign.year)
        extra = dict(extra)
        if "price_reduction" in kinds:
            extra.update(discount_starts_on=today - dt.timedelta(days=5), discount_ends_on=today + dt.timedelta(days=25))
        offer = Offer(
            reference=reference, year=campaign.year, number=number, campaign_id=campaign.id, form_token=token,
            donor_type=donor, org_name=org, tax_id={"person": ""}.get(donor, "230840001231" if donor != "sole_proprietor" else "100901500011"),
            contact_name=contact, phone="+7701000%04d" % n, email="demo%d@example.kz" % n,
            anywhere=not regions, consent_data_at=clock.now(), consent_public=public,
            status=status, wall_approved=approved, language="ru", is_demo=True, **extra,
        )
        offer.kinds = [OfferKind(kind=k) for k in kinds]
        offer.regions = [OfferRegion(region_code=r) for r in regions]
        offer.deliveries = [
            Delivery(kind=kind, quantity=quantity, value_tenge=value, children=children, region_code=region,
                     place=place, locality=locality, delivered_on=today - dt.timedelta(days=days))
            for (key, kind, quantity, value, children, region, place, locality, days) in DEMO_DELIVERIES if key == token
        ]
        db.session.add(offer)
        added += 1
    return added
