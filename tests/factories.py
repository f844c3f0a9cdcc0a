"""Small factories for tests: records of one region (or national, with ``region_code=None``).

Each area adds its own ``make_<model>`` under a comment with the area's name.
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets

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
    starts_at = starts_at or dt.datetime(2023, 8, 20, 4, 0, tzinfo=UTC)
    # The campaign of the fair's year, like the staff form (2023 in the fixtures' reference data).
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.year == starts_at.year)) or db.session.scalar(
        sa.select(Campaign).where(Campaign.year == 2023))
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


# --- offers ------------------------------------------------------------------------


def make_offer(region_code="KZ-71", kinds=("backpacks",), **fields):
    """An offer for ``region_code`` (a list for several regions; ``None``: "wherever needed")."""
    from portal import clock
    from portal.offers.models import Offer, OfferKind, OfferRegion
    from portal.offers.services import next_reference

    from portal.campaigns.models import campaign_for

    codes = list(region_code) if isinstance(region_code, (list, tuple)) else ([region_code] if region_code else [])
    campaign = campaign_for(clock.today_in())
    year = campaign.year if campaign else clock.today_in().year
    number, reference = next_reference(year)
    offer = Offer(
        reference=reference,
        year=year,
        number=number,
        campaign_id=campaign.id if campaign else None,
        form_token=secrets.token_hex(32),  # what a form's one-time value leaves: a unique fingerprint
        donor_type=fields.pop("donor_type", "company"),
        org_name=fields.pop("org_name", f"Test Company {number}"),
        tax_id=fields.pop("tax_id", "230840001231"),
        contact_name=fields.pop("contact_name", "Aigerim Test"),
        phone=fields.pop("phone", "+77011234567"),
        email=fields.pop("email", f"sponsor{number}@example.kz"),
        quantity=fields.pop("quantity", 50),
        anywhere=not codes,
        consent_data_at=clock.now(),
        **fields,
    )
    offer.kinds = [OfferKind(kind=k) for k in kinds]
    offer.regions = [OfferRegion(region_code=c) for c in codes]
    db.session.add(offer)
    db.session.flush()
    return offer


def make_private_offer(region_code="KZ-71", **fields):
    """An offer with the sponsor's private link (portal/offers/track.py): ``.reference`` and ``.token`` name it."""
    from portal.offers.services import issue_private_token

    offer = make_offer(region_code, **fields)
    offer.token = issue_private_token(offer)
    db.session.flush()
    return offer


make_track = make_withdraw_consent = make_private_offer  # the views of the private page (tests/battery.py)


# --- appeals -----------------------------------------------------------------------


def make_staff_user(region_code="KZ-71", **fields):
    """A staff account for the access matrix: a coordinator of ``region_code``, an admin without one."""
    return make_staff(role="coordinator" if region_code else "admin", region_code=region_code, **fields)


def make_reply_template(region_code=None, **fields):
    """A reply template (national: ``region_code`` is ignored)."""
    import secrets

    from portal.queue.models import ReplyTemplate

    template = ReplyTemplate(key=fields.pop("key", "t-" + secrets.token_hex(4)), language=fields.pop("language", "kk"),
                             title=fields.pop("title", "Үлгі"), body=fields.pop("body", "Рақмет."), **fields)
    db.session.add(template)
    db.session.flush()
    return template


def make_appeal(region_code="KZ-71", **fields):
    """An anonymous appeal for ``region_code`` (``None``: the reporter gave no region; national admins only).

    Its receipt hash is a random marker, not a hash of a code: factories never need the pepper.
    """
    import secrets

    from portal.appeals.models import Appeal

    appeal = Appeal(
        receipt_hash=fields.pop("receipt_hash", "test-" + secrets.token_hex(16)),
        category=fields.pop("category", "forced_fees"),
        region_code=region_code,
        message=fields.pop("message", "The school asks every family for 15 000 tenge for curtains."),
        created_on=fields.pop("created_on", dt.date(2023, 8, 14)),
        **fields,
    )
    db.session.add(appeal)
    db.session.flush()
    return appeal


# --- reports -----------------------------------------------------------------------


def make_report_allocation(region_code="KZ-71", **fields):
    """One aid allocation line of the 2023 campaign for ``region_code`` (allocations always have a region)."""
    import sqlalchemy as sa

    from portal.campaigns.models import Campaign
    from portal.reports.models import Allocation

    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.year == 2023))
    line = Allocation(
        campaign_id=campaign.id,
        region_code=region_code or "KZ-71",
        recipient_group=fields.pop("recipient_group", "low_income"),
        aid_kind=fields.pop("aid_kind", "backpack"),
        source=fields.pop("source", "sponsors"),
        children=fields.pop("children", 25),
        amount=fields.pop("amount", 200_000),
        items=fields.pop("items", 25),
        batch=fields.pop("batch", "test"),
        **fields,
    )
    db.session.add(line)
    db.session.flush()
    return line


make_allocation = make_report_allocation


