"""Demo regional directory: phone lines, public receptions, headquarters, plans of events and a few
consultations and reception days, for some regions. Every item is labelled as demo data.

Real regional numbers change every year and are entered by staff in ``/staff/regions/``.
The plans and events belong to the demo's current campaign, so the demo stays current.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from .. import clock
from ..campaigns.demo import demo_campaign
from ..extensions import db
from ..phones import directory_phone, tel_uri
from ..seeding import demo_loader
from .models import Headquarters, PhoneLine, Reception, Region, RegionPlan

UTC = dt.timezone.utc

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

# region, settlement, address, hours (kk, ru, en), phone
DEMO_RECEPTIONS = [
    ("KZ-71", "Астана", "Бейбітшілік көшесі, 11, 104-кабинет",
     ("сейсенбі мен бейсенбі, 15:00–18:00", "вторник и четверг, 15:00–18:00", "Tuesday and Thursday, 15:00–18:00"),
     "+7 7172 55 00 05"),
    ("KZ-75", "Алматы", "Әйтеке би көшесі, 55, 2-қабат",
     ("дс–жм, 10:00–17:00", "пн–пт, 10:00–17:00", "Mon–Fri, 10:00–17:00"), "+7 727 300 00 03"),
    ("KZ-47", "Ақтау", "14-шағын аудан, 2-үй, білім басқармасы",
     ("сәрсенбі, 14:00–18:00", "среда, 14:00–18:00", "Wednesday, 14:00–18:00"), ""),
]

# region, name (kk, ru, en), head, phone, email
DEMO_HEADQUARTERS = [
    ("KZ-71", ("«Мектепке жол» акциясының қалалық штабы", "Городской штаб акции «Дорога в школу»",
               "City headquarters of the «Road to School» campaign"),
     "Білім басқармасы басшысының орынбасары", "+7 7172 55 00 10", "shtab-astana@example.kz"),
    ("KZ-75", ("Акцияның қалалық ұйымдастыру комитеті", "Городской организационный комитет акции",
               "City organising committee of the campaign"),
     "Қалалық білім басқармасы", "+7 727 300 00 10", ""),
    ("KZ-79", ("Акцияның қалалық штабы", "Городской штаб акции", "City campaign headquarters"),
     "Шымкент қаласының білім басқармасы", "+7 7252 40 00 10", ""),
    ("KZ-15", ("Акцияның облыстық штабы", "Областной штаб акции", "Regional campaign headquarters"),
     "Ақтөбе облысының білім басқармасы", "+7 7132 50 00 10", "shtab-aktobe@example.kz"),
]

# region, summary (kk, ru, en)
DEMO_PLANS = [
    ("KZ-71", ("Жоспарда: 4 мектеп жәрмеңкесі, білім беру мамандарына арналған 2 консультация, апта сайын қоғамдық қабылдау күні.",
               "В плане: 4 школьные ярмарки, 2 консультации для специалистов образования, еженедельный день общественной приёмной.",
               "The plan: 4 school fairs, 2 consultations for education specialists, a public reception day every week.")),
    ("KZ-75", ("Жоспарда: аудандарда 6 жәрмеңке, қайырымдылық акциясы және қоғамдық қабылдау күндері.",
               "В плане: 6 ярмарок в районах, благотворительная акция и дни общественной приёмной.",
               "The plan: 6 fairs in the districts, a charity event and public reception days.")),
    ("KZ-15", ("Жоспарда: сенбі күнгі жәрмеңкелер және алыс ауылдарға көшпелі жәрмеңкелер.",
               "В плане: субботние ярмарки и выездные ярмарки в отдалённые сёла.",
               "The plan: Saturday fairs and mobile fairs to remote villages.")),
]

# region, kind, (month, day, hour) start and end in the region's wall clock, venue, title (kk, ru, en)
DEMO_EVENTS = [
    ("KZ-71", "consultation", (8, 14, 15), (8, 14, 17), "Білім басқармасы, мәжіліс залы",
     ("Сынып жетекшілері мен әлеуметтік педагогтарға арналған консультация",
      "Консультация для классных руководителей и социальных педагогов",
      "Consultation for class teachers and social pedagogues")),
    ("KZ-71", "reception", (8, 21, 15), (8, 21, 18), "Бейбітшілік көшесі, 11, 104-кабинет",
     ("Қоғамдық қабылдау күні", "День общественной приёмной", "Public reception day")),
    ("KZ-75", "reception", (8, 28, 10), (8, 28, 17), "Әйтеке би көшесі, 55",
     ("Қоғамдық қабылдау күні", "День общественной приёмной", "Public reception day")),
]


@demo_loader
def load_demo_lines() -> int:
    have = {(region, tel_uri(number)) for region, number in
            db.session.execute(sa.select(PhoneLine.region_code, PhoneLine.number))}
    added = 0
    for region, lines in DEMO_LINES.items():
        for position, (kind, number) in enumerate(lines, 1):
            if (region, tel_uri(number)) in have:
                continue
            kk, ru, en = TITLES[kind]
            db.session.add(
                PhoneLine(
                    region_code=region, kind=kind, number=directory_phone(number), position=position, is_demo=True,
                    title_kk=kk, title_ru=ru, title_en=en, languages="kk ru",
                    hours_kk=HOURS[0], hours_ru=HOURS[1], hours_en=HOURS[2],
                )
            )
            added += 1
    return added


@demo_loader
def load_demo_directory() -> int:
    """Receptions, headquarters and this campaign's plans of a few regions (idempotent)."""
    added = 0
    receptions = set(db.session.execute(sa.select(Reception.region_code, Reception.address)))
    for position, (region, settlement, address, hours, phone) in enumerate(DEMO_RECEPTIONS, 1):
        if (region, address) in receptions:
            continue
        db.session.add(Reception(
            region_code=region, settlement=settlement, address=address, phone=phone, position=position, is_demo=True,
            title_kk=TITLES["reception"][0], title_ru=TITLES["reception"][1], title_en=TITLES["reception"][2],
            hours_kk=hours[0], hours_ru=hours[1], hours_en=hours[2],
        ))
        added += 1
    offices = set(db.session.execute(sa.select(Headquarters.region_code, Headquarters.phone)))
    for region, names, head, phone, email in DEMO_HEADQUARTERS:
        if (region, phone) in offices:
            continue
        db.session.add(Headquarters(
            region_code=region, name_kk=names[0], name_ru=names[1], name_en=names[2], head=head, phone=phone,
            email=email, is_demo=True,
        ))
        added += 1
    campaign = demo_campaign()
    planned = set(db.session.scalars(sa.select(RegionPlan.region_code).where(RegionPlan.campaign_id == campaign.id)))
    for region, summary in DEMO_PLANS:
        if region in planned:
            continue
        db.session.add(RegionPlan(
            region_code=region, campaign_id=campaign.id, approved_on=dt.date(campaign.year, 6, 15), is_demo=True,
            summary_kk=summary[0], summary_ru=summary[1], summary_en=summary[2],
        ))
        added += 1
    return added + _demo_events(campaign)


