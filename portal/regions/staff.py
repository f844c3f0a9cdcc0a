"""Back office of the regional directory: phone lines, public receptions, headquarters and regional plans.

A coordinator keeps their own region's records and reads the national ones; national records
(no region) are the admins'. Every create, change and removal is audited. The four kinds of
record share one set of views (list, add, edit, remove), registered once per kind below.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from ..audit import record, snapshot
from ..campaigns.models import Campaign, current_campaign
from ..extensions import db
from ..staff.access import access_rule, can_create_for, can_edit, region_choices, scoped
from .forms import HeadquartersForm, PhoneLineForm, ReceptionForm, RegionPlanForm
from .models import (
    LINE_KINDS, LINE_LANGUAGES, Headquarters, PhoneLine, Reception, Region, RegionPlan, region_by_code, regions_ordered,
    regions_without_numbers,
)

staff_bp = Blueprint("regions_staff", __name__, url_prefix="/staff/regions")

NATIONAL = "national"


class RemoveForm(FlaskForm):
    """The confirmation of a removal (its CSRF token)."""  # ?region= value of the national records


@dataclass(frozen=True)
class Kind:
    slug: str
    model: type
    form: type
    fields: tuple[str, ...]  # single-language fields, in form order
    lang_fields: tuple[str, ...]  # written in kk/ru/en
    heading: object
    add_label: object
    national: bool = True  # may a record have no region?


KINDS = {
    "lines": Kind("lines", PhoneLine, PhoneLineForm,
                  ("region_code", "kind", "number", "free_of_charge", "languages", "position"), ("title", "hours"),
                  _l("Phone lines"), _l("Add a phone line")),
    "receptions": Kind("receptions", Reception, ReceptionForm,
                       ("region_code", "settlement", "address", "phone", "position"), ("title", "hours"),
                       _l("Public receptions"), _l("Add a public reception")),
    "headquarters": Kind("headquarters", Headquarters, HeadquartersForm,
                         ("region_code", "head", "phone", "email", "address", "position"), ("name",),
                         _l("Campaign headquarters"), _l("Add a headquarters")),
    "plans": Kind("plans", RegionPlan, RegionPlanForm,
                  ("region_code", "campaign_id", "approved_on"), ("summary",),
                  _l("Regional plans of events"), _l("Add a regional plan"), national=False),
}


def _chosen_region() -> str | None:
    """The region the page is about: a coordinator's own; for an admin, ``?region=`` (``national``) or none."""
    if not current_user.is_admin:
        return current_user.region_code
    code = request.args.get("region", "")
    if code == NATIONAL:
        return NATIONAL
    return code if region_by_code(code) is not None else None


def _records(kind: Kind, region: str | None) -> list:
    model = kind.model
    stmt = scoped(sa.select(model), model)
    if region == NATIONAL:
        stmt = stmt.where(model.region_code.is_(None))
    elif region:
        stmt = stmt.where(sa.or_(model.region_code == region, model.region_code.is_(None)) if kind.national
                          else model.region_code == region)
    if model is RegionPlan:
        stmt = stmt.join(Campaign, Campaign.id == RegionPlan.campaign_id).order_by(Campaign.year.desc())
    else:
        stmt = stmt.order_by(model.region_code.is_not(None), model.region_code, model.position, model.id)
    return list(db.session.scalars(stmt))


@staff_bp.get("/")
@access_rule()
def index():
    """A region's directory (for a coordinator: theirs, with the national lines read-only); for an admin, every region."""
    region = _chosen_region()
    overview = None
    if region is None:
        overview = _overview()
    sections = [(kind, _records(kind, region)) for kind in KINDS.values()] if region else []
    return render_template(
        "staff/regions/index.html", region=region, region_obj=db.session.get(Region, region) if region and region != NATIONAL else None,
        regions=regions_ordered(), overview=overview, sections=sections, can_edit=can_edit, national=NATIONAL,
        line_kinds=LINE_KINDS, missing=regions_without_numbers(), campaign=current_campaign(),
    )


def _overview() -> list[tuple[Region, dict]]:
    """Per region, how many of each kind of record it publishes (admins' start view)."""
    counts: dict[str, dict[str, int]] = {}
    campaign = current_campaign()
    for slug, kind in KINDS.items():
        stmt = sa.select(kind.model.region_code, sa.func.count()).group_by(kind.model.region_code)
        if kind.model is RegionPlan:
            stmt = stmt.where(RegionPlan.campaign_id == (campaign.id if campaign else -1))
        for code, n in db.session.execute(stmt):
            counts.setdefault(code or NATIONAL, {})[slug] = n
    return [(region, counts.get(region.code, {})) for region in regions_ordered()] + [(None, counts.get(NATIONAL, {}))]


# --- one record: add, edit, remove --------------------------------------------------------


