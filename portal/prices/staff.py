"""Back office for prices: record observations (form or upload), list them, correct or delete them.

Coordinators see and change their own region's observations only; national admins all.
Every write is recorded in the audit log in the same transaction.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from ..audit import record, snapshot
from ..extensions import db
from ..htmx import render
from ..i18n import format_filesize
from ..security import accepts_uploads
from ..staff.access import access_rule, can_create_for, can_edit, region_choices, scoped
from ..staff.listing import PER_PAGE, page_number
from .forms import DeleteForm, ObservationForm, PriceFilterForm, UploadForm
from .models import ITEMS, MAX_PRICE, PriceObservation
from .services import available_years, default_year
from .uploads import COLUMNS, CHOICES, import_observations, template_csv

staff_bp = Blueprint("prices_staff", __name__, url_prefix="/staff/prices")


def _filters():
    """``?region=&year=&item=`` of the list (a GET form: no CSRF)."""
    this_year = default_year()
    years = sorted(set(available_years()) | {this_year}, reverse=True)
    form = PriceFilterForm(formdata=request.args, regions=region_choices(), years=years)
    form.validate()
    form.item.choices = [("", _("All items"))] + form.item.choices
    form.item.label.text = _("Item")
    year = form.year.data if form.year.data in years else this_year
    region = form.region.data if form.region.data in {c for c, _l in form.region.choices} else ""
    item = form.item.data if form.item.data in ITEMS else ""
    form.year.data, form.region.data, form.item.data = year, region, item
    form.region.errors = form.year.errors = form.item.errors = []
    return form, year, region, item


@staff_bp.get("/")
@access_rule()
def list_observations():
    """Observations of a year that this staff member may see, newest first."""
    form, year, region, item = _filters()
    o = PriceObservation
    stmt = scoped(sa.select(o), o).where(o.year == year)
    if region:
        stmt = stmt.where(o.region_code == region)
    if item:
        stmt = stmt.where(o.item == item)
    pagination = db.paginate(stmt.order_by(o.observed_on.desc(), o.id.desc()), page=page_number(),
                             per_page=PER_PAGE, error_out=False)
    return render("staff/prices/index.html", "staff/prices/_results.html",
                  form=form, year=year, pagination=pagination, can_edit=can_edit)


def _save(form, observation: PriceObservation) -> None:
    observation.region_code = form.region_code.data
    observation.item = form.item.data
    observation.outlet = form.outlet.data
    observation.price = form.price.data
    observation.observed_on = form.observed_on.data
    observation.year = form.observed_on.data.year


@staff_bp.route("/new", methods=["GET", "POST"])
@access_rule()
def new_observation():
    """Record one observed price by hand."""
    form = ObservationForm(region_choices=region_choices())
    if not form.is_submitted():
        form.region_code.data = current_user.region_code
    if form.validate_on_submit():
        if not can_create_for(form.region_code.data):
            form.region_code.errors.append(_("You can record prices only for your region."))
        else:
            observation = PriceObservation(batch="form", created_by_id=current_user.id)
            _save(form, observation)
            db.session.add(observation)
            record("create", observation)
            db.session.commit()
            flash(_("The price was recorded."), "success")
            return redirect(url_for("prices_staff.list_observations", year=observation.year))
    status = 422 if form.errors else 200
    return render_template("staff/prices/form.html", form=form, observation=None), status


@staff_bp.route("/<int:observation_id>/edit", methods=["GET", "POST"])
@access_rule(model=PriceObservation, write=True)
def edit_observation(observation: PriceObservation):
    """Correct an observation of the staff member's region."""
    form = ObservationForm(obj=observation, region_choices=region_choices())
    if form.validate_on_submit():
        if not can_create_for(form.region_code.data):
            form.region_code.errors.append(_("You can record prices only for your region."))
        else:
            before = snapshot(observation)
            _save(form, observation)
            record("update", observation, before=before)
            db.session.commit()
            flash(_("The price was corrected."), "success")
            return redirect(url_for("prices_staff.list_observations", year=observation.year))
    status = 422 if form.errors else 200
    return render_template("staff/prices/form.html", form=form, observation=observation,
                           delete_form=DeleteForm(formdata=None, confirm="yes")), status


@staff_bp.post("/<int:observation_id>/delete")
@access_rule(model=PriceObservation, write=True)
def delete_observation(observation: PriceObservation):
    """Delete an observation recorded by mistake."""
    year = observation.year
    if not DeleteForm().validate_on_submit():
        flash(_("The observation was not deleted: please use the Delete button."), "error")
        return redirect(url_for("prices_staff.list_observations", year=year))
    record("delete", observation, changes={key: [value, None] for key, value in snapshot(observation).items()})
    db.session.delete(observation)
    db.session.commit()
    flash(_("The observation was deleted."), "success")
    return redirect(url_for("prices_staff.list_observations", year=year))


def _upload_page(form, result=None, status=200):
    return render_template(
        "staff/prices/upload.html", form=form, result=result, columns=COLUMNS, choices=CHOICES,
        max_price=MAX_PRICE, max_mb=max(current_app.config.get("MAX_CONTENT_LENGTH") or 0, 1) // (1024 * 1024),
    ), status


@staff_bp.route("/upload", methods=["GET", "POST"])
@accepts_uploads
@access_rule()
def upload():
    """Upload a CSV or XLSX file of observations: all rows are imported, or none."""
    form = UploadForm()
    if form.validate_on_submit():
        storage = form.file.data
        result = import_observations(storage.stream, storage.filename, staff=current_user)
        if result.ok:
            db.session.commit()
            flash(ngettext("%(num)s price was imported.", "%(num)s prices were imported.", result.rows), "success")
            return redirect(url_for("prices_staff.list_observations"))
        db.session.rollback()
        return _upload_page(form, result, 422)
    return _upload_page(form, status=422 if form.errors else 200)


@staff_bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """A file over the limit: the upload page again, with the reason."""
    form = UploadForm(formdata=None)
    form.file.errors = [_("The file is too large: at most %(size)s.", size=format_filesize(current_app.config["MAX_CONTENT_LENGTH"]))]
    return _upload_page(form, status=413)


@staff_bp.get("/template.csv")
@access_rule()
def template_csv_file():
    """The upload template as CSV (UTF-8 with BOM)."""
    response = current_app.response_class(template_csv(current_user.region_code or "KZ-71"),
                                          mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="prices-template.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response
