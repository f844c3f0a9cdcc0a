"""Back office for news: list, write, edit, publish. Coordinators write for their region only."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import Optional

from .. import clock
from ..audit import record, snapshot
from ..extensions import db
from ..htmx import render
from ..i18n import LANGUAGES, from_local, to_local
from ..i18n_text import first_filled, slugify
from ..regions.models import regions_ordered
from ..staff.access import access_rule, can_create_for, can_edit, region_choices, scoped
from ..staff.listing import PER_PAGE, page_number, sort_order
from .forms import NewsForm
from .markdown import render_markdown
from .models import STATUSES, News

staff_bp = Blueprint("news_staff", __name__, url_prefix="/staff/news")

NATIONAL = _l("National (whole country)")
DEFAULT_TZ = "Asia/Almaty"


class NewsFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()])
    region = SelectField(_l("Region"), validators=[Optional()])


def _tz(region_code):
    if region_code:
        for region in regions_ordered():
            if region.code == region_code:
                return region.tz
    return DEFAULT_TZ


@staff_bp.get("/")
@access_rule()
def list_news():
    """News this staff member may see, filterable, sortable, paginated."""
    form = NewsFilterForm(formdata=request.args)
    form.status.choices = [("", _l("All"))] + list(STATUSES.items())
    form.region.choices = [("", _l("All")), ("national", NATIONAL)] + [(r.code, r.label) for r in regions_ordered()]
    stmt = scoped(sa.select(News), News)
    if form.status.data in STATUSES:
        stmt = stmt.where(News.status == form.status.data)
    if form.region.data == "national":
        stmt = stmt.where(News.region_code.is_(None))
    elif form.region.data:
        stmt = stmt.where(News.region_code == form.region.data)
    sort_key, descending, order = sort_order(
        {"published": News.published_at, "title": News.title_kk, "status": News.status, "updated": News.updated_at},
        "-published",
    )
    pagination = db.paginate(stmt.order_by(order, News.id.desc()), page=page_number(), per_page=PER_PAGE,
                             error_out=False)
    return render("staff/news/list.html", "staff/news/_results.html", form=form, pagination=pagination,
                  sort_key=sort_key, descending=descending, statuses=STATUSES, can_edit=can_edit)


def _form(news: News | None = None) -> NewsForm:
    choices = region_choices(national_label=NATIONAL)
    # A submission is judged on what was sent alone: a missing field must not fall back to the stored value.
    obj = None if request.method == "POST" else news
    form = NewsForm(obj=obj, news_id=news.id if news else None, region_choices=choices)
    if news is not None and not form.is_submitted():
        form.region_code.data = news.region_code or ""
        form.published_at.data = to_local(news.published_at, _tz(news.region_code)).replace(tzinfo=None) if news.published_at else None
    elif news is None and not form.is_submitted():
        form.published_at.data = to_local(clock.now(), _tz(current_user.region_code)).replace(tzinfo=None, second=0, microsecond=0)
        form.region_code.data = "" if current_user.is_admin else current_user.region_code
    return form


def _apply(form: NewsForm, news: News) -> None:
    region_code = form.region_code.data or None
    news.region_code = region_code
    news.status = form.status.data
    news.published_at = from_local(form.published_at.data, _tz(region_code))
    for lang in LANGUAGES:
        for field in ("title", "summary", "body"):
            setattr(news, f"{field}_{lang}", getattr(form, f"{field}_{lang}").data or "")
        setattr(news, f"body_html_{lang}", render_markdown(getattr(news, f"body_{lang}")))
    news.slug = form.slug.data or news.slug or _unique_slug(first_filled(news, "title"))


def _unique_slug(title: str) -> str:
    base = slugify(title)
    slug, n = base, 2
    while db.session.scalar(sa.select(News.id).where(News.slug == slug)):
        slug, n = f"{base}-{n}", n + 1
    return slug


@staff_bp.route("/new", methods=["GET", "POST"])
@access_rule()
def new_news():
    """Write a news article."""
    form = _form()
    if form.validate_on_submit():
        if not can_create_for(form.region_code.data or None):
            form.region_code.errors.append(_("You can write news for your own region only."))
        else:
            news = News(created_by_id=current_user.id)
            _apply(form, news)
            db.session.add(news)
            record("create", news)
            db.session.commit()
            flash(_("The article has been saved."))
            return redirect(url_for("news_staff.edit_news", news_id=news.id))
    status = 422 if form.errors else 200
    return render_template("staff/news/form.html", form=form, news=None), status


@staff_bp.route("/<int:news_id>/edit", methods=["GET", "POST"])
@access_rule(model=News, write=False)
def edit_news(news: News):
    """Read an article; edit it when it belongs to one's region (national ones: admins)."""
    editable = can_edit(news)
    form = _form(news)
    if form.validate_on_submit():
        if not can_create_for(form.region_code.data or None):
            form.region_code.errors.append(_("You can write news for your own region only."))
        else:
            before = snapshot(news)
            _apply(form, news)
            record("update", news, before=before)
            db.session.commit()
            flash(_("The article has been saved."))
            return redirect(url_for("news_staff.edit_news", news_id=news.id))
    status = 422 if form.errors else 200
    return render_template("staff/news/form.html", form=form, news=news, editable=editable), status
