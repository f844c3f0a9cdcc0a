"""Back office of the needs board: regional staff publish and update their region's needs; every write is audited."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..audit import record, snapshot
from ..campaigns.models import current_campaign
from ..extensions import db
from ..staff.access import access_rule, can_create_for, can_edit, region_choices, scoped
from ..staff.listing import PER_PAGE, page_number
from .forms import NeedForm
from .models import Need

staff_bp = Blueprint("needs_staff", __name__, url_prefix="/staff/needs")

FIELDS = ("region_code", "item", "size_band", "quantity_total", "quantity_needed", "covered")


@staff_bp.get("/")
@access_rule()
def list_needs():
    """Needs of the current campaign this staff member may see, open ones first."""
    campaign = current_campaign()
    stmt = scoped(sa.select(Need), Need)
    if campaign is not None:
        stmt = stmt.where(Need.campaign_id == campaign.id)
    stmt = stmt.order_by(Need.covered, Need.region_code, Need.item, Need.id)
    pagination = db.paginate(stmt, page=page_number(), per_page=PER_PAGE, error_out=False)
    return render_template("staff/needs/list.html", pagination=pagination, can_edit=can_edit, campaign=campaign)


def _apply(form: NeedForm, need: Need) -> None:
    for name in FIELDS:
        setattr(need, name, form[name].data)
    need.size_band = need.size_band or ""
    if need.covered:
        need.quantity_needed = 0


@staff_bp.route("/new", methods=["GET", "POST"])
@access_rule()
def new_need():
    """Publish a need of one's region for the current campaign."""
    campaign = current_campaign()
    if campaign is None:
        abort(404)
    form = NeedForm(region_choices=region_choices())
    if not form.is_submitted():
        form.region_code.data = current_user.region_code
    if form.validate_on_submit():
        if not can_create_for(form.region_code.data):
            abort(403)
        need = Need(campaign_id=campaign.id)
        _apply(form, need)
        db.session.add(need)
        record("create", need)
        db.session.commit()
        flash(_("The need has been published."))
        return redirect(url_for("needs_staff.list_needs"))
    status = 422 if form.errors else 200
    return render_template("staff/needs/form.html", form=form, need=None, editable=True), status


@staff_bp.route("/<int:need_id>/edit", methods=["GET", "POST"])
@access_rule(model=Need, write=False)
def edit_need(need: Need):
    """Read a need; update what is still needed, or mark it covered, when it belongs to one's region."""
    editable = can_edit(need)
    # A submission is judged on what was sent alone: a missing field must not fall back to the stored value.
    form = NeedForm(obj=None if request.method == "POST" else need, region_choices=region_choices())
    if form.validate_on_submit():
        if not can_create_for(form.region_code.data):
            abort(403)
        before = snapshot(need)
        _apply(form, need)
        record("update", need, before=before)
        db.session.commit()
        flash(_("The need has been updated."))
        return redirect(url_for("needs_staff.list_needs"))
    status = 422 if form.errors else 200
    return render_template("staff/needs/form.html", form=form, need=need, editable=editable), status
