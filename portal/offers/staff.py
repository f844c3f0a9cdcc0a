"""Back office for offers: triage list, detail, status changes, sponsor-wall approval, CSV export,
and the work queue's actions on an offer (assign, forward, bulk), built from ``portal/queue/staff.py``.

Who sees what (``portal/staff/access.py`` via ``Offer.staff_scope``/``staff_regions``):
a coordinator sees offers naming their region, admins see all. Offers "wherever
needed" are seen by national admins only: no region owns them until the national
level passes them on, and the privacy page promises contact data only to staff
of the chosen regions and national administrators.
"""

from __future__ import annotations


import sqlalchemy as sa
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import selectinload

from .. import clock
from ..audit import record, snapshot
from ..audit.models import AuditEntry
from ..database import reads_first, write_transaction
from ..extensions import db
from ..htmx import render
from ..i18n import to_local
from ..queue import services as queue
from ..queue import staff as queue_pages
from ..regions.models import regions_ordered
from ..staff.access import access_rule, can_edit, can_view, scoped
from ..spreadsheet import csv_bytes
from ..staff.listing import PER_PAGE, page_number
from .deliveries import OPEN_FOR_DELIVERY, add_delivery
from .forms import DeliveryForm, NewLinkForm, OfferFilterForm, StatusForm, WallForm
from .mail import can_email, private_url, send_new_link, send_thanks
from .models import DONOR_TYPES, KINDS, LOCALITIES, PROGRESS, STATUSES, Offer
from .services import filtered_offers, renew_private_link
from .track import PRIVATE_HEADERS

staff_bp = Blueprint("offers_staff", __name__, url_prefix="/staff/offers")

ANYWHERE = _l("Wherever needed (national)")
EXPORT_LIMIT = 20_000
TZ = "Asia/Almaty"


def _filter_form() -> OfferFilterForm:
    form = OfferFilterForm(formdata=request.args)
    all_ = ("", _l("All"))
    form.status.choices = [all_] + list(STATUSES.items())
    regions = [(r.code, r.label) for r in regions_ordered()]
    if current_user.is_admin:
        regions = [("anywhere", ANYWHERE)] + regions
    else:
        regions = [r for r in regions if r[0] == current_user.region_code]
    form.region.choices = [all_] + regions
    form.kind.choices = [all_] + list(KINDS.items())
    form.donor.choices = [all_] + list(DONOR_TYPES.items())
    form.validate()
    return form


def _region_labels() -> dict[str, str]:
    return {r.code: r.label for r in regions_ordered()}


def need_title(need) -> str:
    """How staff recognise a published need: item, size band, region (as on the needs list)."""
    title = need.item_label + (", " + need.size_band if need.size_band else "")
    return "%s — %s" % (title, need.region.label)


def need_url(need, external: bool = False) -> str | None:
    """The staff page of the need, when this staff member may see it (portal/staff/access.py)."""
    if need is None or not can_view(need):
        return None
    return url_for("needs_staff.edit_need", need_id=need.id, _external=external)


@staff_bp.get("/")
@access_rule()
def list_offers():
    """Offers of the staff member's region(s): overdue first, then by due day; filtered, paginated."""
    form = _filter_form()
    queue_form = queue_pages.queue_filter_form()
    stmt = queue_form.apply(scoped(filtered_offers(**form.cleaned()), Offer), Offer)
    pagination = db.paginate(stmt, page=page_number(), per_page=PER_PAGE, error_out=False)
    return render(
        "staff/offers/list.html", "staff/offers/_results.html",
        form=form, pagination=pagination, statuses=STATUSES, kinds=KINDS, donor_types=DONOR_TYPES,
        regions=_region_labels(), tz=TZ, queue_form=queue_form, bulk=_bulk_form(), **queue_pages.list_context(),
    )


# --- CSV ------------------------------------------------------------------------------------

def _flag(value):
    """A yes/no cell in the reader's language (text cells are made inert by ``csv_bytes``)."""
    return (_("yes") if value else _("no")) if isinstance(value, bool) else value


