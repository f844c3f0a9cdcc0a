"""The queue's parts of the back-office pages, and the queue's own routes (dashboard CSV, digest opt-out).

The pages of appeals and offers (``portal/appeals/staff.py``, ``portal/offers/staff.py``) own their
routes, assign and forward and bulk actions included, and build them from the parts here: the filter
form both lists share, the bulk bar and its POST, the assign and forward forms. Dependencies run one
way: those pages import this module, never the reverse. Reply templates are in ``replies.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from urllib.parse import parse_qsl

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from ..audit import record
from ..extensions import db
from ..offers.models import Offer
from ..spreadsheet import csv_bytes
from ..staff.access import access_rule, can_view, region_of
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


# --- the parts of an item's page and list ----------------------------------------------------------


def bulk_form(statuses: dict, formdata=None) -> BulkForm:
    """The bulk bar of a list: move the ticked items to one of ``statuses``, close, assign or export them."""
    form = BulkForm(formdata=formdata) if formdata is not None else BulkForm(formdata=None)
    form.action.choices = (
        [("", _("Choose an action"))]
        + [("status:" + k, _("Status: %(status)s", status=v)) for k, v in statuses.items()]
        + [("close:duplicate", _("Close as a duplicate")), ("close:spam", _("Close as spam")),
           ("assign", _("Assign")), ("export", _("Export as CSV"))]
    )
    form.assignee.choices = services.assignee_choices(services.assignable_staff(), none_label=NOBODY)
    return form


def list_context() -> dict:
    """What a list shows of the queue beside its own columns (its filter form is built by the view)."""
    return {"today": services.today(), "item_state": services.item_state, "days_open": services.days_open,
            "states": services.STATES}


def assign_form(item, formdata=None) -> AssignForm:
    """Who may be given an appeal or offer: active admins and the coordinators of its region(s)."""
    form = AssignForm(formdata=formdata) if formdata is not None else AssignForm(
        formdata=None, assignee=str(item.assignee_id or ""))
    form.assignee.choices = services.assignee_choices(services.assignable_staff(region_of(item)), none_label=NOBODY)
    return form


@dataclass(frozen=True)
class ItemPage:
    """How the assign and forward POSTs of one kind of item go back to its page, and what they say."""

    render: Callable  # (item, status, **forms): the item's page showing a form's errors
    url: Callable  # item -> the address of its page
    list_url: Callable  # () -> the list, when the item has left the staff member's sight
    cannot_work: str  # lazy texts, in the item's own words ("this offer", "this appeal")
    assigned: str  # with %(name)s
    unassigned: str
    forwarded_message: Callable  # (item, where) -> what staff read after forwarding


def assign(item, page: ItemPage):
    """Give the item to a named staff member of its region(s) or the national team, or back to the team."""
    form = assign_form(item, request.form)
    if not form.validate_on_submit():
        return page.render(item, 422, assign_form=form)
    staff = db.session.get(StaffUser, int(form.assignee.data)) if form.assignee.data else None
    if staff is not None and not services.may_work(item, staff):
        form.assignee.errors.append(str(page.cannot_work))
        return page.render(item, 422, assign_form=form)
    if services.assign(item, staff):
        db.session.commit()
        flash(str(page.assigned) % {"name": staff.label} if staff else str(page.unassigned))
    return redirect(page.url(item), code=303)


def forward(item, page: ItemPage):
    """Send the item to one region's team, or to the national level ("wherever needed")."""
    form = forward_form(item, request.form)
    if not form.validate_on_submit():
        return page.render(item, 422, forward_form=form)
    services.forward(item, None if form.region.data == services.NATIONAL else form.region.data)
    db.session.commit()
    flash(page.forwarded_message(item, dict(form.region.choices)[form.region.data]))
    return redirect(page.url(item) if can_view(item) else page.list_url(), code=303)


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
    body = csv_bytes(dashboard.csv_rows(current_user, labels))
    name = "queue-%s.csv" % services.today().isoformat()
    return Response(body, mimetype="text/csv",
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
