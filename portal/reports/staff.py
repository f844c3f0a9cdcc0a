"""Back office for reports: record allocations (form or upload), preview, publish a version.

Coordinators record, upload and delete lines of their own region only; previewing and
publishing a (national) report is for national admins.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from ..audit import record, snapshot
from ..campaigns.models import Campaign, current_campaign
from ..extensions import db
from ..htmx import render
from ..i18n import format_filesize, request_language
from ..security import accepts_uploads
from ..staff.access import access_rule, can_create_for, can_edit, region_choices, scoped
from ..staff.listing import PER_PAGE, page_number
from .forms import AllocationForm, DeleteForm, PublishForm, UploadForm, YearForm
from .models import GROUPS, KINDS, SOURCES, Allocation, Report
from ..disclosure import threshold
from .publish import build, default_texts, publish
from .routes import tables
from .uploads import COLUMNS, CHOICES, LIMITS, import_allocations, max_bytes, template_csv, template_xlsx

staff_bp = Blueprint("reports_staff", __name__, url_prefix="/staff/reports")


def _campaigns() -> list[Campaign]:
    return list(db.session.scalars(sa.select(Campaign).order_by(Campaign.year.desc())))


def _year_choices():
    return [(c.year, str(c.year)) for c in _campaigns()]


def _campaign(year: int | None) -> Campaign | None:
    if year:
        found = db.session.scalar(sa.select(Campaign).where(Campaign.year == year))
        if found:
            return found
    return current_campaign()


def _selected_campaign() -> tuple[YearForm, Campaign | None]:
    form = YearForm(formdata=request.args)
    form.year.choices = _year_choices()
    campaign = _campaign(form.year.data if form.validate() else None)
    if campaign:
        form.year.data = campaign.year
    return form, campaign


@staff_bp.get("/")
@access_rule()
def index():
    """Allocations of a campaign year that this staff member may see, with totals by region."""
    form, campaign = _selected_campaign()
    lines = scoped(sa.select(Allocation), Allocation).where(Allocation.campaign_id == (campaign.id if campaign else -1))
    a = Allocation
    totals_stmt = scoped(
        sa.select(a.region_code, a.is_demo, sa.func.count(), sa.func.sum(a.children), sa.func.sum(a.amount),
                  sa.func.sum(a.items)),
        Allocation,
    ).where(a.campaign_id == (campaign.id if campaign else -1)).group_by(a.region_code, a.is_demo).order_by(a.region_code)
    totals = db.session.execute(totals_stmt).all()
    pagination = db.paginate(lines.order_by(a.id.desc()), page=page_number(), per_page=PER_PAGE, error_out=False)
    reports = []
    if campaign:
        reports = list(db.session.scalars(sa.select(Report).where(Report.campaign_id == campaign.id).order_by(Report.is_demo)))
    return render(
        "staff/reports/index.html", "staff/reports/_results.html",
        form=form, campaign=campaign, totals=totals, pagination=pagination, reports=reports,
        groups=GROUPS, kinds=KINDS, sources=SOURCES, can_edit=can_edit,
    )


@staff_bp.route("/allocations/new", methods=["GET", "POST"])
@access_rule()
def new_allocation():
    """Record one allocation line by hand."""
    form = AllocationForm(region_choices=region_choices(), year_choices=_year_choices())
    if not form.is_submitted():
        form.region_code.data = current_user.region_code
        campaign = current_campaign()
        form.year.data = campaign.year if campaign else None
    if form.validate_on_submit():
        campaign = _campaign(form.year.data)
        if not can_create_for(form.region_code.data):
            form.region_code.errors.append(_("You can record allocations only for your region."))
        else:
            line = Allocation(
                campaign_id=campaign.id, region_code=form.region_code.data,
                recipient_group=form.recipient_group.data, aid_kind=form.aid_kind.data, source=form.source.data,
                children=form.children.data, amount=form.amount.data, items=form.items.data or 0,
                batch="form", created_by_id=current_user.id,
            )
            db.session.add(line)
            record("create", line)
            db.session.commit()
            flash(_("The allocation was recorded."), "success")
            return redirect(url_for("reports_staff.index", year=campaign.year))
    status = 422 if form.errors else 200
    return render_template("staff/reports/allocation_form.html", form=form), status


@staff_bp.post("/allocations/<int:allocation_id>/delete")
@access_rule(model=Allocation, write=True)
def delete_allocation(allocation: Allocation):
    """Delete one allocation line (published versions keep their own frozen figures)."""
    year = allocation.campaign.year
    if not DeleteForm().validate_on_submit():
        flash(_("The line was not deleted: please use the Delete button."), "error")
        return redirect(url_for("reports_staff.index", year=year))
    record("delete", allocation, changes={key: [value, None] for key, value in snapshot(allocation).items()})
    db.session.delete(allocation)
    db.session.commit()
    flash(_("The allocation was deleted."), "success")
    return redirect(url_for("reports_staff.index", year=year))


def _upload_page(form, result=None, status=200):
    return render_template(
        "staff/reports/upload.html", form=form, result=result, columns=COLUMNS, choices=CHOICES, limits=LIMITS,
        max_mb=max_bytes() // (1024 * 1024),
    ), status


@staff_bp.route("/upload", methods=["GET", "POST"])
@accepts_uploads(max_bytes=max_bytes)  # bigger than a public form's body (REPORT_UPLOAD_MAX_BYTES)
@access_rule()
def upload():
    """Upload a CSV or XLSX file of allocations: all rows are imported, or none."""
    form = UploadForm(year_choices=_year_choices())
    if not form.is_submitted():
        campaign = current_campaign()
        form.year.data = campaign.year if campaign else None
    if form.validate_on_submit():
        campaign = _campaign(form.year.data)
        storage = form.file.data
        result = import_allocations(storage.stream, storage.filename, campaign, staff=current_user,
                                    replace=form.replace.data)
        if result.ok:
            db.session.commit()
            flash(
                ngettext("%(num)s line was imported.", "%(num)s lines were imported.", result.rows)
                + (" " + ngettext("%(num)s earlier line was replaced.", "%(num)s earlier lines were replaced.",
                                  result.replaced) if form.replace.data else ""),
                "success",
            )
            return redirect(url_for("reports_staff.index", year=campaign.year))
        db.session.rollback()
        return _upload_page(form, result, 422)
    return _upload_page(form, status=422 if form.errors else 200)


@staff_bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """A file over the limit: the upload page again, with the reason."""
    form = UploadForm(formdata=None, year_choices=_year_choices())
    form.file.errors = [_("The file is too large: at most %(size)s.", size=format_filesize(max_bytes()))]
    return _upload_page(form, status=413)


def _attachment(data: bytes, name: str, mimetype: str):
    response = current_app.response_class(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = 'attachment; filename="%s"' % name
    response.headers["Cache-Control"] = "no-store"
    return response


@staff_bp.get("/template.csv")
@access_rule()
def template_csv_file():
    """The upload template as CSV (UTF-8 with BOM)."""
    return _attachment(template_csv(current_user.region_code or "KZ-71"), "allocations-template.csv",
                       "text/csv; charset=utf-8")


@staff_bp.get("/template.xlsx")
@access_rule()
def template_xlsx_file():
    """The upload template as an Excel workbook, with a sheet of codes."""
    return _attachment(template_xlsx(current_user.region_code or "KZ-71"), "allocations-template.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@staff_bp.get("/preview")
@access_rule(admin_only=True)
def preview():
    """The report as it would be published now, hidden cells included."""
    form, campaign = _selected_campaign()
    report = _report(campaign)
    from .publish import previous_hidden

    built = build(campaign, also_hide=previous_hidden(report)) if campaign else None
    from .publish import marker_descriptions

    return render_template(
        "staff/reports/preview.html", form=form, campaign=campaign, built=built, report=report,
        tables=tables(built["summary"]) if built else [], markers=marker_descriptions(threshold()),
    )


def _report(campaign) -> Report | None:
    if campaign is None:
        return None
    return db.session.scalar(sa.select(Report).where(Report.campaign_id == campaign.id, Report.is_demo.is_(False)))


@staff_bp.route("/publish", methods=["GET", "POST"])
@access_rule(admin_only=True)
def publish_version():
    """Publish the next version of the campaign's report: figures, texts and files are frozen."""
    year_form, campaign = _selected_campaign()
    report = _report(campaign)
    latest = report.latest if report else None
    form = PublishForm(needs_note=latest is not None)
    if campaign and not form.is_submitted():
        defaults = default_texts(campaign, False, threshold())
        for lang in ("kk", "ru", "en"):
            getattr(form, "title_" + lang).data = (getattr(latest, "title_" + lang) if latest else None) or defaults["title_" + lang]
            getattr(form, "methodology_" + lang).data = (
                (getattr(latest, "methodology_" + lang) if latest else None) or defaults["methodology_" + lang]
            )
    lines = 0
    if campaign:
        lines = db.session.scalar(
            sa.select(sa.func.count()).select_from(Allocation)
            .where(Allocation.campaign_id == campaign.id, Allocation.is_demo.is_(False))
        )
    if form.validate_on_submit() and campaign:
        if not lines:
            form.confirm.errors.append(_("There are no allocations for this campaign year yet: nothing to publish."))
        else:
            texts = {name: (getattr(form, name).data or "").strip() for name in form.data if name.startswith(
                ("title_", "methodology_", "change_note_"))}
            version = publish(campaign, texts=texts, staff=current_user)
            db.session.commit()
            flash(_("Version %(number)s was published.", number=version.number), "success")
            return redirect(url_for("reports.show", lang=request_language(), slug=version.report.slug))
    status = 422 if form.errors else 200
    return render_template(
        "staff/reports/publish.html", form=form, year_form=year_form, campaign=campaign, report=report,
        latest=latest, lines=lines,
    ), status


