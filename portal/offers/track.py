"""The sponsor's private page: ``/<lang>/offer/<reference>/<token>`` from the confirmation e-mail.

No account: the link is the key. The token is 256 random bits; only its SHA-256 is stored
(``Offer.access_token_hash``). A wrong token, an unknown reference and a reference alone all get
the same 404, and the page shows one offer only: its status, its deliveries (what, how many,
value, when, where as a district, settlement or school), a thank-you once delivered, and a button
withdrawing the consent to be named on the sponsor wall (immediate, audited).

Never cached, never indexed, never in the access log (``gunicorn.conf.py``); ``Referrer-Policy:
same-origin`` keeps the token from other sites.
"""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _

from .. import clock
from ..audit import record, snapshot
from ..extensions import db, limiter
from ..regions.models import regions_ordered
from ..site.routes import sitemap_exclude
from . import bp
from .forms import ConsentForm
from .models import KINDS, PROGRESS, STATUSES
from .services import offer_for_sponsor

TRACK_LIMIT = "30 per minute;300 per hour"
PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}


def _private(body: str, status: int = 200):
    response = make_response(body, status)
    response.headers.update(PRIVATE_HEADERS)
    return response


def _offer_or_404(reference: str, token: str):
    offer = offer_for_sponsor(reference, token)
    if offer is None:
        abort(404)
    return offer


@bp.get("/<reference>/<token>")
@sitemap_exclude
@limiter.limit(TRACK_LIMIT)
def track(reference: str, token: str):
    """Status, deliveries and thanks of one offer, for whoever holds its private link."""
    offer = _offer_or_404(reference, token)
    labels = {r.code: r.label for r in regions_ordered()}
    return _private(
        render_template(
            "offers/track.html", offer=offer, token=token, kinds=KINDS, regions=labels,
            progress_label=PROGRESS.get(offer.progress) or STATUSES.get(offer.status, offer.status),
            consent_form=ConsentForm(formdata=None),
        )
    )


@bp.post("/<reference>/<token>/consent")
@sitemap_exclude
@limiter.limit(TRACK_LIMIT)
def withdraw_consent(reference: str, token: str):
    """The sponsor withdraws consent to be named: off the wall at once (the wall's cache follows the commit)."""
    offer = _offer_or_404(reference, token)
    form = ConsentForm()
    if not form.validate_on_submit():
        flash(_("Please use the button on the page."))
        return redirect(url_for(".track", reference=reference, token=token), code=303)
    if offer.consent_public or offer.wall_approved:
        before = snapshot(offer)
        offer.consent_public = False
        offer.wall_approved = False
        offer.public_name = ""
        offer.consent_withdrawn_at = clock.now()
        record("consent_withdraw", offer, before=before, region_code=offer.primary_region, actor="sponsor")
        db.session.commit()
    flash(_("Your name is no longer shown on the sponsor list. Thank you for your help."))
    return redirect(url_for(".track", reference=reference, token=token), code=303)
