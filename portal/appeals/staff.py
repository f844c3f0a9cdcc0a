"""Back office for appeals: the inbox, one appeal, replies the reporter reads, internal notes, status.

Coordinators see and handle the appeals of their own region only; appeals
without a region go to national admins (``Appeal.staff_scope`` / ``staff_regions``).
Staff see the date an appeal or message arrived, never a time of day. Every
write is audited; the audit entry names the appeal and what changed, never the
reporter's text.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional, ValidationError

from ..audit import record, snapshot
from ..extensions import db
from ..htmx import render
from ..queue import services as queue
from ..queue import staff as queue_pages
from ..queue.staff import queue_filter_form
from ..regions.models import regions_ordered
from ..spreadsheet import csv_bytes
from ..staff.access import access_rule, can_edit, region_choices, scoped
from ..staff.listing import PER_PAGE, page_number, sort_order
from .forms import MESSAGE_MAX, CONTROL_MESSAGE
from .models import CATEGORIES, CHANNELS, CLOSE_REASONS, STATUSES, Appeal, AppealMessage, today
from ..text import has_refused_characters as has_control_characters, normalise as clean_text
from .services import find_identifiers

staff_bp = Blueprint("appeals_staff", __name__, url_prefix="/staff/appeals")

NO_REGION_FILTER = "none"
AGES = {
    "today": _l("Today"),
    "week": _l("Last 7 days"),
    "older": _l("Older than 7 days"),
    "month": _l("Older than 30 days"),
}


@staff_bp.after_request
def no_store(response):
    """Appeal pages of the back office stay out of every cache too."""
    response.headers["Cache-Control"] = "no-store"
    return response


class AppealFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()], validate_choice=False)
    category = SelectField(_l("Subject"), validators=[Optional()], validate_choice=False)
    region = SelectField(_l("Region"), validators=[Optional()], validate_choice=False)
    age = SelectField(_l("Received"), validators=[Optional()], validate_choice=False)


def _staff_text(field, required_message):
    text = clean_text(field.data)
    if not text:
        raise ValidationError(required_message)
    if has_control_characters(text):
        raise ValidationError(CONTROL_MESSAGE)
    if len(text) > MESSAGE_MAX:
        raise ValidationError(_l("Please keep this under %(count)d characters.", count=MESSAGE_MAX))
    field.data = text


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Reply to the reporter"), validators=[InputRequired(message=_l("Write the reply."))])
    send_anyway = SubmitField(_l("Send it anyway"))
    submit = SubmitField(_l("Send the reply"))

    def validate_body(self, field):
        _staff_text(field, _l("Write the reply."))


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Internal note"), validators=[InputRequired(message=_l("Write the note."))])
    submit = SubmitField(_l("Add the note"))

    def validate_note(self, field):
        _staff_text(field, _l("Write the note."))


class RecordForm(FlaskForm):
    """An appeal staff take down from a call or a visit: what it is about, never who called."""

    channel = SelectField(_l("How it arrived"), choices=[(k, v) for k, v in CHANNELS.items() if k != "web"],
                          validate_choice=False)
    category = SelectField(_l("Subject"), choices=list(CATEGORIES.items()), validate_choice=False)
    region = SelectField(_l("Region"), validate_choice=False)
    settlement = StringField(_l("Town, village or school"))
    message = TextAreaField(_l("What happened?"), validators=[InputRequired(message=_l("Please describe what happened."))])
    language = SelectField(_l("Language of the conversation"), choices=[("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")],
                           validate_choice=False)
    submit = SubmitField(_l("Record the appeal"))

    def validate_channel(self, field):
        if field.data not in CHANNELS or field.data == "web":
            raise ValidationError(_l("Choose from the list."))

    def validate_category(self, field):
        if field.data not in CATEGORIES:
            raise ValidationError(_l("Choose one of the listed subjects."))

    def validate_region(self, field):
        if field.data not in {code for code, _label in field.choices}:
            raise ValidationError(_l("Choose a region from the list."))

    def validate_settlement(self, field):
        text = clean_text(field.data)
        if has_control_characters(text):
            raise ValidationError(CONTROL_MESSAGE)
        if len(text) > 200:
            raise ValidationError(_l("Please keep this under %(count)d characters.", count=200))
        field.data = text

    def validate_message(self, field):
        _staff_text(field, _l("Please describe what happened."))

    def validate_language(self, field):
        if field.data not in ("kk", "ru", "en"):
            raise ValidationError(_l("Choose from the list."))


class StatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=list(STATUSES.items()), validate_choice=False)
    # Only for an appeal about a child not attending school, when closing it (campaign indicators, issue 16).
    back_to_school = BooleanField(_l("Closing: the child is back at school"))
    submit = SubmitField(_l("Change the status"))

    def validate_status(self, field):
        if field.data not in STATUSES:
            raise ValidationError(_l("Choose a status from the list."))


def _age_condition(age: str):
    now = today()
    if age == "today":
        return Appeal.created_on >= now
    if age == "week":
        return Appeal.created_on >= now - dt.timedelta(days=7)
    if age == "older":
        return Appeal.created_on < now - dt.timedelta(days=7)
    if age == "month":
        return Appeal.created_on < now - dt.timedelta(days=30)
    return None


def _filter_form():
    form = AppealFilterForm(formdata=request.args)
    all_label = str(_l("All"))
    form.status.choices = [("", all_label)] + [(k, str(v)) for k, v in STATUSES.items()]
    form.category.choices = [("", all_label)] + [(k, str(v)) for k, v in CATEGORIES.items()]
    regions = [(r.code, r.label) for r in regions_ordered() if current_user.is_admin or r.code == current_user.region_code]
    form.region.choices = [("", all_label)] + (
        [(NO_REGION_FILTER, _("Without a region"))] if current_user.is_admin else []) + regions
    form.age.choices = [("", all_label)] + [(k, str(v)) for k, v in AGES.items()]
    return form, regions


def _filtered(form, regions, queue_form):
    stmt = queue_form.apply(scoped(sa.select(Appeal), Appeal), Appeal, order=False)
    if form.status.data in STATUSES:
        stmt = stmt.where(Appeal.status == form.status.data)
    if form.category.data in CATEGORIES:
        stmt = stmt.where(Appeal.category == form.category.data)
    if form.region.data == NO_REGION_FILTER:
        stmt = stmt.where(Appeal.region_code.is_(None))
    elif form.region.data in {code for code, _label in regions}:
        stmt = stmt.where(Appeal.region_code == form.region.data)
    condition = _age_condition(form.age.data or "")
    if condition is not None:
        stmt = stmt.where(condition)
    return stmt


@staff_bp.get("/")
@access_rule()
def list_appeals():
    """The queue: overdue first, then by due day; filterable by state, status, subject, region, age, assignee."""
    form, regions = _filter_form()
    queue_form = queue_filter_form()
    stmt = _filtered(form, regions, queue_form)
    sort_key, descending, order = sort_order(
        {"due": Appeal.due_on, "date": Appeal.created_on, "status": Appeal.status, "category": Appeal.category}, "due"
    )
    ordering = queue.APPEALS.order() if sort_key == "due" and not descending else [order, Appeal.id.desc()]
    pagination = db.paginate(stmt.order_by(*ordering).options(selectinload(Appeal.region)), page=page_number(),
                             per_page=PER_PAGE, error_out=False)
    return render(
        "staff/appeals/list.html", "staff/appeals/_results.html", form=form, pagination=pagination,
        sort_key=sort_key, descending=descending, queue_form=queue_form, bulk=_bulk_form(),
        **queue_pages.list_context(),
    )


def _render_detail(appeal, status=200, reply=None, note=None, status_form=None, identifiers=None,
                   assign_form=None, forward_form=None):
    from ..queue.templates import template_choices

    reply = reply or ReplyForm(formdata=None)
    note = note or NoteForm(formdata=None)
    status_form = status_form or StatusForm(formdata=None, status=appeal.status)
    language = appeal.language or "kk"
    return (
        render_template(
            "staff/appeals/detail.html", appeal=appeal, reply=reply, note=note, status_form=status_form,
            identifiers=identifiers or [], editable=can_edit(appeal), statuses=STATUSES,
            assign_form=assign_form or queue_pages.assign_form(appeal),
            forward_form=forward_form or queue_pages.forward_form(appeal),
            state=queue.item_state(appeal), states=queue.STATES, days_open=queue.days_open(appeal.created_on),
            channels=CHANNELS, close_reasons=CLOSE_REASONS, reply_language=language,
            templates=template_choices(language),
        ),
        status,
    )


def _record_form(formdata=None):
    form = RecordForm(formdata=formdata) if formdata is not None else RecordForm(formdata=None)
    form.region.choices = region_choices(national_label=_l("Not given"))
    return form


@staff_bp.route("/new", methods=["GET", "POST"])
@access_rule()
def record_appeal():
    """Record an appeal received by telephone or at a public reception: no personal data of the caller.

    It gets a receipt code like any appeal (shown once here, to read out to the caller) and joins the
    same queue and the public response figures.
    """
    from . import receipts
    from .services import submit_appeal

    form = _record_form(request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate_on_submit():
        code = receipts.generate_code()
        appeal, _created = submit_appeal({
            "category": form.category.data, "region_code": form.region.data or None,
            "settlement": form.settlement.data or "", "message": form.message.data,
            "channel": form.channel.data, "language": form.language.data,
        }, receipts.receipt_hash(code, receipts.installation_salt()))
        record("appeal_recorded", object_type="appeal", object_id=appeal.id, region_code=appeal.region_code,
               changes={"channel": [None, appeal.channel]})
        db.session.commit()
        return render_template("staff/appeals/recorded.html", appeal=appeal, code=receipts.format_code(code))
    status = 422 if form.errors else 200
    return render_template("staff/appeals/record.html", form=form), status


@staff_bp.get("/<int:appeal_id>")
@access_rule(model=Appeal, write=False)
def view_appeal(appeal: Appeal):
    """One appeal with its whole thread, internal notes included."""
    reply = None
    chosen = request.args.get("template", "")
    if chosen and can_edit(appeal):
        from ..queue.templates import template_body

        body = template_body(chosen, appeal.language or "kk")
        if body is not None:
            reply = ReplyForm(formdata=None, body=body)
    return _render_detail(appeal, reply=reply)


@staff_bp.post("/<int:appeal_id>/reply")
@access_rule(model=Appeal, write=True)
def reply(appeal: Appeal):
    """Reply to the reporter (they read it with their receipt); warns about identifiers first."""
    form = ReplyForm()
    if not form.validate_on_submit():
        return _render_detail(appeal, 422, reply=form)
    identifiers = find_identifiers(form.body.data)
    if identifiers and not form.send_anyway.data:
        return _render_detail(appeal, 422, reply=form, identifiers=identifiers)
    before = snapshot(appeal)
    message = AppealMessage(kind="reply", body=form.body.data, staff_id=current_user.id)
    appeal.messages.append(message)
    appeal.reporter_updated = False
    if appeal.status in ("new", "in_progress"):
        appeal.status = "answered"
    db.session.flush()
    changes = _changes(before, appeal)
    changes["reply"] = [None, message.id]
    record("appeal_reply", appeal, changes=changes)
    db.session.commit()
    flash(_("Your reply has been sent. The reporter will see it when they check their report."))
    return redirect(url_for("appeals_staff.view_appeal", appeal_id=appeal.id))


@staff_bp.post("/<int:appeal_id>/note")
@access_rule(model=Appeal, write=True)
def add_note(appeal: Appeal):
    """An internal note: staff only, never shown to the reporter."""
    form = NoteForm()
    if not form.validate_on_submit():
        return _render_detail(appeal, 422, note=form)
    message = AppealMessage(kind="note", body=form.note.data, staff_id=current_user.id)
    appeal.messages.append(message)
    db.session.flush()
    record("appeal_note", appeal, changes={"note": [None, message.id]})
    db.session.commit()
    flash(_("The note has been added."))
    return redirect(url_for("appeals_staff.view_appeal", appeal_id=appeal.id))


@staff_bp.post("/<int:appeal_id>/status")
@access_rule(model=Appeal, write=True)
def change_status(appeal: Appeal):
    """Move the appeal along new → in progress → answered → closed (or back)."""
    form = StatusForm()
    if not form.validate_on_submit():
        return _render_detail(appeal, 422, status_form=form)
    back = bool(form.back_to_school.data) if appeal.category == "not_attending" and form.status.data == "closed" else None
    if form.status.data != appeal.status or (back is not None and back != appeal.back_to_school):
        before = snapshot(appeal)
        appeal.status = form.status.data
        if appeal.category == "not_attending":
            appeal.back_to_school = back
        record("appeal_status", appeal, changes=_changes(before, appeal))
        db.session.commit()
        flash(_("The status is now “%(status)s”.", status=appeal.status_label))
    return redirect(url_for("appeals_staff.view_appeal", appeal_id=appeal.id))


APPEAL_PAGE = queue_pages.ItemPage(
    render=lambda appeal, status, **forms: _render_detail(appeal, status, **forms),
    url=lambda appeal: url_for("appeals_staff.view_appeal", appeal_id=appeal.id),
    list_url=lambda: url_for("appeals_staff.list_appeals"),
    cannot_work=_l("This person cannot work on this appeal."),
    assigned=_l("The appeal is assigned to %(name)s."),
    unassigned=_l("The appeal is back in the team's common queue."),
    forwarded_message=lambda appeal, where: _("Appeal %(number)s has been forwarded to %(where)s.",
                                      number=appeal.id, where=where),
)


@staff_bp.post("/<int:appeal_id>/assign")
@access_rule(model=Appeal, write=True)
def assign(appeal: Appeal):
    """Give the appeal to a named staff member of its region or the national team, or back to the team."""
    return queue_pages.assign(appeal, APPEAL_PAGE)


@staff_bp.post("/<int:appeal_id>/forward")
@access_rule(model=Appeal, write=True)
def forward(appeal: Appeal):
    """Send the appeal to another region's team or to the national level."""
    return queue_pages.forward(appeal, APPEAL_PAGE)