def make_report(region_code=None, **fields):
    """A published national report (version 1) with one line; ``.slug``, ``.number``, ``.name`` name its URLs."""
    import types

    import sqlalchemy as sa

    from portal.campaigns.models import Campaign
    from portal.reports.publish import default_texts, publish

    make_report_allocation("KZ-71", children=40)
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.year == 2023))
    version = publish(campaign, texts=default_texts(campaign, False, 10))
    return types.SimpleNamespace(id=version.id, slug=version.report.slug, number=version.number, name="data.csv")


make_report_file = make_report


# --- prices ------------------------------------------------------------------------


def make_price_observation(region_code="KZ-71", **fields):
    """One observed price of 2023 for ``region_code`` (observations always have a region)."""
    from portal.prices.models import PriceObservation

    observed_on = fields.pop("observed_on", dt.date(2023, 8, 10))
    observation = PriceObservation(
        year=fields.pop("year", observed_on.year),
        region_code=region_code or "KZ-71",
        item=fields.pop("item", "uniform_set"),
        outlet=fields.pop("outlet", "market"),
        price=fields.pop("price", 18000),
        observed_on=observed_on,
        batch=fields.pop("batch", "test"),
        **fields,
    )
    db.session.add(observation)
    db.session.flush()
    return observation


# --- needs (outreach) ----------------------------------------------------------------


def make_need(region_code="KZ-71", **fields):
    """A published need of ``region_code`` for the 2023 campaign."""
    import sqlalchemy as sa

    from portal.campaigns.models import Campaign
    from portal.needs.models import Need

    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.year == 2023))
    need = Need(
        campaign_id=campaign.id,
        region_code=region_code,
        item=fields.pop("item", "backpacks"),
        size_band=fields.pop("size_band", ""),
        quantity_total=fields.pop("quantity_total", 100),
        quantity_needed=fields.pop("quantity_needed", 40),
        **fields,
    )
    db.session.add(need)
    db.session.flush()
    return need


# --- regions (the regional directory) ------------------------------------------------


def make_phone_line(region_code="KZ-71", **fields):
    from portal.regions.models import PhoneLine

    n = next(_seq)
    line = PhoneLine(
        region_code=region_code, kind=fields.pop("kind", "hotline"),
        number=fields.pop("number", "+7 7172 55 %02d %02d" % (n // 100 % 100, n % 100)),
        title_kk=fields.pop("title_kk", f"Жедел желі {n}"), title_ru=fields.pop("title_ru", f"Горячая линия {n}"),
        title_en=fields.pop("title_en", f"Hotline {n}"), **fields,
    )
    db.session.add(line)
    db.session.flush()
    return line


def make_reception(region_code="KZ-71", **fields):
    from portal.regions.models import Reception

    n = next(_seq)
    reception = Reception(
        region_code=region_code, settlement=fields.pop("settlement", "Astana"),
        address=fields.pop("address", f"{n} Main street"), hours_en=fields.pop("hours_en", "Mon–Fri 9–18"), **fields,
    )
    db.session.add(reception)
    db.session.flush()
    return reception


def make_headquarters(region_code="KZ-71", **fields):
    from portal.regions.models import Headquarters

    n = next(_seq)
    hq = Headquarters(
        region_code=region_code, name_kk=fields.pop("name_kk", f"Штаб {n}"), name_ru=fields.pop("name_ru", f"Штаб {n}"),
        name_en=fields.pop("name_en", f"Headquarters {n}"), phone=fields.pop("phone", "+7 7172 55 00 99"), **fields,
    )
    db.session.add(hq)
    db.session.flush()
    return hq


def make_region(region_code="KZ-71", **fields):
    """A region of the reference data (loaded for every test); ``.code`` names its page."""
    from portal.regions.models import Region

    return db.session.get(Region, region_code)


def make_region_plan(region_code="KZ-71", **fields):
    import sqlalchemy as sa

    from portal.campaigns.models import Campaign
    from portal.regions.models import RegionPlan

    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.year == fields.pop("year", 2023)))
    existing = db.session.scalar(
        sa.select(RegionPlan).where(RegionPlan.region_code == region_code, RegionPlan.campaign_id == campaign.id)
    )
    if existing is not None:
        return existing
    plan = RegionPlan(
        region_code=region_code, campaign_id=campaign.id,
        summary_kk=fields.pop("summary_kk", "Жоспар"), summary_ru=fields.pop("summary_ru", "План"),
        summary_en=fields.pop("summary_en", "Plan"), **fields,
    )
    db.session.add(plan)
    db.session.flush()
    return plan


def make_campaign(region_code=None, **fields):
    """A campaign year after every existing one (campaigns have no region: ``region_code`` is ignored)."""
    import sqlalchemy as sa

    from portal.campaigns.models import Campaign

    year = fields.pop("year", None) or (db.session.scalar(sa.select(sa.func.max(Campaign.year))) or 2023) + 1
    campaign = Campaign(year=year, starts_on=dt.date(year, 8, 1), ends_on=dt.date(year, 9, 30), **fields)
    db.session.add(campaign)
    db.session.flush()
    return campaign
