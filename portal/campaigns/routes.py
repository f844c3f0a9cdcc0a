"""Public pages of campaign years: the archive of every year, and each year at a stable URL."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, render_template

from ..http import cacheable
from ..extensions import db
from ..site.routes import sitemap_provider
from .figures import series, year_figures, year_reports
from .models import STATES, campaign_of_year, campaigns_ordered, current_campaign

bp = Blueprint("campaigns", __name__, url_prefix="/<lang:lang>/campaigns")

# Fairs and news listed on a year's page; the fair calendar and the news list have the rest.
YEAR_FAIRS = 30
YEAR_NEWS = 10
AREAS = ("campaigns", "reports", "fairs", "news", "appeals", "offers", "regions")


@bp.get("/")
@cacheable(*AREAS)
def index():
    """Every campaign year, newest first, and the figures that recur, year over year."""
    campaigns = campaigns_ordered(newest_first=True)
    return render_template(
        "campaigns/index.html", campaigns=campaigns, current=current_campaign(), states=STATES,
        series=series(list(reversed(campaigns))),
    )


@bp.get("/<int:year>")
@cacheable(*AREAS)
def year(year: int):
    """One campaign year: dates, slogan and message, figures, reports, fairs and news."""
    from ..fairs.models import Fair
    from ..news.models import News, published_news

    campaign = campaign_of_year(year) if 1990 <= year <= 2200 else None
    if campaign is None:
        abort(404)
    fairs_query = sa.select(Fair).where(Fair.campaign_id == campaign.id)
    fairs = db.session.scalars(fairs_query.order_by(Fair.starts_at, Fair.id).limit(YEAR_FAIRS)).all()
    fair_count = db.session.scalar(sa.select(sa.func.count()).select_from(fairs_query.subquery()))
    news = db.session.scalars(
        published_news().where(sa.extract("year", News.published_at) == campaign.year).limit(YEAR_NEWS)
    ).all()
    campaigns = campaigns_ordered()
    return render_template(
        "campaigns/year.html", campaign=campaign, states=STATES, figures=year_figures(campaign),
        reports=year_reports(campaign), fairs=fairs, fair_count=fair_count, news=news,
        series=series(campaigns), current=current_campaign(),
        previous=next((c for c in reversed(campaigns) if c.year < campaign.year), None),
        following=next((c for c in campaigns if c.year > campaign.year), None),
    )



@sitemap_provider
def campaigns_sitemap():
    """Each campaign year's page."""
    for campaign in campaigns_ordered():
        yield "campaigns.year", {"year": campaign.year}, None
