"""Home page section: the next fairs in the visitor's region of choice (remembered in a cookie)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import after_this_request, current_app, request

from .. import clock
from ..extensions import db
from ..pages.home import home_section
from ..regions.models import regions_ordered
from .models import Fair

HOME_SIZE = 3


def region_cookie() -> tuple[str, bool]:
    """Name and ``Secure`` flag of the region cookie: ``__Host-region`` behind TLS, like the session cookie."""
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE"))
    return ("__Host-region" if secure else "region"), secure


def _vary_on_cookie(response):
    response.vary.add("Cookie")
    return response


@home_section("fairs")
def next_fairs(campaign):
    """The next fairs (in the chosen region, if any); nothing when the campaign has no upcoming fair at all."""
    if campaign is None:
        return None
    after_this_request(_vary_on_cookie)
    upcoming = (
        sa.select(Fair)
        .where(Fair.campaign_id == campaign.id, Fair.ends_at >= clock.now())
        .order_by(Fair.starts_at, Fair.id)
    )
    regions = regions_ordered()
    region = next((r for r in regions if r.code == request.cookies.get(region_cookie()[0])), None)
    if region is None:
        items = db.session.scalars(upcoming.limit(HOME_SIZE)).all()
        if not items:
            return None
    else:
        items = db.session.scalars(upcoming.where(Fair.region_code == region.code).limit(HOME_SIZE)).all()
        if not items and not db.session.scalar(sa.select(upcoming.exists())):
            return None
    return {"items": items, "region": region, "regions": regions}
