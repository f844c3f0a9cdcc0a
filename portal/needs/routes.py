"""The public needs board: what each region still needs, progress, and a way for sponsors to answer."""

from __future__ import annotations

from flask import render_template, request

from ..campaigns.models import current_campaign
from ..i18n import to_local
from ..regions.models import regions_ordered
from . import bp
from .progress import progress_of
from .response import response_figures
from .services import board, last_update


@bp.get("/")
def index():
    """Needs per region with progress bars (and text values), the last update, and "offer this" links."""
    campaign = current_campaign()
    regions = regions_ordered()
    codes = {r.code for r in regions}
    region = request.args.get("region") or None
    if region not in codes:
        region = None
    needs = board(campaign.id, region) if campaign else []
    progress = progress_of(needs)
    grouped: dict[str, list] = {}
    for need in sorted(needs, key=lambda n: progress[n.id].covered):  # stable: open needs first in each region
        grouped.setdefault(need.region_code, []).append(need)
    grouped = {code: grouped[code] for code in dict.fromkeys(n.region_code for n in needs)}
    return render_template(
        "needs/index.html", campaign=campaign, regions=regions, region=region, grouped=grouped, progress=progress,
        by_code={r.code: r for r in regions}, updated_on=_local_day(last_update(needs)),
    )


def _local_day(value):
    """The calendar day in Kazakhstan of a UTC time (the board says when it last changed, not the minute)."""
    return to_local(value, "Asia/Almaty").date() if value else None


@bp.get("/response")
def response():
    """Per region: appeals received, median days to the first reply, share answered; offers and share processed."""
    campaign = current_campaign()
    data = response_figures(campaign) if campaign else None
    regions = {r.code: r for r in regions_ordered()}
    return render_template("needs/response.html", campaign=campaign, data=data, regions=regions)
