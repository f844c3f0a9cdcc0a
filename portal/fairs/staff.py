"""Back office for fairs and events: list, create, edit, cancel. Coordinators manage their region's fairs."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import Optional

from ..audit import record, snapshot
from ..campaigns.models import campaign_for_event
from ..extensions import db
from ..htmx import render
from ..i18n import from_local
from ..regions.models import Region, regions_ordered
from ..staff.access import access_rule, can_create_for, can_edit, region_choices, scoped
from ..staff.listing import PER_PAGE, page_number, sort_order
from .forms import FairForm
from .models import CALENDAR_FIELDS, KINDS, STATUSES, Fair

staff_bp = Blueprint("fairs_staff", __name__, url_prefix="/staff/fairs")

FORM_FIELDS = (
    "kind", "status", "settlement", "is_remote", "venue", "address", "organiser",
    "title_kk", "title_ru", "title_en", "description_kk", "description_ru", "description_en",
    "offer_kk", "offer_ru", "offer_en",
)


class FairFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()])
    kind = SelectField(_l("Kind"), validators=[Optional()])
    region = SelectField(_l("Region"), validators=[Optional()])


@staff_bp.get("/")
@access_rule()
def list_fairs():
    """Fairs this staff member may see, filterable, sortable, paginated."""
    form = FairFilterForm(formdata=request.args)
    form.status.choices = [("", _l("All"))] + list(STATUSES.items())
    form.kind.choices = [("", _l("All"))] + list(KINDS.items())
    form.region.choices = [("", _l("All"))] + [(r.code, r.label) for r in regions_ordered()]
    stmt = scoped(sa.select(Fair), Fair)
    if form.status.data in STATUSES:
        stmt = stmt.where(Fair.status == form.status.data)
    if form.kind.data in KINDS:
        stmt = stmt.where(Fair.kind == form.kind.data)
    if form.region.data:
        stmt = stmt.where(Fair.region_code == form.region.data)
    sort_key, descending, order = sort_order(
        {"starts": Fair.starts_at, "region": Fair.region_code, "status": Fair.status, "updated": Fair.updated_at},
        "-starts",
    )
    pagination = db.paginate(stmt.order_by(order, Fair.id.desc()), page=page_number(), per_page=PER_PAGE,
                             error_out=False)
    return render("staff/fairs/list.html", "staff/fairs/_results.html", form=form, pagination=pagination,
                  sort_key=sort_key, descending=descending, kinds=KINDS, statuses=STATUSES, can_edit=can_edit)


def _form(fair: Fair | None = None) -> FairForm:
    # A submission is judged on what was sent alone: a missing field must not fall back to the stored value.
    submitted = request.method == "POST"
    form = FairForm(obj=None if submitted else fair, region_choices=region_choices())
    if fair is not None and not form.is_submitted():
        form.starts_at.data = fair.local_start.replace(tzinfo=None)
        form.ends_at.data = fair.local_end.replace(tzinfo=None)
    elif fair is None and not form.is_submitted():
        form.region_code.data = current_user.region_code
    return form


def _apply(form: FairForm, fair: Fair) -> str | None:
    """Copy the form into the fair; returns an error message when no campaign covers the dates."""
    region = db.session.get(Region, form.region_code.data)
    starts_at = from_local(form.starts_at.data, region.tz)
    campaign = campaign_for_event(form.starts_at.data.date())
    if campaign is None:
        return _("There is no campaign for %(year)s yet: an administrator opens it under Campaign years.",
                 year=form.starts_at.data.year)
    fair.campaign_id = campaign.id
    fair.region_code = region.code
    fair.starts_at = starts_at
    fair.ends_at = from_local(form.ends_at.data, region.tz)
    for name in FORM_FIELDS:
        setattr(fair, name, getattr(form, name).data if getattr(form, name).data is not None else "")
    return None


def _bump_sequence(fair: Fair, before: dict) -> None:
    """Calendar clients update an event only when its SEQUENCE grows."""
    from ..audit import diff, snapshot as snap

    if any(key in CALENDAR_FIELDS for key in diff(before, snap(fair))):
        fair.sequence = (fair.sequence or 0) + 1


@staff_bp.route("/new", methods=["GET", "POST"])
@access_rule()
def new_fair():
    """Create a fair or event."""
    form = _form()
    if form.validate_on_submit():
        if not can_create_for(form.region_code.data):
            abort(403)
        fair = Fair(created_by_id=current_user.id)
        error = _apply(form, fair)
        if error:
            form.starts_at.errors.append(error)
        else:
            db.session.add(fair)
            record("create", fair)
            db.session.commit()
            flash(_("The fair has been saved."))
            return redirect(url_for("fairs_staff.edit_fair", fair_id=fair.id))
    status = 422 if form.errors else 200
    return render_template("staff/fairs/form.html", form=form, fair=None, editable=True), status


@staff_bp.route("/<int:fair_id>/edit", methods=["GET", "POST"])
@access_rule(model=Fair, write=False)
def edit_fair(fair: Fair):
    """Read a fair; edit it when it belongs to one's region."""
    editable = can_edit(fair)
    form = _form(fair)
    if form.validate_on_submit():
        if not can_create_for(form.region_code.data):
            abort(403)
        before = snapshot(fair)
        error = _apply(form, fair)
        if error:
            form.starts_at.errors.append(error)
        else:
            _bump_sequence(fair, before)
            record("update", fair, before=before)
            db.session.commit()
            flash(_("The fair has been saved."))
            return redirect(url_for("fairs_staff.edit_fair", fair_id=fair.id))
    status = 422 if form.errors else 200
    return render_template("staff/fairs/form.html", form=form, fair=fair, editable=editable), status
