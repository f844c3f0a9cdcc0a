"""Back-office pages of the queue: the queue parts of the offer pages (assign, forward, bulk actions),
the filter form both lists share, and reply templates.

The appeal pages have the same actions in ``portal/appeals/staff.py``; both call ``services``.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qsl

from flask import Response, flash, g, redirect, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from ..audit import record
from ..extensions import db
from ..offers.models import STATUSES as OFFER_STATUSES, Offer
from ..staff.access import access_rule, can_view, get_for_staff, region_of
from ..staff.models import StaffUser
from . import bp, services
from .forms import AssignForm, BulkForm, ForwardForm, QueueFilterForm, forward_choices

NOBODY = _l("Nobody (the team's common queue)")


def queue_filter_form() -> QueueFilterForm:
    form = QueueFilterForm(formdata=request.args)
    all_label = str(_l("All"))
    form.state.choices = [("", all_label)] + [(k, str(v)) for k, v in services.STATES.items()]
    form.assignee.choices = [("", all_label), (services.ASSIGNEE_ME, str(_l("Me"))),
                             (services.ASSIGNEE_NONE, str(_l("Nobody")))] + services.assignee_choices(
        services.assignable_staff())
    return form


# --- offers ------------------------------------------------------------------------------------------


def _offer_bulk_form(formdata=None) -> BulkForm:
    form = BulkForm(formdata=formdata) if formdata is not None else BulkForm(formdata=None)
    form.action.choices = (
        [("", _("Choose an action"))]
        + [("status:" + k, _("Status: %(status)s", status=v)) for k, v in OFFER_STATUSES.items()
           if k not in ("new", "delivered")]
        + [("close:duplicate", _("Close as a duplicate")), ("close:spam", _("Close as spam")),
           ("assign", _("Assign")), ("export", _("Export as CSV"))]
    )
    form.assignee.choices = services.assignee_choices(services.assignable_staff(), none_label=NOBODY)
    return form


def offer_list_context() -> dict:
    """What the offer list needs from the queue (its filter form is built by the view)."""
    return {"bulk": _offer_bulk_form(), "today": services.today(), "item_state": services.item_state,
            "days_open": services.days_open, "states": services.STATES}


def assign_form(item, formdata=None) -> AssignForm:
    """Who may be given an appeal or offer: active admins and the coordinators of its region(s)."""
    form = AssignForm(formdata=formdata) if formdata is not None else AssignForm(
        formdata=None, assignee=str(item.assignee_id or ""))
    form.assignee.choices = services.assignee_choices(services.assignable_staff(region_of(item)), none_label=NOBODY)
    return form


def forward_form(item, formdata=None) -> ForwardForm:
    """Where an appeal or offer may go: the national level or any region except the one it is in."""
    form = ForwardForm(formdata=formdata) if formdata is not None else ForwardForm(formdata=None)
    if isinstance(item, Offer):
        codes = item.region_codes
        current = {None} if not codes else (set(codes) if len(codes) == 1 else set())
    else:
        current = {item.region_code}
    form.region.choices = forward_choices(current)
    return form


def offer_detail_context(offer) -> dict:
    """Due date, state, assignment and forwarding on the offer's page; a failed form comes back via ``g``."""
    failed = g.get("queue_forms", {})
    return {
        "queue_state": services.item_state(offer), "queue_states": services.STATES,
        "days_open": services.days_open(services.arrival_day(offer)),
        "assign_form": failed.get("assign") or assign_form(offer),
        "forward_form": failed.get("forward") or forward_form(offer),
        "nobody": NOBODY,
    }


def _offer_page(offer, status=200):
    from ..offers.staff import _detail

    return _detail(offer, status=status)


@bp.post("/offers/<int:offer_id>/assign")
@access_rule(model=Offer, write=True)
def assign_offer(offer_id: int):
    """Give the offer to a named staff member of its region or the national team, or back to the team."""
    offer = get_for_staff(Offer, offer_id, write=True)
    form = assign_form(offer, request.form)
    if form.validate_on_submit():
        staff = db.session.get(StaffUser, int(form.assignee.data)) if form.assignee.data else None
        if staff is None or services.may_work(offer, staff):
            if services.assign(offer, staff):
                db.session.commit()
                flash(_("The offer is assigned to %(name)s.", name=staff.label) if staff
                      else _("The offer is back in the team's common queue."))
            return redirect(url_for("offers_staff.offer_detail", offer_id=offer.id), code=303)
        form.assignee.errors.append(_("This person cannot work on this offer."))
    g.queue_forms = {"assign": form}
    return _offer_page(offer, 422)


