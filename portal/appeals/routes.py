"""The reporter's side: the appeal form, the receipt, keeping it, checking it, adding information.

How the receipt is shown once without a URL, a cookie or a cache holding it
---------------------------------------------------------------------------
Two usual designs were weighed:

* POST-redirect-GET with the receipt parked server-side under a one-time token
  kept in the session. The plain code (or something that decrypts to it) would
  sit in the database between the POST and the GET — in SQLite's WAL or in
  PostgreSQL's dead tuples for longer than that — and the token would ride in
  the session cookie, which anyone holding the device can read. A lost redirect
  on a bad rural connection also loses the receipt of an appeal that exists.
* Rendering the receipt in the POST response itself (``Cache-Control:
  no-store``). Nothing is parked anywhere; the question is what a reload or a
  double submit does.

We render in the POST response, and make the form's one-time nonce carry the
answer to that question. Each form gets a signed random nonce (a hidden field,
never a cookie; ``portal/submitonce.py``, which says what each form keeps of it). The code is derived from it: ``HMAC(pepper, nonce seed)`` →
20 digits + Damm check digit (``receipts.code_for_seed``). So:

* a double submit or a reload re-sends the same nonce, computes the same code,
  finds the appeal by its hash (unique) and shows *the same receipt* instead
  of creating a second appeal — and if the first response never arrived, the
  retry still gives the reporter a code that works;
* the re-display is allowed only until the reporter confirms they kept the
  code (typing its last five digits, ``confirm``) and only for
  ``APPEAL_RECEIPT_REDISPLAY_SECONDS`` after the form was loaded; after that a
  resubmission says "already sent" and shows no code, so someone picking up the
  device later cannot bring it back;
* the database holds only the Argon2id hash: neither the nonce nor the code is
  stored, and the nonce is useless without the pepper kept outside the database.

The confirm step ends in a redirect to a plain "done" page (PRG), which holds no
code. Checking an appeal is a POST too (a code never goes into a URL); its result
page carries the code in a hidden field only so the reporter can add information,
and that form has its own nonce so a resubmission adds nothing twice.

CSRF is checked by the forms themselves (Flask-WTF's form token) rather than by
the app-wide guard, so an expired session re-shows the form with the reporter's
text kept and a translated message (status 400) instead of an error page that loses it.
"""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for

from .. import submitonce
from ..extensions import csrf, db, limiter
from ..ratelimit import refund
from ..http import FormPage
from ..errors import handle_http_error
from ..forms import failed_status, inline_validation
from ..htmx import is_htmx
from ..site.routes import sitemap_exclude
from . import bp, receipts, services
from .forms import (
    MESSAGE_MAX, MESSAGE_MIN, MISMATCH_MESSAGE, NOT_FOUND_MESSAGE, AppealForm, CheckForm, ConfirmForm, FollowUpForm,
)


def submit_limit() -> str:
    return current_app.config["APPEAL_RATE_LIMIT"]


def check_limit() -> str:
    return current_app.config["APPEAL_CHECK_RATE_LIMIT"]


# Fields of the appeal form that validate inline (``field(..., validate=True)`` in the template).
INLINE_FIELDS = frozenset({"message", "callback_phone"})


def _inline_validation_request() -> bool:
    """Inline validation only re-runs the form's checks (no hashing, no writes): not counted.

    Only a known field name counts as inline validation; anything else is a submission
    and is rate-limited like one.
    """
    return is_htmx() and request.headers.get("X-Validate-Field") in INLINE_FIELDS