# --- sponsors' lines from deliveries (issue 16) ------------------------------------------------


@staff_bp.get("/sponsors")
@access_rule()
def sponsor_proposal():
    """The "sponsors" lines deliveries propose, beside the report's current ones, per region one may see."""
    from .proposal import proposals

    form, campaign = _selected_campaign()
    regions = None if current_user.is_admin else [current_user.region_code]
    rows = proposals(campaign.id, regions) if campaign else []
    labels = {code: label for code, label in region_choices()}
    return render_template(
        "staff/reports/sponsors.html", form=form, campaign=campaign, rows=rows, kinds=KINDS,
        labels=labels, can_confirm=can_create_for, confirm_form=DeleteForm(formdata=None),
    ), 200, {"Cache-Control": "no-store"}


@staff_bp.post("/sponsors/confirm")
@access_rule()
def confirm_sponsor_proposal():
    """Take the proposal as the region's "sponsors" lines (replacing them), audited."""
    from .proposal import confirm

    form, campaign = _selected_campaign()
    region = request.form.get("region", "")
    if campaign is None or not DeleteForm().validate_on_submit():
        flash(_("Nothing was changed: please use the button on the page."), "error")
        return redirect(url_for("reports_staff.sponsor_proposal"), code=303)
    if region not in {code for code, _label in region_choices()} or not can_create_for(region):
        flash(_("You can record allocations only for your region."), "error")
        return redirect(url_for("reports_staff.sponsor_proposal", year=campaign.year), code=303)
    confirm(campaign.id, region, current_user)
    db.session.commit()
    flash(_("The region's sponsor figures in the report now come from the deliveries."), "success")
    return redirect(url_for("reports_staff.sponsor_proposal", year=campaign.year), code=303)


