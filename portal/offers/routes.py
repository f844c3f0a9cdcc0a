"""The offer form and its confirmation page."""

from __future__ import annotations

from flask import current_app, g, make_response, redirect, render_template, request, session, url_for

from ..extensions import csrf, limiter
from ..http import FormPage
from ..forms import failed_status, focus, inline_validation, is_inline_validation
from ..regions.models import regions_ordered
from ..site.routes import sitemap_exclude
from . import bp
from .forms import OfferForm, new_form_token
from .models import KINDS
from .mail import send_confirmation
from .services import create_offer, offer_by_reference, offer_for_sponsor
from ..needs.progress import progress
from ..needs.services import prefill_offer


def submit_limit() -> str:
    """Submissions per client (``OFFER_RATE_LIMIT`` overrides, e.g. behind a NAT of a whole office)."""
    return current_app.config["OFFER_RATE_LIMIT"]


def validate_limit() -> str:
    return current_app.config["OFFER_VALIDATE_RATE_LIMIT"]


def _is_inline_validation() -> bool:
    """Exempt from the submission limit only what ``inline_validation`` answers without saving."""
    return is_inline_validation(OfferForm)


def _no_store(body: str, status: int = 200):
    """Pages with a form token or a reference number: never cached, never in the back/forward cache."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _form() -> OfferForm:
    return OfferForm(region_choices=[(r.code, r.label) for r in regions_ordered()])


def _blank_form() -> dict:
    form = _form()
    need = prefill_offer(form, request.args.get("need"))
    if need is not None:  # what is still needed once other sponsors' pledges are counted (portal/needs/progress.py)
        form.quantity.data = progress(need).still_needed or None
    return {"form": form}


# The empty form (also prefilled from a need on the board) is rendered once and filled in per visitor.
PAGE = FormPage("offers/new.html", areas=("regions", "needs", "campaigns"), params=("need",))


# CSRF is checked by the form itself, so a missing or stale token re-renders the
# filled-in form with a message (still a 400) instead of a bare error page that loses it all.
@bp.route("", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit(submit_limit, methods=["POST"], exempt_when=_is_inline_validation)
@limiter.limit(validate_limit, methods=["POST"])
def new():
    """The offer form; a valid submission is saved once and redirects to the confirmation."""
    if request.method != "POST":
        return _no_store(PAGE.render(_blank_form, form_token=new_form_token))
    form = _form()
    checked = inline_validation(form)
    if checked is not None:
        return checked
    change = request.form.get("change")
    if change in form._fields:
        # "Change" on the check-answers page: the form again, filled in, that question focused; nothing saved.
        focus(form[change])
        return _no_store(render_template("offers/new.html", form=form))
    if form.validate_on_submit():
        if request.form.get("check"):
            # GOV.UK's check-answers step: what is about to be sent, with Change buttons; "Send" saves it.
            return _no_store(render_template("offers/check.html", form=form))
        offer, created = create_offer(form.offer_data(), form.submission, g.lang)
        session["offer_reference"] = offer.reference
        session["offer_repeated"] = not created  # said once on the confirmation (templates/macros/submitonce.html)
        if created:
            session["offer_private"] = offer.private_token
            session["offer_emailed"] = send_confirmation(offer)
        return redirect(url_for(".received"), code=303)
    if form.website.errors:
        form.website.data = ""
    return _no_store(render_template("offers/new.html", form=form), failed_status(form))


def _private_token(offer):
    """The private link's token kept for the confirmation page, when it is this offer's."""
    token = session.get("offer_private")
    return token if token and offer_for_sponsor(offer.reference, token) is offer else None


@bp.get("/received")
@sitemap_exclude
def received():
    """Confirmation: the reference number and what happens next (only for whoever sent the offer)."""
    reference = session.get("offer_reference")
    offer = offer_by_reference(reference) if reference else None
    if offer is None:
        return redirect(url_for(".new"))
    labels = {r.code: r.label for r in regions_ordered()}
    return _no_store(
        render_template(
            "offers/received.html",
            offer=offer,
            kinds=KINDS,
            regions=[labels.get(code, code) for code in offer.region_codes],
            email_sent=session.get("offer_emailed", False),
            private_token=_private_token(offer),
            repeated=session.pop("offer_repeated", False),
        )
    )
