"""Posters and leaflets: print-ready pages (``?size=a4`` poster, ``?size=a6`` leaflet) in the chosen language."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template, request, url_for
from flask_babel import gettext as _

from .. import clock
from ..campaigns.models import current_campaign
from ..extensions import db
from ..fairs.models import Fair
from ..regions.models import Region, national_lines
from ..site.routes import sitemap_exclude
from . import bp
from .qr import qr_svg

SIZES = ("a4", "a6")
FAIR_LINKS = 20


def upcoming_fairs(region: Region | None) -> list[Fair]:
    """The next scheduled fairs (of the region, if one is chosen), for links to their posters."""
    stmt = sa.select(Fair).where(Fair.status == "scheduled", Fair.ends_at >= clock.now())
    if region is not None:
        stmt = stmt.where(Fair.region_code == region.code)
    return list(db.session.scalars(stmt.order_by(Fair.starts_at, Fair.id).limit(FAIR_LINKS)))


def size_arg() -> str:
    size = request.args.get("size", "a4")
    return size if size in SIZES else "a4"


@bp.get("/campaign")
def campaign():
    """The campaign poster: slogan, dates, who is helped, what to bring, hotlines, QR code to the help page."""
    size = size_arg()
    region_code = request.args.get("region") or None
    region = db.session.get(Region, region_code) if region_code else None
    target = url_for("pages.help", _external=True)
    return render_template(
        "posters/campaign.html", size=size, campaign=current_campaign(), region=region, fairs=upcoming_fairs(region),
        national=national_lines(), qr=qr_svg(target, _("QR code: %(url)s", url=target)), target=target,
    )


@bp.get("/fair/<int:id>")
@sitemap_exclude
def fair(id):
    """A fair's poster, readable from two metres, or its leaflet: when, where, what to bring, whom to call."""
    size = size_arg()
    fair = db.get_or_404(Fair, id)
    target = url_for("fairs.detail", id=fair.id, _external=True)
    return render_template(
        "posters/fair.html", size=size, fair=fair, campaign=fair.campaign, national=national_lines(),
        qr=qr_svg(target, _("QR code: %(url)s", url=target)), target=target,
    )