# --- bulk actions ---------------------------------------------------------------------------------


def _bulk_form(formdata=None):
    return queue_pages.bulk_form(STATUSES, formdata)


def _export(appeals) -> Response:
    regions = {r.code: r.label for r in regions_ordered()}
    body = csv_bytes(([
        a.id, a.created_on.isoformat(), a.due_on.isoformat(), str(queue.STATES[queue.item_state(a)]),
        a.status_label, a.category_label, regions.get(a.region_code, "") if a.region_code else _("Not given"),
        a.assignee.label if a.assignee else "", str(CHANNELS.get(a.channel, a.channel)),
    ] for a in sorted(appeals, key=lambda a: (a.due_on, a.id))),
        [_("Number"), _("Received"), _("Due"), _("Queue"), _("Status"), _("Subject"), _("Region"), _("Assigned to"),
         _("How it arrived")])
    record("export", object_type="appeal", object_id="", region_code=current_user.region_code,
           changes={"rows": len(appeals)})
    db.session.commit()
    name = "appeals-%s.csv" % today().isoformat()
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="%s"' % name})


@staff_bp.post("/bulk")
@access_rule()
def bulk():
    """One action on the ticked appeals: a status, close as duplicate or spam, assign, or export (no texts)."""
    return queue_pages.run_bulk(Appeal, _bulk_form(request.form), "appeals_staff.list_appeals", _export)


def _changes(before: dict, appeal: Appeal) -> dict:
    """What changed on the appeal, limited to handling fields (the reporter's text never enters the log)."""
    after = snapshot(appeal)
    return {
        key: [before.get(key), after.get(key)]
        for key in ("status", "reporter_updated", "back_to_school")
        if before.get(key) != after.get(key)
    }

