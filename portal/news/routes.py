"""Public news views: the list (filter by region, load more), one article, and the sitemap entries."""

from __future__ import annotations

from flask import g, make_response, render_template, request, url_for

from ..http import as_utc, cacheable, conditional, latest, valid_until
from ..extensions import db
from ..params import page_arg
from ..htmx import is_htmx, render
from ..i18n import localised
from ..regions.models import regions_ordered
from ..site.routes import sitemap_provider
from . import bp
from .filters import PER_PAGE, NewsFilterForm, news_last_modified, news_statement
from .models import News, next_publication, published_news

# News pages change when staff change news (generations) or when a scheduled item goes public
# (valid_until); nothing else about them depends on the clock.
NEWS_TTL = 3600


def page_number() -> int:
    return page_arg(strict=True)


@bp.get("/")
@cacheable("news", "regions", ttl=NEWS_TTL, params=("region", "page"))
def index():
    """News, newest first, filterable by region; a plain next-page link and an htmx "load more"."""
    form = NewsFilterForm(request.args, regions_ordered())
    page = page_number()
    pagination = db.paginate(news_statement(form.region_code), page=page, per_page=PER_PAGE, error_out=True)
    valid_until(next_publication())
    # "Load more" asks for page 2, 3…: htmx gets only those items; the filter (page 1) gets the whole results.
    fragment = "news/_more.html" if page > 1 else "news/_results.html"
    response = render(
        "news/index.html", fragment, form=form, pagination=pagination, filters=form.query_args()
    )
    if is_htmx() and page == 1:
        response.headers["HX-Push-Url"] = url_for("news.index", **form.query_args())
    return conditional(response, latest(*news_last_modified()))


@bp.get("/<slug>")
@cacheable("news", "regions", ttl=NEWS_TTL)
def article(slug):
    """One article; shown in another language, with a notice, when the visitor's is missing."""
    news = db.first_or_404(published_news().where(News.slug == slug).limit(1))
    title, title_lang = localised(news, "title")
    body, body_lang = localised(news, "body_html")
    summary, summary_lang = localised(news, "summary")
    shown_in = body_lang or title_lang
    response = make_response(render_template(
        "news/article.html",
        news=news,
        title=title,
        title_lang=title_lang,
        body=body,
        body_lang=body_lang,
        summary=summary,
        summary_lang=summary_lang,
        fallback=shown_in if shown_in and shown_in != g.lang else None,
    ))
    return conditional(response, latest(news.updated_at, news.published_at))


@sitemap_provider
def news_sitemap():
    """Every published article (its page exists in every language, with a fallback notice)."""
    rows = db.session.execute(
        published_news().with_only_columns(News.slug, News.updated_at).limit(10000)
    )
    for slug, updated_at in rows:
        yield "news.article", {"slug": slug}, as_utc(updated_at)
