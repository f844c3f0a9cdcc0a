"""Opening, editing and closing a campaign year: the same rules for the back office and ``flask campaign``."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _

from .. import clock
from ..audit import record, snapshot
from ..extensions import db
from .models import LANGS, Campaign, campaign_of_year

TEXT_FIELDS = tuple(f"{name}_{lang}" for name in ("slogan", "message") for lang in LANGS)
# The years a campaign may be opened for: the portal's first year to a few years ahead.
FIRST_YEAR = 2023
YEARS_AHEAD = 5


class CampaignError(ValueError):
    """A refusal with a message for the person who asked (translated in a request)."""


def check_dates(year: int, starts_on: dt.date, ends_on: dt.date, campaign: Campaign | None = None) -> None:
    """Dates inside the campaign's year, in order, and not overlapping another campaign."""
    if not FIRST_YEAR <= year <= clock.today_in().year + YEARS_AHEAD:
        raise CampaignError(_("Choose a year from %(first)d to %(last)d.", first=FIRST_YEAR,
                              last=clock.today_in().year + YEARS_AHEAD))
    if starts_on.year != year or ends_on.year != year:
        raise CampaignError(_("The campaign's dates must fall in the year %(year)d.", year=year))
    if ends_on < starts_on:
        raise CampaignError(_("The last day cannot come before the first day."))
    overlap = db.session.scalar(
        sa.select(Campaign.year).where(
            Campaign.starts_on <= ends_on, Campaign.ends_on >= starts_on,
            Campaign.id != (campaign.id if campaign is not None else -1),
        )
    )
    if overlap is not None:
        raise CampaignError(_("These dates overlap the %(year)d campaign.", year=overlap))


def open_campaign(year: int, starts_on: dt.date, ends_on: dt.date, texts: dict | None = None, *,
                  copy_needs: bool = False, copy_plans: bool = False, actor=None, is_demo: bool = False) -> Campaign:
    """Add a campaign year (audited), optionally with the previous year's open needs and regional plans.

    Phones, receptions and headquarters are not tied to a year: they carry over as they are. The caller commits.
    """
    if campaign_of_year(year) is not None:
        raise CampaignError(_("The %(year)d campaign is already open.", year=year))
    check_dates(year, starts_on, ends_on)
    texts = texts or {}
    campaign = Campaign(year=year, starts_on=starts_on, ends_on=ends_on, is_demo=is_demo,
                        **{name: (texts.get(name) or "").strip() for name in TEXT_FIELDS})
    previous = _previous(campaign)
    for lang in LANGS:  # a slogan left empty keeps last year's, language by language
        if previous is not None and not getattr(campaign, f"slogan_{lang}"):
            setattr(campaign, f"slogan_{lang}", getattr(previous, f"slogan_{lang}"))
    db.session.add(campaign)
    record("open", campaign, actor=actor)
    if copy_needs:
        copied = copy_open_needs(campaign, actor=actor)
        record("copy_needs", object_type="campaign", object_id=campaign.id, actor=actor,
               changes={"needs": [None, copied]})
    if copy_plans:
        copied = copy_region_plans(campaign)
        record("copy_plans", object_type="campaign", object_id=campaign.id, actor=actor,
               changes={"plans": [None, copied]})
    return campaign


def update_campaign(campaign: Campaign, starts_on: dt.date, ends_on: dt.date, texts: dict, *, actor=None) -> Campaign:
    check_dates(campaign.year, starts_on, ends_on, campaign)
    before = snapshot(campaign)
    campaign.starts_on, campaign.ends_on = starts_on, ends_on
    for name in TEXT_FIELDS:
        setattr(campaign, name, (texts.get(name) or "").strip())
    record("update", campaign, before=before, actor=actor)
    return campaign


def close_campaign(campaign: Campaign, *, actor=None) -> None:
    before = snapshot(campaign)
    campaign.closed_at = clock.now()
    record("close", campaign, before=before, actor=actor)


def reopen_campaign(campaign: Campaign, *, actor=None) -> None:
    before = snapshot(campaign)
    campaign.closed_at = None
    record("reopen", campaign, before=before, actor=actor)


def _previous(campaign: Campaign) -> Campaign | None:
    return db.session.scalar(
        sa.select(Campaign).where(Campaign.year < campaign.year).order_by(Campaign.year.desc()).limit(1)
    )


def copy_open_needs(campaign: Campaign, actor=None) -> int:
    """Copy the previous campaign's needs that are still open into ``campaign`` (a region's board starts filled)."""
    from ..needs.models import Need

    db.session.flush()
    previous = _previous(campaign)
    if previous is None:
        return 0
    copied = 0
    for need in db.session.scalars(
        sa.select(Need).where(Need.campaign_id == previous.id, Need.covered.is_(False), Need.quantity_needed > 0)
    ):
        db.session.add(Need(
            campaign_id=campaign.id, region_code=need.region_code, item=need.item, size_band=need.size_band,
            quantity_total=need.quantity_needed, quantity_needed=need.quantity_needed, covered=False,
            is_demo=need.is_demo,
        ))
        copied += 1
    return copied


def copy_region_plans(campaign: Campaign) -> int:
    """Start each region's plan of events from the previous year's summary, as a draft to approve again."""
    from ..regions.models import RegionPlan

    db.session.flush()
    previous = _previous(campaign)
    if previous is None:
        return 0
    copied = 0
    for plan in db.session.scalars(sa.select(RegionPlan).where(RegionPlan.campaign_id == previous.id)):
        db.session.add(RegionPlan(
            region_code=plan.region_code, campaign_id=campaign.id, approved_on=None, is_demo=plan.is_demo,
            summary_kk=plan.summary_kk, summary_ru=plan.summary_ru, summary_en=plan.summary_en,
        ))
        copied += 1
    return copied
