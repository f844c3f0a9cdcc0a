"""Views for the root URL, health checks and search engines."""

from __future__ import annotations

from urllib.parse import urlencode

import sqlalchemy as sa
from flask import current_app, jsonify, redirect, render_template, request, url_for

from ..extensions import db
from ..http import cacheable
from ..http.assets import file_response
from ..i18n import LANGUAGES, negotiate_language
from . import bp

_sitemap_providers = []


def sitemap_provider(func):
    """Register a function yielding ``(endpoint, values, lastmod)`` for pages with ids or slugs."""
    _sitemap_providers.append(func)
    return func


@bp.get("/")
def root():
    """Send the visitor to their language: Accept-Language, Kazakh by default."""
    response = redirect(url_for("pages.home", lang=negotiate_language(request.accept_languages)))
    response.vary.add("Accept-Language")
    response.headers["Cache-Control"] = "private, max-age=0"
    return response


@bp.get("/healthz")
def healthz():
    """Liveness and database check for load balancers and monitors."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        current_app.logger.exception("health check: database unavailable")
        response = jsonify(status="error", database="unavailable")
        response.status_code = 503
    else:
        response = jsonify(status="ok", database="ok")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/robots.txt")
@cacheable(cookies=False)
def robots():
    """Crawl everything public; keep out of the back office and the appeal follow-up."""
    body = render_template("site/robots.txt", sitemap=url_for("site.sitemap", _external=True))
    return current_app.response_class(body, mimetype="text/plain")


@bp.get("/favicon.ico")
@cacheable(cookies=False)
def favicon():
    """The icon browsers fetch on their own (pages link the SVG one): a 48 px PNG in an ICO container."""
    return file_response("favicon.ico", max_age=7 * 24 * 3600)  # from memory: no file left open


# Query parameters that make a different page (a filter or a page of a list); any other (utm_*, sort,
# a stale need id...) is left out of the canonical URL.
CANONICAL_PARAMS = ("region", "year", "month", "item", "category", "page")


@bp.app_template_global()
def canonical_url() -> str:
    """This page's own absolute URL in its language, with only the query parameters that change the page."""
    kept = [(key, value) for key in CANONICAL_PARAMS for value in request.args.getlist(key)[:1] if value]
    query = ("?" + urlencode(kept)) if kept else ""
    return request.host_url.rstrip("/") + request.path + query


def static_pages():
    """Endpoints of public pages that take only a language: found from the URL map."""
    for rule in current_app.url_map.iter_rules():
        view = current_app.view_functions.get(rule.endpoint)
        if (
            rule.arguments == {"lang"}
            and "GET" in rule.methods
            and not getattr(view, "sitemap_exclude", False)
            and "." not in rule.rule.rsplit("/", 1)[-1]
        ):
            yield rule.endpoint, {}, None


def sitemap_exclude(view):
    """Keep a page out of the sitemap (forms' result pages, embeds)."""
    view.sitemap_exclude = True
    return view


@bp.get("/sitemap.xml")
@cacheable("*", cookies=False)
def sitemap():
    """Every public page in every language, with hreflang alternates."""
    entries = []
    sources = [static_pages()] + [provider() for provider in _sitemap_providers]
    for source in sources:
        for endpoint, values, lastmod in source:
            urls = {
                lang: url_for(endpoint, lang=lang, _external=True, **values) for lang in LANGUAGES
            }
            for lang in LANGUAGES:
                entries.append({"loc": urls[lang], "alternates": urls, "lastmod": lastmod})
    body = render_template("site/sitemap.xml", entries=entries)
    return current_app.response_class(body, mimetype="application/xml")
