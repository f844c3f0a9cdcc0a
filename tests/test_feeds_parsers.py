"""Feeds and calendar files as other programs read them, fetched from the live server (demo data).

- every Atom news feed (each language, the whole country and a region) through ``feedparser``: not
  "bozo" (well-formed and as the format says), entries with titles, links and dates;
- every .ics (the subscribable calendar in each language, with and without a region filter, and the
  single-fair files in each language) through THREE independent iCalendar parsers: ``icalendar``
  (the RFC 5545 reference in Python, strict mode), ``ics`` (ics.py, its own grammar) and ``vobject``.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings

import feedparser
import pytest
import requests

LANGS = ("kk", "ru", "en")


@pytest.fixture(scope="module")
def fair_ids(live_server):
    html = requests.get(live_server.url + "/en/fairs/", timeout=30).text
    ids = sorted({int(i) for i in re.findall(r'href="/en/fairs/(\d+)"', html)})[:3]
    assert ids, "the demo data has fairs"
    return ids


def feed_urls(base: str) -> list[str]:
    return [f"{base}/{lang}/news/feed.xml{query}" for lang in LANGS for query in ("", "?region=KZ-71")]


def calendar_urls(base: str, fair_ids: list[int]) -> list[str]:
    urls = [f"{base}/{lang}/fairs/calendar.ics{query}" for lang in LANGS for query in ("", "?region=KZ-75")]
    urls += [f"{base}/fairs/{fair_id}.ics?lang={lang}" for fair_id in fair_ids for lang in LANGS]
    return urls


def test_every_news_feed_parses_with_feedparser(live_server):
    for url in feed_urls(live_server.url):
        response = requests.get(url, timeout=30)
        assert response.status_code == 200, url
        assert response.headers["Content-Type"].startswith("application/atom+xml"), url
        parsed = feedparser.parse(response.content, response_headers={k.lower(): v for k, v in response.headers.items()})
        assert not parsed.bozo, (url, parsed.get("bozo_exception"))
        assert parsed.version == "atom10", url
        assert parsed.feed.title and parsed.feed.link, url
        assert parsed.feed.language if "language" in parsed.feed else True
        if "?region=" not in url:
            assert parsed.entries, url
        for entry in parsed.entries:
            assert entry.title and entry.link.startswith(live_server.url + "/") and entry.id, (url, entry)
            assert entry.updated_parsed, (url, entry.title)


def parse_with_icalendar(body: bytes) -> list[dict]:
    import icalendar

    calendar = icalendar.Calendar.from_ical(body)
    assert calendar.get("VERSION") == "2.0" and calendar.get("PRODID")
    events = []
    for event in calendar.walk("VEVENT"):
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        events.append({"uid": str(event["UID"]), "summary": str(event["SUMMARY"]), "start": start, "end": end})
    return events


def parse_with_ics(body: bytes) -> list[dict]:
    import ics

    with warnings.catch_warnings():
        # ics 0.7 warns that its behaviour will change in 0.8 (nothing this test relies on).
        warnings.simplefilter("ignore", FutureWarning)
        calendar = ics.Calendar(body.decode("utf-8"))
    return [{"uid": e.uid, "summary": e.name, "start": e.begin.datetime, "end": e.end.datetime}
            for e in calendar.events]


def parse_with_vobject(body: bytes) -> list[dict]:
    import vobject

    calendar = vobject.readOne(body.decode("utf-8"), validate=True)
    events = []
    for event in getattr(calendar, "vevent_list", []):
        events.append({"uid": event.uid.value, "summary": event.summary.value,
                       "start": event.dtstart.value, "end": event.dtend.value})
    return events


def _utc(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc) if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    return value


def test_every_calendar_parses_alike_with_three_parsers(live_server, fair_ids):
    counted = 0
    for url in calendar_urls(live_server.url, fair_ids):
        response = requests.get(url, timeout=30)
        assert response.status_code == 200, url
        assert response.headers["Content-Type"].startswith("text/calendar"), url
        body = response.content
        assert b"\r\n" in body and not re.search(rb"[^\r]\n", body), "lines end with CRLF: " + url
        results = {}
        for name, parse in (("icalendar", parse_with_icalendar), ("ics", parse_with_ics), ("vobject", parse_with_vobject)):
            try:
                events = parse(body)
            except Exception as error:  # noqa: BLE001 - name the parser that refused the file
                pytest.fail(f"{name} could not read {url}: {error!r}")
            results[name] = sorted(((e["uid"], e["summary"], _utc(e["start"]), _utc(e["end"])) for e in events))
        assert results["icalendar"] == results["ics"] == results["vobject"], url
        if "/fairs/calendar.ics" in url and "region" not in url or url.endswith(".ics?lang=en"):
            assert results["icalendar"], url
        counted += 1
    assert counted == 6 + 3 * len(fair_ids)