def _csv_rows(offers, regions):
    yield [
        _("Reference"), _("Received"), _("Status"), _("Who offers"), _("Organisation"), _("BIN or IIN"),
        _("Contact person"), _("Phone"), _("Email"), _("Kinds of help"), _("Quantity"), _("Value, tenge"),
        _("Regions"), _("Description"), _("Discount, %"), _("Shop name"), _("Shop address"),
        _("Lower prices from"), _("Lower prices until"), _("Consent to the wall"), _("On the wall"), _("Note"),
        _("Need answered"), _("Need page"),
    ]
    for o in offers:
        received = to_local(o.created_at, TZ)
        yield [_flag(v) for v in (
            o.reference, received.strftime("%Y-%m-%d %H:%M"), str(STATUSES.get(o.status, o.status)),
            str(DONOR_TYPES.get(o.donor_type, o.donor_type)), o.org_name, o.tax_id, o.contact_name,
            o.phone_display, o.email, ", ".join(str(KINDS.get(k, k)) for k in o.kind_codes), o.quantity,
            o.value_tenge,
            str(ANYWHERE) if o.anywhere else ", ".join(regions.get(c, c) for c in o.region_codes),
            o.description, o.discount_percent, o.shop_name, o.shop_address,
            o.discount_starts_on.isoformat() if o.discount_starts_on else "",
            o.discount_ends_on.isoformat() if o.discount_ends_on else "",
            o.consent_public, o.wall_approved, o.status_note,
            need_title(o.need) if o.need else "", need_url(o.need, external=True) or "",
        )]


@staff_bp.post("/export.csv")
@access_rule()
@reads_first
def export_offers():
    """The filtered list as CSV (UTF-8 with BOM for Excel); a POST so the export of personal data is audited.

    Built in a read transaction; only the audit entry takes SQLite's write lock (``write_transaction``),
    so exports never queue other staff's writes behind them.
    """
    form = _filter_form()
    filters = form.cleaned()
    stmt = scoped(filtered_offers(**filters), Offer).options(selectinload(Offer.need)).limit(EXPORT_LIMIT)
    offers = db.session.scalars(stmt).all()
    body = csv_bytes(_csv_rows(offers, _region_labels()))
    region_code = current_user.region_code
    with write_transaction():
        record(
            "export", object_type="offer", object_id="", region_code=region_code,
            changes={"filters": {k: str(v) for k, v in filters.items() if v}, "rows": len(offers)},
        )
    name = "offers-%s.csv" % clock.today_in().isoformat()
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="%s"' % name, "Cache-Control": "no-store"},
    )


# --- one offer ---------------------------------------------------------------------------------


def _history(offer: Offer) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.object_type == "offer", AuditEntry.object_id == str(offer.id))
            .order_by(AuditEntry.at, AuditEntry.id)
        )
    )


def delivery_regions(offer: Offer) -> list[tuple[str, str]]:
    """Where a delivery of this offer may go: its regions (any region for "wherever needed"), and of
    those only the ones this staff member edits (portal/staff/access.py)."""
    regions = [(r.code, r.label) for r in regions_ordered()]
    if offer.region_codes:
        regions = [r for r in regions if r[0] in offer.region_codes]
    if not current_user.is_admin:
        regions = [r for r in regions if r[0] == current_user.region_code]
    return regions


def _delivery_form(offer: Offer, formdata=None) -> DeliveryForm:
    form = DeliveryForm(offer=offer, region_choices=delivery_regions(offer), formdata=formdata)
    if formdata is None:
        form.delivered_on.data = clock.today_in()
        if len(form.region_code.choices) == 1:
            form.region_code.data = form.region_code.choices[0][0]
    return form


