"""Browsing the audit log (admins only; nothing here can change it)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Optional

from ..extensions import db
from ..htmx import render
from ..staff.access import access_rule
from ..staff.listing import PER_PAGE, page_number, sort_order
from .models import AuditEntry

bp = Blueprint("audit", __name__, url_prefix="/staff/audit")


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    actor = StringField(_l("Who (email)"), validators=[Optional()])
    object_type = SelectField(_l("Kind of record"), validators=[Optional()])
    region = SelectField(_l("Region"), validators=[Optional()])


@bp.get("/")
@access_rule(admin_only=True)
def list_entries():
    """The audit log, newest first, filterable and paginated."""
    from ..regions.models import regions_ordered

    form = AuditFilterForm(formdata=_args())
    types = db.session.scalars(sa.select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type))
    form.object_type.choices = [("", _l("All"))] + [(t, t) for t in types]
    form.region.choices = [("", _l("All"))] + [(r.code, r.label) for r in regions_ordered()]
    stmt = sa.select(AuditEntry)
    if form.actor.data:
        stmt = stmt.where(AuditEntry.actor.contains(form.actor.data.strip().lower()))
    if form.object_type.data:
        stmt = stmt.where(AuditEntry.object_type == form.object_type.data)
    if form.region.data:
        stmt = stmt.where(AuditEntry.region_code == form.region.data)
    sort_key, descending, order = sort_order({"at": AuditEntry.at, "actor": AuditEntry.actor}, "-at")
    pagination = db.paginate(stmt.order_by(order, AuditEntry.id.desc()), page=page_number(), per_page=PER_PAGE,
                             error_out=False)
    return render("staff/audit/list.html", "staff/audit/_results.html", form=form, pagination=pagination,
                  sort_key=sort_key, descending=descending)


def _args():
    from flask import request

    return request.args
