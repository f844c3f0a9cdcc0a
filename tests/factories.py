"""Small factories for tests: records of one region (or national, with ``region_code=None``).

Each area adds its own ``make_<model>`` under a comment with the area's name.
"""

from __future__ import annotations

import datetime as dt
import itertools

from portal.extensions import db

_seq = itertools.count(1)

UTC = dt.timezone.utc


# --- staff -------------------------------------------------------------------------


def make_staff(role="coordinator", region_code="KZ-71", email=None, password="correct horse battery", totp=True):
    """A staff account; with ``totp`` its two-factor enrolment is complete (secret returned as ``.totp_plain``)."""
    import pyotp

    from portal.staff.passwords import hash_password
    from portal.staff.models import StaffUser

    secret = pyotp.random_base32()
    user = StaffUser(
        email=email or f"staff{next(_seq)}@example.kz",
        name="Test Staff",
        password_hash=hash_password(password),
        role=role,
        region_code=region_code if role == "coordinator" else region_code,
        totp_secret=secret if totp else None,
        totp_enabled=totp,
        language="en",
    )
    db.session.add(user)
    db.session.flush()
    user.totp_plain = secret
    return user


# --- news --------------------------------------------------------------------------


def make_news(region_code="KZ-71", status="published", published_at=None, **fields):
    from portal.news.models import News

    n = next(_seq)
    news = News(
        slug=fields.pop("slug", f"news-{n}"),
        region_code=region_code,
        status=status,
        published_at=published_at or dt.datetime(2023, 8, 10, 6, 0, tzinfo=UTC),
        title_kk=fields.pop("title_kk", f"Жаңалық {n}"),
        title_ru=fields.pop("title_ru", f"Новость {n}"),
        title_en=fields.pop("title_en", f"News {n}"),
        **fields,
    )
    db.session.add(news)
    db.session.flush()
    return news


# --- fairs -------------------------------------------------------------------------


def make_fair(region_code="KZ-71", starts_at=None, hours=4, **fields):
    import sqlalchemy as sa

    from portal.campaigns.models import Campaign
    from portal.fairs.models import Fair

    n = next(_seq)
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.year == 2023))
    starts_at = starts_at or dt.datetime(2023, 8, 20, 4, 0, tzinfo=UTC)
    fair = Fair(
        campaign_id=campaign.id,
        region_code=region_code,
        kind=fields.pop("kind", "school"),
        starts_at=starts_at,
        ends_at=fields.pop("ends_at", starts_at + dt.timedelta(hours=hours)),
        title_kk=fields.pop("title_kk", f"Жәрмеңке {n}"),
        title_ru=fields.pop("title_ru", f"Ярмарка {n}"),
        title_en=fields.pop("title_en", f"Fair {n}"),
        venue=fields.pop("venue", "Central square"),
        address=fields.pop("address", "1 Main street"),
        **fields,
    )
    db.session.add(fair)
    db.session.flush()
    return fair