def _demo_events(campaign) -> int:
    """Consultations and reception days on the regions' calendars (the fairs' demo has the fairs)."""
    from ..fairs.models import Fair

    zones = dict(db.session.execute(sa.select(Region.code, Region.tz)).all())

    def utc(region, month, day, hour):
        return dt.datetime(campaign.year, month, day, hour, tzinfo=ZoneInfo(zones[region])).astimezone(UTC)

    have = {(r, k, s.replace(tzinfo=UTC) if s.tzinfo is None else s.astimezone(UTC)) for r, k, s in db.session.execute(
        sa.select(Fair.region_code, Fair.kind, Fair.starts_at).where(Fair.is_demo, Fair.campaign_id == campaign.id)
    )}
    added = 0
    for region, kind, start, end, venue, titles in DEMO_EVENTS:
        starts_at = utc(region, *start)
        if (region, kind, starts_at) in have:
            continue
        created = min(utc(region, 7, 1, 10), clock.now())
        db.session.add(Fair(
            campaign_id=campaign.id, region_code=region, kind=kind, starts_at=starts_at, ends_at=utc(region, *end),
            venue=venue, organiser="Білім басқармасы", is_demo=True,
            title_kk=titles[0], title_ru=titles[1], title_en=titles[2], created_at=created, updated_at=created,
        ))
        added += 1
    return added
