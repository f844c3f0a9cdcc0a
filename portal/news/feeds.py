"""The Atom feed of the news, per language and optionally per region (RFC 4287)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from flask import current_app, g, request, url_for
from flask_babel import gettext as _

from .. import clock
from ..http import as_utc, cacheable, conditional, latest, valid_until
from ..extensions import db
from ..i18n import localised
from ..regions.models import regions_ordered
from . import bp
from .filters import NewsFilterForm, news_last_modified, news_statement
from .models import next_publication
from .routes import NEWS_TTL

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FEED_SIZE = 30
TAG_AUTHORITY = "mektepke-zhol.kz"


def rfc3339(moment: dt.datetime) -> str:
    return as_utc(moment).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _sub(parent, tag, text=None, **attrs):
    element = ET.SubElement(parent, "{%s}%s" % (ATOM, tag), {k: str(v) for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


def atom_feed(items, region) -> bytes:
    """The feed document for ``items`` (newest first) in the current language."""
    lang = g.lang
    args = {"region": region.code} if region else {}
    feed = ET.Element("{%s}feed" % ATOM, {XML_LANG: lang})
    scope = "/" + region.code if region else ""
    _sub(feed, "id", "tag:%s,2023:news/%s%s" % (TAG_AUTHORITY, lang, scope))
    title = _("Road to School: news")
    if region:
        title = _("Road to School: news of %(region)s", region=region.label)
    _sub(feed, "title", title)
    _sub(feed, "subtitle", _("News of the national «Road to School» campaign."))
    changed = [max(as_utc(n.updated_at), as_utc(n.published_at)) for n in items]
    _sub(feed, "updated", rfc3339(max(changed) if changed else clock.now()))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=url_for("news.feed", _external=True, **args))
    _sub(feed, "link", rel="alternate", type="text/html", href=url_for("news.index", _external=True, **args))
    author = _sub(feed, "author")
    _sub(author, "name", _("Road to School"))
    _sub(feed, "icon", url_for("static", filename="img/favicon.svg", _external=True))

    for news in items:
        entry = _sub(feed, "entry")
        title, title_lang = localised(news, "title", lang)
        body, body_lang = localised(news, "body_html", lang)
        summary, summary_lang = localised(news, "summary", lang)
        entry_lang = body_lang or title_lang
        if entry_lang and entry_lang != lang:
            entry.set(XML_LANG, entry_lang)
        published = as_utc(news.published_at)
        _sub(entry, "id", "tag:%s,%s:news/%d/%s" % (TAG_AUTHORITY, published.date().isoformat(), news.id, lang))
        _sub(entry, "title", title, type="text")
        _sub(entry, "link", rel="alternate", type="text/html",
             href=url_for("news.article", slug=news.slug, _external=True))
        _sub(entry, "published", rfc3339(published))
        _sub(entry, "updated", rfc3339(max(as_utc(news.updated_at), published)))
        if summary:
            _sub(entry, "summary", summary, type="text")
        if body:
            _sub(entry, "content", body, type="html")
        if news.region:
            _sub(entry, "category", term=news.region.code, label=news.region.label)
    ET.register_namespace("", ATOM)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


@bp.get("/feed.xml")
@cacheable("news", "regions", ttl=NEWS_TTL, params=("region",), cookies=False)
def feed():
    """Atom feed in this language; ``?region=KZ-71`` for one region (national news included)."""
    regions = regions_ordered()
    form = NewsFilterForm(request.args, regions)
    region = next((r for r in regions if r.code == form.region_code), None)
    items = db.session.scalars(news_statement(form.region_code).limit(FEED_SIZE)).unique().all()
    valid_until(next_publication())
    response = current_app.response_class(atom_feed(items, region), mimetype="application/atom+xml")
    return conditional(response, latest(*news_last_modified()), cache_control="public, max-age=900")