@bp.after_request
def no_store(response):
    """Nothing on the appeal path may stay in a browser or proxy cache."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@bp.context_processor
def appeal_globals():
    return {
        "appeal_exit_url": current_app.config["APPEAL_EXIT_URL"],
        "message_min": MESSAGE_MIN,
        "message_max": MESSAGE_MAX,
    }


def _blank_form() -> dict:
    form = AppealForm()
    form.preselect(request.args.get("category"))
    return {"form": form, "identifiers": [], "expired": False}


# The empty forms are rendered once and filled in per visitor with a CSRF token (and a fresh nonce).
PAGE = FormPage("appeals/new.html", areas=("regions",), params=("category",))
CHECK_PAGE = FormPage("appeals/check.html", areas=())


def _render_form(form, status=200, identifiers=None, expired=False, rate_limited=False):
    return (
        render_template(
            "appeals/new.html", form=form, identifiers=identifiers or [], expired=expired, rate_limited=rate_limited,
        ),
        status,
    )


@bp.after_request
def _refund_refused(response):
    """Only a report that was taken counts toward the limit: a refused form (422/400) costs no attempt.

    Counted when the request starts and given back here (``ratelimit.refund``), so simultaneous
    submissions from four workers cannot all pass the check before any is counted.
    """
    if request.endpoint == "appeals.new" and request.method == "POST" and 400 <= response.status_code != 429:
        refund()
    return response


@bp.errorhandler(429)
def too_many(error):
    """A refused submission keeps the report: the form again, filled in, saying to wait and send it again.

    The limiter keys and limits stay as they are; only what the 429 page shows changes.
    """
    if request.endpoint != "appeals.new" or request.method != "POST":
        return handle_http_error(error)
    return _render_form(AppealForm(), 429, rate_limited=True)


def _render_receipt(code, nonce, form=None, status=200, repeated=False):
    form = form or ConfirmForm(formdata=None)
    form.nonce.data = nonce
    return (
        render_template(
            "appeals/receipt.html", code_groups=receipts.groups(code) if code else None, form=form,
            confirm_digits=receipts.CONFIRM_DIGITS, repeated=repeated,
        ),
        status,
    )


def _render_sent():
    return render_template("appeals/sent.html"), 200


@bp.route("", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit(submit_limit, methods=["POST"], exempt_when=_inline_validation_request)
def new():
    """The appeal form; a valid POST answers with the receipt itself."""
    if request.method != "POST":
        return PAGE.render(_blank_form, nonce=lambda: submitonce.mint(services.APPEAL))
    form = AppealForm()
    if _inline_validation_request():
        return inline_validation(form)
    if not form.validate():
        return _render_form(form, failed_status(form))
    try:
        seed = submitonce.seed(form.nonce.data, services.APPEAL, current_app.config["APPEAL_FORM_MAX_AGE"])
    except submitonce.Refused:
        form.nonce.data = submitonce.mint(services.APPEAL)
        return _render_form(form, 422, expired=True)
    identifiers = services.find_identifiers(form.message.data, form.settlement.data)
    if identifiers and not form.send_anyway.data:
        return _render_form(form, 422, identifiers=identifiers)

    code = receipts.code_for_seed(seed)
    digest = receipts.receipt_hash(code, receipts.installation_salt())
    appeal, created = services.submit_appeal(form.appeal_fields(), digest)
    if created:
        return _render_receipt(code, form.nonce.data)
    if appeal.receipt_confirmed or not _may_show_again(form.nonce.data):
        return _render_sent()
    return _render_receipt(code, form.nonce.data, repeated=True)


def _may_show_again(nonce: str) -> bool:
    try:
        submitonce.seed(nonce, services.APPEAL, current_app.config["APPEAL_RECEIPT_REDISPLAY_SECONDS"])
    except submitonce.Refused:
        return False
    return True


@bp.post("/confirm")
@csrf.exempt
@limiter.shared_limit(check_limit, scope="appeal-check")
def confirm():
    """The reporter types back the end of the code; then the receipt is never shown again."""
    form = ConfirmForm()
    csrf_failed = _csrf_failed(form)
    try:
        seed = submitonce.seed(form.nonce.data, services.APPEAL, current_app.config["APPEAL_RECEIPT_REDISPLAY_SECONDS"])
    except submitonce.Refused:
        if csrf_failed:
            abort(400)
        return _render_sent()
    code = receipts.code_for_seed(seed)
    appeal = receipts.find_appeal(code)
    if appeal is None:
        if csrf_failed:
            abort(400)
        return _render_sent()
    if appeal.receipt_confirmed:
        # Shown once: whatever is replayed after the confirmation (valid token or not) gets no code.
        if csrf_failed:
            return _render_sent()[0], 400
        return redirect(url_for("appeals.done"))
    if csrf_failed:
        # A request that is not from this visitor's own receipt page (or whose session ended)
        # may confirm again, but never brings the code back: only the confirm form is shown.
        return _render_receipt(None, form.nonce.data, form, 400)
    if not form.validate():
        return _render_receipt(code, form.nonce.data, form, failed_status(form))
    if form.last_digits.data != receipts.confirm_digits(code):
        form.last_digits.errors.append(str(MISMATCH_MESSAGE))
        return _render_receipt(code, form.nonce.data, form, 422)
    appeal.receipt_confirmed = True
    db.session.commit()
    return redirect(url_for("appeals.done"))


# The language switcher of a page answering a POST-only URL goes to a page that answers GET (portal/i18n.py).
confirm.language_switch_endpoint = "appeals.check"


def _csrf_failed(form) -> bool:
    """Check only the form's CSRF token (its error shows as "the form has expired")."""
    field = getattr(form, "csrf_token", None)
    return field is not None and not field.validate(form)