def _detail(offer: Offer, status_form=None, wall_error=None, status=200, delivery_form=None, assign_form=None,
            forward_form=None):
    """The offer's page; a form that failed comes back with its errors (status 422)."""
    editable = can_edit(offer)
    response = render_template(
        "staff/offers/detail.html",
        offer=offer,
        editable=editable,
        delivery_form=delivery_form or (_delivery_form(offer) if editable else None),
        can_deliver=editable and offer.status in OPEN_FOR_DELIVERY,
        progress=PROGRESS, localities=LOCALITIES,
        status_form=status_form or StatusForm(offer=offer, formdata=None),
        wall_form=WallForm(formdata=None),
        wall_error=wall_error,
        history=_history(offer),
        need_title=need_title(offer.need) if offer.need else None,
        need_url=need_url(offer.need),
        statuses=STATUSES, kinds=KINDS, donor_types=DONOR_TYPES, regions=_region_labels(), tz=TZ,
        queue_state=queue.item_state(offer), queue_states=queue.STATES,
        days_open=queue.days_open(queue.arrival_day(offer)), nobody=queue_pages.NOBODY,
        assign_form=assign_form or queue_pages.assign_form(offer),
        forward_form=forward_form or queue_pages.forward_form(offer),
    )
    return response, status, {"Cache-Control": "no-store"}


@staff_bp.get("/<int:offer_id>")
@access_rule(model=Offer)
def offer_detail(offer: Offer):
    """One offer with the sponsor's contact data, its history and the triage actions."""
    return _detail(offer)


@staff_bp.post("/<int:offer_id>/status")
@access_rule(model=Offer, write=True)
def change_status(offer: Offer):
    """Move an offer to its next status, with a note (required when declining)."""
    form = StatusForm(offer=offer)
    if not form.validate_on_submit():
        return _detail(offer, status_form=form, status=422)
    before = snapshot(offer)
    offer.status = form.status.data
    offer.status_note = form.note.data or ""
    if offer.status == "declined":
        offer.wall_approved = False
    record("status", offer, before=before, region_code=offer.primary_region, note=form.note.data or None)
    db.session.commit()
    flash(_("The offer %(reference)s is now “%(status)s”.", reference=offer.reference, status=STATUSES[offer.status]))
    _thank(offer)
    return redirect(url_for(".offer_detail", offer_id=offer.id), code=303)


def _thank(offer: Offer) -> None:
    """Once delivered: the thank-you e-mail in the sponsor's language (when mail is set up and they gave one)."""
    if offer.status == "delivered" and send_thanks(offer):
        flash(_("The sponsor has been sent a thank-you by e-mail."))


@staff_bp.post("/<int:offer_id>/deliveries")
@access_rule(model=Offer, write=True)
def add_offer_delivery(offer: Offer):
    """Record what part of the offer reached which district, settlement or school (audited)."""
    if offer.status not in OPEN_FOR_DELIVERY:
        return _detail(offer, wall_error=_("Deliveries are recorded once the sponsor has been contacted, and until the offer is closed."), status=422)
    form = _delivery_form(offer, formdata=request.form)
    if not form.validate_on_submit():
        return _detail(offer, delivery_form=form, status=422)
    add_delivery(offer, form.delivery_data(), complete=bool(form.complete.data))
    db.session.commit()
    flash(_("The delivery has been recorded."))
    _thank(offer)
    return redirect(url_for(".offer_detail", offer_id=offer.id) + "#deliveries-title", code=303)


@staff_bp.post("/<int:offer_id>/wall")
@access_rule(model=Offer, write=True)
def set_wall(offer: Offer):
    """Show the sponsor on the public wall (only with their consent) or take them off it."""
    form = WallForm()
    if not form.validate_on_submit() or form.show.data not in ("1", "0"):
        return _detail(offer, wall_error=_("Please use the buttons on the page."), status=422)
    show = form.show.data == "1"
    if show and not offer.consent_public:
        return _detail(offer, wall_error=_("The sponsor did not agree to be named: they cannot go on the wall."), status=422)
    if show and offer.status == "declined":
        return _detail(offer, wall_error=_("A declined offer cannot go on the wall."), status=422)
    before = snapshot(offer)
    offer.wall_approved = show
    record("wall_approve" if show else "wall_withdraw", offer, before=before, region_code=offer.primary_region)
    db.session.commit()
    flash(_("The sponsor is shown on the wall.") if show else _("The sponsor is no longer shown on the wall."))
    return redirect(url_for(".offer_detail", offer_id=offer.id), code=303)


# --- the sponsor's private link (portal/offers/track.py) ---------------------------------------------