@bp.post("/offers/<int:offer_id>/forward")
@access_rule(model=Offer, write=True)
def forward_offer(offer_id: int):
    """Send the offer to one region's team, or to the national level ("wherever needed")."""
    offer = get_for_staff(Offer, offer_id, write=True)
    form = forward_form(offer, request.form)
    if not form.validate_on_submit():
        g.queue_forms = {"forward": form}
        return _offer_page(offer, 422)
    services.forward(offer, None if form.region.data == services.NATIONAL else form.region.data)
    db.session.commit()
    flash(_("The offer %(reference)s has been forwarded to %(where)s.", reference=offer.reference,
            where=dict(form.region.choices)[form.region.data]))
    if not can_view(offer):
        return redirect(url_for("offers_staff.list_offers"), code=303)
    return redirect(url_for("offers_staff.offer_detail", offer_id=offer.id), code=303)


LIST_ARGS = {"state", "assignee", "status", "region", "kind", "donor", "date_from", "date_to", "category", "age",
             "sort", "page"}


def back_to(endpoint: str, back: str | None):
    """The list with the filters it was showing (known filter names only, so never an open redirect)."""
    args = {k: v for k, v in parse_qsl(back or "")[:20] if k in LIST_ARGS and len(v) < 40}
    return redirect(url_for(endpoint, **args), code=303)


def flash_errors(form) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "error")


def _export_offers(offers) -> Response:
    """The selection as CSV, without the sponsors' contact data (a full export is the list's own button)."""
    from ..offers.staff import _region_labels

    regions = _region_labels()
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_("Reference"), _("Received"), _("Due"), _("Queue"), _("Status"), _("Regions"),
                     _("Assigned to")])
    for o in sorted(offers, key=lambda o: (o.due_on, o.id)):
        writer.writerow([
            o.reference, services.arrival_day(o).isoformat(), o.due_on.isoformat(),
            str(services.STATES[services.item_state(o)]), str(OFFER_STATUSES.get(o.status, o.status)),
            ", ".join(regions.get(c, c) for c in o.region_codes) or str(_l("Wherever needed (national)")),
            o.assignee.label if o.assignee else "",
        ])
    record("export", object_type="offer", object_id="", region_code=current_user.region_code,
           changes={"rows": len(offers), "selection": True})
    db.session.commit()
    name = "offers-selection-%s.csv" % services.today().isoformat()
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="%s"' % name, "Cache-Control": "no-store"})


@bp.post("/offers/bulk")
@access_rule()
def bulk_offers():
    """One action on the ticked offers: a status (by the offer's transitions), decline as duplicate or spam,
    assign, or export."""
    return run_bulk(Offer, _offer_bulk_form(request.form), "offers_staff.list_offers", _export_offers)


def run_bulk(model, form: BulkForm, list_endpoint: str, export):
    """The bulk POST of either list: the selection is loaded in one query, then exported or changed."""
    back = request.form.get("back", "")
    if not form.validate_on_submit():
        flash_errors(form)
        return back_to(list_endpoint, back)
    items = services.load_selection(model, form.ids.data)
    if form.action.data == "export":
        return export(items)
    assignee = None
    if form.action.data == "assign" and form.assignee.data:
        assignee = db.session.get(StaffUser, int(form.assignee.data))
    result = services.bulk(items, form.action.data, assignee)
    db.session.commit()
    flash(_("Changed: %(changed)d. Left as they were: %(skipped)d.", changed=result.changed,
            skipped=len(form.ids.data) - result.changed))
    return back_to(list_endpoint, back)


# --- the dashboard's aggregate export ----------------------------------------------------------------


@bp.get("/dashboard.csv")
@access_rule(analyst=True)
def dashboard_csv():
    """The dashboard's table as CSV: counts per region, the share answered within the promise; no texts."""
    from . import dashboard

    labels = [_("Region code"), _("Region"), _("New appeals"), _("Overdue appeals"), _("Waiting for the reporter"),
              _("Offers not yet contacted"), _("Overdue offers"), _("Open needs"),
              _("Answered within three working days, %")]
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer, lineterminator="\r\n").writerows(dashboard.csv_rows(current_user, labels))
    name = "queue-%s.csv" % services.today().isoformat()
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="%s"' % name, "Cache-Control": "no-store"})


# --- the digest opt-out --------------------------------------------------------------------------------


@bp.post("/digest")
@access_rule()
def digest_setting():
    """Turn one's own daily digest e-mail off or on again."""
    from flask_wtf import FlaskForm

    if not FlaskForm().validate_on_submit():
        flash(_("Please use the buttons on the page."), "error")
        return redirect(url_for("staff.dashboard"), code=303)
    user = db.session.get(StaffUser, current_user.id)
    user.digest_opt_out = not user.digest_opt_out
    record("digest_setting", object_type="staff_user", object_id=user.id, region_code=user.region_code,
           changes={"digest_opt_out": [not user.digest_opt_out, user.digest_opt_out]})
    db.session.commit()
    flash(_("You will no longer get the daily summary.") if user.digest_opt_out
          else _("You will get the daily summary again."))
    return redirect(url_for("staff.dashboard"), code=303)