def _form(kind: Kind, obj=None):
    submitted = request.method == "POST"
    choices = region_choices(national_label=_l("National (all regions)") if kind.national else None)
    form = kind.form(obj=None if submitted else obj, region_choices=choices)
    if hasattr(form, "campaign_id"):
        form.campaign_id.choices = [
            (str(c.id), str(c.year)) for c in db.session.scalars(sa.select(Campaign).order_by(Campaign.year.desc()))
        ]
    if submitted:
        return form
    if obj is not None:
        form.region_code.data = obj.region_code or ""
        if hasattr(form, "languages"):
            form.languages.data = obj.language_codes
        if hasattr(form, "campaign_id"):
            form.campaign_id.data = str(obj.campaign_id)
    else:
        wanted = request.args.get("region", "")
        wanted = "" if wanted == NATIONAL else wanted
        allowed = {code for code, _label in choices}
        form.region_code.data = wanted if wanted in allowed else (current_user.region_code or "")
        if hasattr(form, "campaign_id"):
            campaign = current_campaign()
            form.campaign_id.data = str(campaign.id) if campaign else None
    return form


def _apply(kind: Kind, form, obj) -> None:
    for name in kind.fields + tuple(f"{f}_{lang}" for f in kind.lang_fields for lang in ("kk", "ru", "en")):
        value = form[name].data
        if name == "region_code":
            value = value or None
        elif name == "languages":
            value = " ".join(code for code in LINE_LANGUAGES if code in (value or []))
        elif name == "campaign_id":
            value = int(value)
        elif name == "position":
            value = value or 0
        elif name == "free_of_charge":
            value = bool(value)
        elif value is None and name != "approved_on":
            value = ""
        setattr(obj, name, value)


def _duplicate_plan(form, obj) -> bool:
    """A region has one plan per campaign year."""
    stmt = sa.select(RegionPlan.id).where(
        RegionPlan.region_code == form.region_code.data, RegionPlan.campaign_id == int(form.campaign_id.data)
    )
    if obj is not None and obj.id is not None:
        stmt = stmt.where(RegionPlan.id != obj.id)
    return db.session.scalar(stmt.limit(1)) is not None


def _back(obj) -> str:
    return url_for("regions_staff.index", region=obj.region_code or NATIONAL if current_user.is_admin else None)


def _save(kind: Kind, form, obj, action: str):
    """Validate, check the region may be written, save and audit; ``None`` when the form has errors."""
    if not form.validate_on_submit():
        return None
    if not can_create_for(form.region_code.data or None):
        abort(403)
    if kind.model is RegionPlan and _duplicate_plan(form, obj):
        form.campaign_id.errors.append(_("This region already has a plan for this year: edit that one."))
        return None
    before = snapshot(obj) if action == "update" else None
    _apply(kind, form, obj)
    if action == "create":
        db.session.add(obj)
    record(action, obj, before=before)
    db.session.commit()
    flash(_("Saved."))
    return redirect(_back(obj))


def _register(kind: Kind) -> None:
    def new():
        form = _form(kind)
        obj = kind.model()
        done = _save(kind, form, obj, "create") if request.method == "POST" else None
        if done is not None:
            return done
        status = 422 if form.errors else 200
        return render_template("staff/regions/form.html", kind=kind, form=form, obj=None, editable=True), status

    def edit(item):
        editable = can_edit(item)
        form = _form(kind, item)
        done = _save(kind, form, item, "update") if request.method == "POST" else None
        if done is not None:
            return done
        status = 422 if form.errors else 200
        return render_template("staff/regions/form.html", kind=kind, form=form, obj=item, editable=editable), status

    def delete(item):
        if request.method == "GET" or request.form.get("confirm") != "yes":
            form = RemoveForm()
            return render_template("staff/regions/delete.html", kind=kind, obj=item, form=form)
        if not RemoveForm().validate_on_submit():
            abort(400)
        back = _back(item)
        record("delete", item, changes={key: [value, None] for key, value in snapshot(item).items()})
        db.session.delete(item)
        db.session.commit()
        flash(_("Removed."))
        return redirect(back)

    new.__doc__ = "Add a record to the regional directory (%s)." % kind.slug
    edit.__doc__ = "Read a directory record; change it when it is one's own region's (%s)." % kind.slug
    delete.__doc__ = "Ask, then remove a directory record of one's own region (%s)." % kind.slug
    # The model is the kind's, fixed when the routes are registered: the rule loads ``item`` like any other.
    staff_bp.add_url_rule(f"/{kind.slug}/new", f"new_{kind.slug}", access_rule()(new), methods=["GET", "POST"])
    staff_bp.add_url_rule(f"/{kind.slug}/<int:item_id>/edit", f"edit_{kind.slug}",
                          access_rule(model=kind.model, write=False)(edit), methods=["GET", "POST"])
    staff_bp.add_url_rule(f"/{kind.slug}/<int:item_id>/delete", f"delete_{kind.slug}",
                          access_rule(model=kind.model, write=True)(delete), methods=["GET", "POST"])


for _kind in KINDS.values():
    _register(_kind)