@staff_bp.post("/<int:offer_id>/private-link")
@access_rule(model=Offer, write=True)
def new_private_link(offer: Offer):
    """A new private link for the sponsor (the old one stops working): e-mailed, else shown once to pass on.

    Shown in the answer to the POST itself, not after a redirect: the token is stored nowhere (not even in
    the session cookie, which is signed, not encrypted), so no later page could show it again.
    """
    if not NewLinkForm().validate_on_submit():
        return _detail(offer, wall_error=_("Please use the buttons on the page."), status=422)
    by_mail = can_email(offer)
    renew_private_link(offer, sent_to="email" if by_mail else "staff")
    db.session.commit()
    if by_mail and send_new_link(offer):
        flash(_("A new private link has been sent to the sponsor's e-mail; the old link no longer works."))
        return redirect(url_for(".offer_detail", offer_id=offer.id), code=303)
    if by_mail:  # the mail server failed after the link was made: staff pass it on instead
        record("private_link", offer, changes={"sent_to": "staff"}, region_code=offer.primary_region)
        db.session.commit()
    page = render_template("staff/offers/private_link.html", offer=offer, private_url=private_url(offer),
                           mail_failed=by_mail)
    return page, 200, PRIVATE_HEADERS


# --- the work queue: assign, forward, bulk actions (portal/queue/) -----------------------------------


OFFER_PAGE = queue_pages.ItemPage(
    render=lambda offer, status, **forms: _detail(offer, status=status, **forms),
    url=lambda offer: url_for("offers_staff.offer_detail", offer_id=offer.id),
    list_url=lambda: url_for("offers_staff.list_offers"),
    cannot_work=_l("This person cannot work on this offer."),
    assigned=_l("The offer is assigned to %(name)s."),
    unassigned=_l("The offer is back in the team's common queue."),
    forwarded_message=lambda offer, where: _("The offer %(reference)s has been forwarded to %(where)s.",
                                     reference=offer.reference, where=where),
)


@staff_bp.post("/<int:offer_id>/assign")
@access_rule(model=Offer, write=True)
def assign_offer(offer: Offer):
    """Give the offer to a named staff member of its region or the national team, or back to the team."""
    return queue_pages.assign(offer, OFFER_PAGE)


@staff_bp.post("/<int:offer_id>/forward")
@access_rule(model=Offer, write=True)
def forward_offer(offer: Offer):
    """Send the offer to one region's team, or to the national level ("wherever needed")."""
    return queue_pages.forward(offer, OFFER_PAGE)


def _bulk_form(formdata=None):
    """The list's bulk bar: statuses staff may set by hand (not "new"; "delivered" comes with a delivery)."""
    statuses = {k: v for k, v in STATUSES.items() if k not in ("new", "delivered")}
    return queue_pages.bulk_form(statuses, formdata)


def _export_selection(offers) -> Response:
    """The ticked offers as CSV, without the sponsors' contact data (a full export is the list's own button)."""
    regions = _region_labels()
    body = csv_bytes(([
        o.reference, queue.arrival_day(o).isoformat(), o.due_on.isoformat(),
        str(queue.STATES[queue.item_state(o)]), str(STATUSES.get(o.status, o.status)),
        ", ".join(regions.get(c, c) for c in o.region_codes) or str(ANYWHERE),
        o.assignee.label if o.assignee else "",
    ] for o in sorted(offers, key=lambda o: (o.due_on, o.id))),
        [_("Reference"), _("Received"), _("Due"), _("Queue"), _("Status"), _("Regions"), _("Assigned to")])
    record("export", object_type="offer", object_id="", region_code=current_user.region_code,
           changes={"rows": len(offers), "selection": True})
    db.session.commit()
    name = "offers-selection-%s.csv" % queue.today().isoformat()
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="%s"' % name, "Cache-Control": "no-store"})


@staff_bp.post("/bulk")
@access_rule()
def bulk_offers():
    """One action on the ticked offers: a status (by the offer's transitions), decline as duplicate or spam,
    assign, or export."""
    return queue_pages.run_bulk(Offer, _bulk_form(request.form), "offers_staff.list_offers", _export_selection)
