"""Demo fairs of the demo's current campaign (and a few of last year's): several regions, school and mobile fairs,
a charity event, one cancelled. Dates are the rows' month and day in the campaign's year, so the demo stays current.

Times are written as the region's wall clock and stored in UTC through zoneinfo,
so Astana and Aktau come out right in any year (Astana was +06 until March 2024, +05 since).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from .. import clock
from ..campaigns.demo import demo_campaign
from ..extensions import db
from ..regions.models import Region
from ..seeding import demo_loader
from .models import Fair

UTC = dt.timezone.utc
# Last year's fairs in the archive: the first rows again, a year earlier.
PAST_FAIRS = 3

# region, kind, remote, local start, local end, status, place, titles, descriptions, offers
DEMO_FAIRS = [
    dict(region="KZ-71", kind="school", start=(8, 22, 10), end=(8, 23, 18),
         venue="Әкімдік алдындағы орталық алаң", address="Бейбітшілік даңғылы, 11", settlement="",
         organiser="Астана қаласының білім басқармасы",
         title=("Астаналық мектеп жәрмеңкесі", "Школьная ярмарка Астаны", "Astana school fair"),
         description=("Қала әкімдігінің алдындағы алаңда 20 сауда шатыры. Балаларға арналған ойын алаңы және құқықтық мәселелер бойынша қоғамдық қабылдау.",
                      "20 торговых палаток на площади перед акиматом. Детская игровая площадка и общественная приёмная по правовым вопросам.",
                      "20 trade tents on the square in front of the city akimat. A children's play area and a public reception for legal questions."),
         offer=("Оқулықтар, кеңсе тауарлары, мектеп формасы, спорттық киім, аяқ киім.",
                "Учебники, канцтовары, школьная форма, спортивная одежда, обувь.",
                "Textbooks, stationery, school uniforms, sportswear, shoes.")),
    dict(region="KZ-15", kind="school", start=(8, 12, 10), end=(8, 12, 14),
         venue="«Mega» сауда-ойын-сауық орталығы", address="11-шағын аудан", settlement="Ақтөбе", organiser="Ақтөбе облысының білім басқармасы",
         title=("Сенбі күнгі мектеп жәрмеңкесі", "Субботняя школьная ярмарка", ""),
         description=("Сатушылар жалға ақы төлемейді, сондықтан бағалар төмен.", "Продавцы не платят аренду, поэтому цены ниже.", ""),
         offer=("Бағалар нарықтағыдан 10–15% төмен.", "Цены на 10–15% ниже рыночных.", "")),
    dict(region="KZ-15", kind="school", start=(8, 19, 10), end=(8, 19, 14),
         venue="«Алтай» базары", address="Жұбанов ағайындылар көшесі, 285А", settlement="Ақтөбе", organiser="Ақтөбе облысының білім басқармасы",
         title=("Сенбі күнгі мектеп жәрмеңкесі", "Субботняя школьная ярмарка", ""),
         description=("Сатушылар жалға ақы төлемейді, сондықтан бағалар төмен.", "Продавцы не платят аренду, поэтому цены ниже.", ""),
         offer=("Бағалар нарықтағыдан 10–15% төмен.", "Цены на 10–15% ниже рыночных.", "")),
    dict(region="KZ-47", kind="school", start=(8, 15, 10), end=(8, 15, 16),
         venue="Ынтымақ алаңы", address="14-шағын аудан", settlement="Ақтау", organiser="Маңғыстау облысының білім басқармасы",
         title=("Ақтаудағы мектеп жәрмеңкесі", "Школьная ярмарка в Актау", "School fair in Aktau"),
         description=("Ақтау қаласы мен маңайындағы ауылдардың отбасыларына арналған жәрмеңке.", "Ярмарка для семей Актау и ближайших сёл.", "A fair for families of Aktau and nearby villages."),
         offer=("Көп балалы отбасыларға жеңілдіктер.", "Скидки для многодетных семей.", "Discounts for large families.")),
    dict(region="KZ-27", kind="school", start=(8, 16, 10), end=(8, 16, 18),
         venue="«Еркін» мәдениет сарайы", address="Достық көшесі, 1", settlement="Орал", organiser="Батыс Қазақстан облысының білім басқармасы",
         title=("Оралдағы мектеп жәрмеңкесі", "Школьная ярмарка в Уральске", ""),
         description=("Мектеп формасы мен кеңсе тауарларының жергілікті өндірушілері.", "Местные производители школьной формы и канцтоваров.", ""),
         offer=("Көп балалы отбасыларға 15–20% жеңілдік.", "Многодетным семьям — скидка 15–20%.", "")),
    dict(region="KZ-61", kind="mobile", remote=True, start=(8, 17, 9), end=(8, 17, 15),
         venue="Ауыл клубы", address="", settlement="Абай ауылы, Келес ауданы", organiser="Келес ауданының білім бөлімі",
         title=("Автодүкен: Абай ауылы", "Автолавка: село Абай", "Mobile shop: Abai village"),
         description=("Мектеп тауарларын төмен бағамен сататын көшпелі дүкен.", "Выездной магазин школьных товаров по сниженным ценам.", "A shop on wheels selling school goods at reduced prices."),
         offer=("Бағалар 5–10% төмен.", "Цены ниже на 5–10%.", "Prices 5–10% below the market.")),
    dict(region="KZ-61", kind="mobile", remote=True, start=(8, 24, 9), end=(8, 24, 15),
         venue="Мектеп ауласы", address="", settlement="Бірлік ауылы, Келес ауданы", organiser="Келес ауданының білім бөлімі",
         title=("Автодүкен: Бірлік ауылы", "Автолавка: село Бирлик", ""),
         description=("Мектеп тауарларын төмен бағамен сататын көшпелі дүкен.", "Выездной магазин школьных товаров по сниженным ценам.", ""),
         offer=("Бағалар 5–10% төмен.", "Цены ниже на 5–10%.", "")),
    dict(region="KZ-11", kind="mobile", remote=True, start=(8, 18, 10), end=(8, 18, 14), status="cancelled", sequence=1,
         venue="Ауыл мектебі", address="", settlement="Бұлақ ауылы, Зеренді ауданы", organiser="Ақмола облысының білім басқармасы",
         title=("Көшпелі жәрмеңке: Бұлақ ауылы", "Выездная ярмарка: село Булак", "Mobile fair: Bulak village"),
         description=("Жол жөндеуге байланысты жәрмеңке өтпейді.", "Ярмарка не состоится из-за ремонта дороги.", "The fair will not take place because of road repairs."),
         offer=("", "", "")),
    dict(region="KZ-75", kind="charity", start=(8, 26, 11), end=(8, 26, 15),
         venue="28 гвардияшы-панфиловшылар атындағы саябақ", address="Гоголь көшесі", settlement="", organiser="Алматы еріктілері",
         title=("Бірінші сынып оқушысына рюкзак жинайық", "Соберём рюкзак первокласснику", "Fill a backpack for a first-grader"),
         description=("Қайырымдылық акциясы: кеңсе тауарлары салынған жаңа рюкзак әкеліңіз.", "Благотворительная акция: принесите новый рюкзак с канцтоварами.", "A charity event: bring a new backpack with stationery."),
         offer=("", "", "")),
    dict(region="KZ-79", kind="school", start=(8, 20, 9), end=(8, 20, 17),
         venue="Орталық базар", address="Қабанбай батыр к-сі", settlement="", organiser="Шымкент қаласының білім басқармасы",
         title=("Шымкенттегі мектеп жәрмеңкесі", "Школьная ярмарка в Шымкенте", ""),
         description=("Жергілікті тігін фабрикаларының мектеп формасы.", "Школьная форма местных швейных фабрик.", ""),
         offer=("", "", "")),
    dict(region="KZ-63", kind="school", start=(9, 2, 10), end=(9, 2, 16),
         venue="Тәуелсіздік алаңы", address="", settlement="Өскемен", organiser="Шығыс Қазақстан облысының білім басқармасы",
         title=("«Қайтадан мектепке» жәрмеңкесі", "Ярмарка «Снова в школу»", ""),
         description=("Мектепке дайындалып үлгермегендерге арналған маусымның соңғы жәрмеңкесі.", "Последняя ярмарка сезона для тех, кто не успел подготовиться.", ""),
         offer=("", "", "")),
    dict(region="KZ-19", kind="mobile", remote=True, start=(8, 9, 10), end=(8, 9, 15),
         venue="Ауылдық округ әкімдігі", address="", settlement="Ақши ауылы, Іле ауданы", organiser="Алматы облысының білім басқармасы",
         title=("Көшпелі жәрмеңке: Ақши ауылы", "Выездная ярмарка: село Акши", ""),
         description=("", "", ""), offer=("", "", "")),
]


def _utc(year: int, region_tz: str, month: int, day: int, hour: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=ZoneInfo(region_tz)).astimezone(UTC)


@demo_loader
def load_demo_fairs() -> int:
    """Add the demo fairs that are not there yet (same region and start)."""
    current, past = demo_campaign(), demo_campaign(1)
    zones = dict(db.session.execute(sa.select(Region.code, Region.tz)).all())
    have = {
        (region, (start if start.tzinfo else start.replace(tzinfo=UTC)).astimezone(UTC))
        for region, start in db.session.execute(sa.select(Fair.region_code, Fair.starts_at).where(Fair.is_demo))
    }
    added = 0
    for campaign, row in [(current, row) for row in DEMO_FAIRS] + [(past, row) for row in DEMO_FAIRS[:PAST_FAIRS]]:
        tz = zones[row["region"]]
        starts_at = _utc(campaign.year, tz, *row["start"])
        created_at = min(_utc(campaign.year, tz, 7, 1, 10), clock.now())
        if (row["region"], starts_at) in have:
            continue
        fair = Fair(
            campaign_id=campaign.id, region_code=row["region"], kind=row["kind"], is_remote=row.get("remote", False),
            starts_at=starts_at, ends_at=_utc(campaign.year, tz, *row["end"]), status=row.get("status", "scheduled"),
            sequence=row.get("sequence", 0), venue=row["venue"], address=row["address"], settlement=row["settlement"],
            organiser=row["organiser"], is_demo=True, created_at=created_at, updated_at=created_at,
        )
        for i, lang in enumerate(("kk", "ru", "en")):
            setattr(fair, f"title_{lang}", row["title"][i])
            setattr(fair, f"description_{lang}", row["description"][i])
            setattr(fair, f"offer_{lang}", row["offer"][i])
        db.session.add(fair)
        added += 1
    return added