@bp.get("/done")
@sitemap_exclude
def done():
    """After the reporter confirmed they kept the code: what happens next (no code on this page)."""
    return render_template("appeals/done.html")


@bp.route("/check", methods=["GET", "POST"])
@csrf.exempt
@sitemap_exclude
@limiter.shared_limit(check_limit, scope="appeal-check", methods=["POST"])
def check():
    """Enter the receipt code; see status and replies."""
    if request.method != "POST":
        return CHECK_PAGE.render(lambda: {"form": CheckForm()})
    form = CheckForm()
    if not form.validate():
        return render_template("appeals/check.html", form=form), failed_status(form)
    appeal = receipts.find_appeal(form.code.data)
    if appeal is None:
        return _not_found(form)
    follow_up = FollowUpForm(formdata=None)
    follow_up.code.data = form.code.data
    follow_up.nonce.data = submitonce.mint(services.FOLLOW_UP)
    return _render_result(appeal, follow_up)


def _not_found(form):
    """One answer for every well-formed code that matches nothing, whatever the reason."""
    form.code.errors = [str(NOT_FOUND_MESSAGE)]
    return render_template("appeals/check.html", form=form), 422


def _render_result(appeal, follow_up, status=200, added=False, identifiers=None, expired=False):
    return (
        render_template(
            "appeals/result.html", appeal=appeal, form=follow_up, added=added,
            identifiers=identifiers or [], expired=expired,
        ),
        status,
    )


@bp.post("/check/add")
@csrf.exempt
@limiter.shared_limit(check_limit, scope="appeal-check")
def add_information():
    """Add information to an appeal; the same form sent twice adds it once."""
    form = FollowUpForm()
    code = receipts.normalise(form.code.data)
    if _csrf_failed(form):
        # Nothing is looked up (or hashed) for a request without a valid token.
        check_form = CheckForm(formdata=None)
        check_form.csrf_token.errors = list(form.csrf_token.errors)
        return render_template("appeals/check.html", form=check_form), failed_status(check_form)
    if not (receipts.is_well_formed(code) and receipts.has_valid_check_digit(code)):
        return _not_found(CheckForm(formdata=None))
    appeal = receipts.find_appeal(code)
    if appeal is None:
        return _not_found(CheckForm(formdata=None))
    form.code.data = code
    if appeal.status == "closed":
        return _render_result(appeal, form, 422)
    if not form.validate():
        return _render_result(appeal, form, 422)
    try:
        seed = submitonce.seed(form.nonce.data, services.FOLLOW_UP, current_app.config["APPEAL_FORM_MAX_AGE"])
    except submitonce.Refused:
        form.nonce.data = submitonce.mint(services.FOLLOW_UP)
        return _render_result(appeal, form, 422, expired=True)
    identifiers = services.find_identifiers(form.message.data)
    if identifiers and not form.send_anyway.data:
        return _render_result(appeal, form, 422, identifiers=identifiers)
    services.add_follow_up(appeal, form.message.data, seed)
    fresh = FollowUpForm(formdata=None)
    fresh.code.data = code
    fresh.nonce.data = submitonce.mint(services.FOLLOW_UP)
    return _render_result(appeal, fresh, added=True)


add_information.language_switch_endpoint = "appeals.check"
