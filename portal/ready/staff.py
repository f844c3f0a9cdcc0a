"""Back office: the self-check's daily tallies, for the staff member's region (national admins: all)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from .. import clock
from ..extensions import db
from ..regions.models import regions_ordered
from ..staff.access import access_rule, scoped
from ..staff.listing import page_number
from .forms import ANSWERS, QUESTIONS
from .models import ReadyTally
from .services import TALLY_TZ

staff_bp = Blueprint("ready_staff", __name__, url_prefix="/staff/ready")

ROWS_PER_PAGE = 200


class TallyFilterForm(FlaskForm):
    class Meta:
        csrf = False

    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("Until"), validators=[Optional()])
    region = SelectField(_l("Region"), validators=[Optional()], validate_choice=False)


@staff_bp.get("/")
@access_rule()
def list_tallies():
    """Daily counts of self-check answers per region and question (a page of rows at a time)."""
    form = TallyFilterForm(formdata=request.args)
    form.region.choices = [("", _l("All"))] + [(r.code, r.label) for r in regions_ordered()]
    form.validate()
    today = clock.today_in(TALLY_TZ)
    start = form.date_from.data if not form.date_from.errors and form.date_from.data else today - dt.timedelta(days=13)
    end = form.date_to.data if not form.date_to.errors and form.date_to.data else today
    sums = [
        sa.func.sum(sa.case((ReadyTally.answer == code, ReadyTally.count), else_=0)).label(code) for code in ANSWERS
    ]
    stmt = scoped(
        sa.select(ReadyTally.day, ReadyTally.region_code, ReadyTally.question, *sums), ReadyTally
    ).where(ReadyTally.day >= start, ReadyTally.day <= end)
    if form.region.data:
        stmt = stmt.where(ReadyTally.region_code == form.region.data)
    stmt = stmt.group_by(ReadyTally.day, ReadyTally.region_code, ReadyTally.question).order_by(
        ReadyTally.day.desc(), ReadyTally.region_code, ReadyTally.question
    )
    page = page_number()
    rows = db.session.execute(stmt.limit(ROWS_PER_PAGE + 1).offset((page - 1) * ROWS_PER_PAGE)).all()
    has_next = len(rows) > ROWS_PER_PAGE
    regions = {r.code: r for r in regions_ordered()}
    return render_template(
        "staff/ready/list.html", form=form, rows=rows[:ROWS_PER_PAGE], page=page, has_next=has_next,
        start=start, end=end, regions=regions, questions=QUESTIONS, answers=ANSWERS,
    )
