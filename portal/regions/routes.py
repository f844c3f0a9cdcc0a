"""``/<lang>/regions/<code>``: one page per region with what a family or a sponsor there needs.

Phones and receptions, the campaign headquarters, the region's plan of events and its upcoming
fairs and events, news, open needs, shops that lowered prices, and the region's public figures.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, render_template

from .. import clock
from ..http import cacheable
from ..campaigns.models import current_campaign
from ..extensions import db
from ..site.routes import sitemap_provider
from .models import Headquarters, PhoneLine, Reception, Region, RegionPlan, national_lines, region_by_code

bp = Blueprint("regions", __name__, url_prefix="/<lang:lang>/regions")

UPCOMING = 8
NEWS = 5


def directory(region: Region) -> dict:
    """The region's own phone lines, receptions and headquarters, in the order staff gave them."""
    def of(model):
        return list(db.session.scalars(
            sa.select(model).where(model.region_code == region.code).order_by(model.position, model.id)
        ))

    return {"lines": of(PhoneLine), "receptions": of(Reception), "headquarters": of(Headquarters)}


def plan_of(region: Region, campaign) -> RegionPlan | None:
    if campaign is None:
        return None
    return db.session.scalar(
        sa.select(RegionPlan).where(RegionPlan.region_code == region.code, RegionPlan.campaign_id == campaign.id)
    )


@bp.get("/<code>")
# Everything it shows: the directory, fairs and events, news, needs, pledges (offers), figures (appeals, offers).
@cacheable("regions", "campaigns", "fairs", "news", "needs", "offers", "appeals")
def detail(code: str):
    """Everything about one region on one page; an unknown code is a 404."""
    from ..fairs.models import Fair
    from ..needs.response import response_figures
    from ..needs.services import board
    from ..news.filters import news_statement
    from ..offers.services import active_price_pledges

    region = region_by_code(code)
    if region is None:
        abort(404)
    campaign = current_campaign()
    fairs = []
    needs = []
    figures = None
    if campaign is not None:
        fairs = list(db.session.scalars(
            sa.select(Fair)
            .where(Fair.campaign_id == campaign.id, Fair.region_code == region.code, Fair.ends_at >= clock.now())
            .order_by(Fair.starts_at, Fair.id)
            .limit(UPCOMING)
        ))
        needs = [n for n in board(campaign.id, region.code) if not n.covered]
        data = response_figures(campaign)
        figures = {"row": data["rows"].get(region.code), "threshold": data["threshold"]}
    news = list(db.session.scalars(news_statement(region.code).limit(NEWS)))
    return render_template(
        "regions/detail.html", region=region, campaign=campaign, plan=plan_of(region, campaign),
        national=national_lines(), fairs=fairs, news=news, needs=needs,
        pledges=active_price_pledges(region.code), figures=figures, **directory(region),
    )


@bp.get("/")
@cacheable("regions")
def index():
    """The 20 regions, each linking to its page."""
    from .models import regions_ordered

    return render_template("regions/index.html", regions=regions_ordered())


@bp.app_template_global()
def receptions_by_region() -> dict[str, list[Reception]]:
    """Every region's public receptions in one query (the Help page lists them under each region)."""
    grouped: dict[str, list[Reception]] = {}
    stmt = sa.select(Reception).where(Reception.region_code.is_not(None)).order_by(
        Reception.region_code, Reception.position, Reception.id
    )
    for reception in db.session.scalars(stmt):
        grouped.setdefault(reception.region_code, []).append(reception)
    return grouped


@sitemap_provider
def region_sitemap():
    """One page per region."""
    for code in db.session.scalars(sa.select(Region.code).order_by(Region.code)):
        yield "regions.detail", {"code": code}, None
