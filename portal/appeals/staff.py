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
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional, ValidationError

from ..audit import record, snapshot
from ..extensions import db
from ..htmx import render
from ..regions.models import regions_ordered
from ..staff.access import access_rule, can_edit, get_for_staff, scoped
from ..staff.listing import PER_PAGE, page_number, sort_order
from .forms import MESSAGE_MAX, CONTROL_MESSAGE
from .models import CATEGORIES, STATUSES, Appeal, AppealMessage, today
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


class StatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=list(STATUSES.items()), validate_choice=False)
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


@staff_bp.get("/")
@access_rule()
def list_appeals():
    """The inbox: appeals this staff member may handle, filterable by status, subject, region and age."""
    form = AppealFilterForm(formdata=request.args)
    all_label = str(_l("All"))
    form.status.choices = [("", all_label)] + [(k, str(v)) for k, v in STATUSES.items()]
    form.category.choices = [("", all_label)] + [(k, str(v)) for k, v in CATEGORIES.items()]
    regions = [(r.code, r.label) for r in regions_ordered() if current_user.is_admin or r.code == current_user.region_code]
    form.region.choices = [("", all_label)] + (
        [(NO_REGION_FILTER, _("Without a region"))] if current_user.is_admin else []) + regions
    form.age.choices = [("", all_label)] + [(k, str(v)) for k, v in AGES.items()]

    stmt = scoped(sa.select(Appeal), Appeal)
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
    sort_key, descending, order = sort_order(
        {"date": Appeal.created_on, "status": Appeal.status, "category": Appeal.category}, "-date"
    )
    pagination = db.paginate(
        stmt.order_by(order, Appeal.id.desc()), page=page_number(), per_page=PER_PAGE, error_out=False
    )
    return render(
        "staff/appeals/list.html", "staff/appeals/_results.html", form=form, pagination=pagination,
        sort_key=sort_key, descending=descending,
    )


def _render_detail(appeal, status=200, reply=None, note=None, status_form=None, identifiers=None):
    reply = reply or ReplyForm(formdata=None)
    note = note or NoteForm(formdata=None)
    status_form = status_form or StatusForm(formdata=None, status=appeal.status)
    return (
        render_template(
            "staff/appeals/detail.html", appeal=appeal, reply=reply, note=note, status_form=status_form,
            identifiers=identifiers or [], editable=can_edit(appeal), statuses=STATUSES,
        ),
        status,
    )


@staff_bp.get("/<int:appeal_id>")
@access_rule(model=Appeal, write=False)
def view_appeal(appeal_id: int):
    """One appeal with its whole thread, internal notes included."""
    appeal = get_for_staff(Appeal, appeal_id)
    return _render_detail(appeal)


@staff_bp.post("/<int:appeal_id>/reply")
@access_rule(model=Appeal, write=True)
def reply(appeal_id: int):
    """Reply to the reporter (they read it with their receipt); warns about identifiers first."""
    appeal = get_for_staff(Appeal, appeal_id, write=True)
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
def add_note(appeal_id: int):
    """An internal note: staff only, never shown to the reporter."""
    appeal = get_for_staff(Appeal, appeal_id, write=True)
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
def change_status(appeal_id: int):
    """Move the appeal along new → in progress → answered → closed (or back)."""
    appeal = get_for_staff(Appeal, appeal_id, write=True)
    form = StatusForm()
    if not form.validate_on_submit():
        return _render_detail(appeal, 422, status_form=form)
    if form.status.data != appeal.status:
        before = snapshot(appeal)
        appeal.status = form.status.data
        record("appeal_status", appeal, changes=_changes(before, appeal))
        db.session.commit()
        flash(_("The status is now “%(status)s”.", status=appeal.status_label))
    return redirect(url_for("appeals_staff.view_appeal", appeal_id=appeal.id))


def _changes(before: dict, appeal: Appeal) -> dict:
    """What changed on the appeal, limited to handling fields (the reporter's text never enters the log)."""
    after = snapshot(appeal)
    return {
        key: [before.get(key), after.get(key)]
        for key in ("status", "reporter_updated")
        if before.get(key) != after.get(key)
    }

