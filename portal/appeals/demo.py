"""Demo appeals for the staff inbox. Nobody holds their receipt codes: the stored "hash" is a marker
that no real code hashes to, so they can be read and answered by staff but never checked by a visitor."""

import datetime as dt

import sqlalchemy as sa

from ..extensions import db
from ..seeding import demo_loader
from .models import Appeal, AppealMessage, today as appeal_today

DEMO_APPEALS = [
    ("demo-appeal-1", "forced_fees", "KZ-71", "new", 1, "Мектеп №45",
     "Сынып жетекшісі әр отбасынан перде мен жөндеуге 15 000 теңге жинап жатыр. Төлемегендердің балаларына сабақта ескерту жасайды."),
    ("demo-appeal-2", "not_attending", "KZ-75", "in_progress", 4, "Алатауский район",
     "В соседнем доме мальчик лет девяти с начала сентября не ходит в школу, днём гуляет один во дворе. Родители говорят, что нет формы и обуви."),
    ("demo-appeal-3", "fair_problem", "KZ-61", "answered", 9, "",
     "At the school fair in the district centre the prices for uniforms were higher than in the ordinary shops, and there were no sizes for first-graders."),
    ("demo-appeal-4", "family_needs_help", None, "new", 2, "",
     "Көпбалалы отбасы, төрт бала мектепке барады. Анасы жалғыз, жұмысы жоқ. Сөмке мен кеңсе тауарларына көмек керек."),
]


@demo_loader
def load_demo_appeals() -> int:
    have = set(db.session.scalars(sa.select(Appeal.receipt_hash).where(Appeal.is_demo)))
    today = appeal_today()
    added = 0
    for marker, category, region, status, age, settlement, text in DEMO_APPEALS:
        if marker in have:
            continue
        appeal = Appeal(
            receipt_hash=marker, category=category, region_code=region, status=status,
            created_on=today - dt.timedelta(days=age), settlement=settlement, message=text,
            receipt_confirmed=True, is_demo=True,
        )
        if status == "answered":
            appeal.messages.append(AppealMessage(
                kind="reply", created_on=today - dt.timedelta(days=age - 2),
                body="Thank you. The regional education department has checked the fair and asked the organiser to bring sizes for first-graders.",
            ))
        if status == "in_progress":
            appeal.messages.append(AppealMessage(
                kind="note", created_on=today - dt.timedelta(days=age - 1),
                body="Передано в отдел образования района, ждём ответа социального педагога.",
            ))
        db.session.add(appeal)
        added += 1
    return added