# --- indicators and the regional sign-off (issue 16) -------------------------------------------------


def _signoff(campaign, region_code):
    from .models import IndicatorSignoff

    found = db.session.scalar(sa.select(IndicatorSignoff).where(
        IndicatorSignoff.campaign_id == campaign.id, IndicatorSignoff.region_code == region_code))
    if found is None:
        found = IndicatorSignoff(campaign_id=campaign.id, region_code=region_code, status="draft")
        db.session.add(found)
    return found


def _indicator_page(form=None, form_region=None, status=200):
    from .forms import IndicatorForm
    from .indicators import INDICATORS, compute, missing_regions
    from .models import IndicatorSignoff

    year_form, campaign = _selected_campaign()
    choices = region_choices()
    codes = [code for code, _label in choices]
    values = compute(campaign.id, set(codes)) if campaign else {}
    signoffs = {}
    if campaign:
        signoffs = {s.region_code: s for s in db.session.scalars(sa.select(IndicatorSignoff).where(
            IndicatorSignoff.campaign_id == campaign.id, IndicatorSignoff.region_code.in_(codes)))}
    forms = {}
    for code in codes:
        if code == form_region and form is not None:
            forms[code] = form
        else:
            forms[code] = IndicatorForm(formdata=None, obj=signoffs.get(code), prefix=code)
    return render_template(
        "staff/reports/indicators.html", form=year_form, campaign=campaign, labels=dict(choices), codes=codes,
        values=values, signoffs=signoffs, forms=forms, indicators=INDICATORS,
        missing=missing_regions(campaign.id, codes) if campaign else [],
    ), status, {"Cache-Control": "no-store"}


@staff_bp.get("/indicators")
@access_rule()
def indicators():
    """The campaign's indicators per region (unsuppressed, for staff), the region's inputs and its sign-off."""
    return _indicator_page()


@staff_bp.post("/indicators/submit")
@access_rule()
def submit_indicators():
    """The region submits its inputs (coordinator of the region or admin): draft/submitted → submitted; audited."""
    from .forms import IndicatorForm

    region_code = request.form.get("region", "")
    _year, campaign = _selected_campaign()
    if campaign is None or region_code not in {c for c, _l in region_choices()} or not can_create_for(region_code):
        flash(_("Nothing was changed: please use the button on the page."), "error")
        return redirect(url_for("reports_staff.indicators", year=campaign.year if campaign else None), code=303)
    form = IndicatorForm(prefix=region_code)
    if not form.validate_on_submit():
        return _indicator_page(form, region_code, 422)
    signoff = _signoff(campaign, region_code)
    if signoff.status == "included":
        signoff.included_in_version = None  # changed after publication: a later version includes it again
    before = snapshot(signoff) if signoff.id else None
    for name in ("planned_budget", "children_identified", "out_of_school", "back_to_school"):
        setattr(signoff, name, form[name].data)
    signoff.status = "submitted"
    signoff.submitted_at = clock_now()
    record("submit", signoff, before=before, region_code=region_code)
    db.session.commit()
    flash(_("The region's figures have been submitted for checking."), "success")
    return redirect(url_for("reports_staff.indicators", year=campaign.year), code=303)


@staff_bp.post("/indicators/check")
@access_rule(admin_only=True)
def check_indicators():
    """A national admin marks a submitted region as checked: the next version includes it; audited."""
    region_code = request.form.get("region", "")
    _year, campaign = _selected_campaign()
    if campaign is None or not DeleteForm().validate_on_submit() or region_code not in {c for c, _l in region_choices()}:
        flash(_("Nothing was changed: please use the button on the page."), "error")
        return redirect(url_for("reports_staff.indicators", year=campaign.year if campaign else None), code=303)
    signoff = _signoff(campaign, region_code)
    if signoff.status != "submitted":
        flash(_("Only submitted figures can be checked."), "error")
        return redirect(url_for("reports_staff.indicators", year=campaign.year), code=303)
    before = snapshot(signoff)
    signoff.status = "checked"
    signoff.checked_at = clock_now()
    record("check", signoff, before=before, region_code=region_code)
    db.session.commit()
    flash(_("The region's figures are checked: the next published version includes them."), "success")
    return redirect(url_for("reports_staff.indicators", year=campaign.year), code=303)


def clock_now():
    from .. import clock

    return clock.now()
