"""Public fair calendar: filters with and without htmx, month grid, local times, .ics files, embed, caching."""

from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import icalendar
import pytest

from portal.extensions import db
from tests.factories import make_fair

LANGS = ("kk", "ru", "en")
UTC = dt.timezone.utc
ASTANA = ZoneInfo("Asia/Almaty")
AKTAU = ZoneInfo("Asia/Aqtau")


def at(month, day, hour=10, minute=0, tz=ASTANA, year=2023) -> dt.datetime:
    """A wall-clock time in a zone, as the UTC instant the database stores."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=tz).astimezone(UTC)


def add(app, **fields) -> int:
    with app.app_context():
        fair = make_fair(**fields)
        db.session.commit()
        return fair.id


def fair_titles(html: str) -> list[str]:
    return re.findall(r'class="fair-title"><a href="[^"]+">(?:<span lang="\w\w">)?([^<]+)<', html)


# --- list and filters ----------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_list_shows_upcoming_fairs_soonest_first_and_cancelled_ones_as_cancelled(app, client, lang):
    add(app, title_en="Later", starts_at=at(8, 25))
    add(app, title_en="Sooner", starts_at=at(8, 16))
    add(app, title_en="Gone", starts_at=at(8, 10))  # before FROZEN_NOW (15 August)
    add(app, title_en="Called off", starts_at=at(8, 20), status="cancelled")
    response = client.get(f"/{lang}/fairs/")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    html = response.get_data(as_text=True)
    assert html.count("<h1>") == 1
    if lang == "en":
        assert fair_titles(html) == ["Sooner", "Called off", "Later"]
    cancelled = html[html.index("is-cancelled"):]
    cancelled = cancelled[: cancelled.index("</li>")]
    assert {"kk": "Болдырылмады", "ru": "Отменено", "en": "Cancelled"}[lang] in cancelled
    past = client.get(f"/{lang}/fairs/?when=past").get_data(as_text=True)
    assert len(fair_titles(past)) == 1


def test_a_fair_still_running_counts_as_upcoming(app, client):
    # 15 August 2023, 10:00–14:00 in Astana; now is 12:00 there.
    add(app, title_en="Today", starts_at=at(8, 15, 10), hours=4)
    assert fair_titles(client.get("/en/fairs/").get_data(as_text=True)) == ["Today"]


def test_filters_region_kind_month_remote(app, client):
    add(app, title_en="Astana school", region_code="KZ-71", starts_at=at(8, 20))
    add(app, title_en="Aktau school", region_code="KZ-47", starts_at=at(8, 21, tz=AKTAU))
    add(app, title_en="Aktau mobile", region_code="KZ-47", kind="mobile", is_remote=True,
        starts_at=at(9, 2, tz=AKTAU))
    add(app, title_en="Astana charity", region_code="KZ-71", kind="charity", starts_at=at(9, 5))

    def shown(query):
        response = client.get("/en/fairs/" + query)
        assert response.status_code == 200
        return set(fair_titles(response.get_data(as_text=True)))

    assert shown("") == {"Astana school", "Aktau school", "Aktau mobile", "Astana charity"}
    assert shown("?region=KZ-47") == {"Aktau school", "Aktau mobile"}
    assert shown("?kind=mobile") == {"Aktau mobile"}
    assert shown("?month=2023-09") == {"Aktau mobile", "Astana charity"}
    assert shown("?month=2023-08&region=KZ-71") == {"Astana school"}
    assert shown("?remote=1") == {"Aktau mobile"}
    assert shown("?remote=0") == shown("")
    # Stale or mistyped parameters are dropped, not an error.
    assert shown("?region=KZ-99&kind=circus&month=2019-01") == shown("")


def test_filter_form_keeps_its_state_and_links_follow_it(client, app):
    add(app, region_code="KZ-47", kind="mobile", is_remote=True, starts_at=at(9, 2, tz=AKTAU))
    html = client.get("/ru/fairs/?region=KZ-47&kind=mobile&month=2023-09&remote=1").get_data(as_text=True)
    assert '<option selected value="KZ-47">' in html
    assert '<option selected value="mobile">' in html
    assert '<option selected value="2023-09">' in html
    assert re.search(r'<input checked id="remote" name="remote" type="checkbox" value="1">', html)
    # A plain GET form (works without JavaScript) with htmx on top, pushing the URL.
    form = re.search(r"<form class=\"filters\"[^>]*>", html, re.S).group(0)
    assert 'method="get" action="/ru/fairs/"' in form
    assert 'data-hx-get="/ru/fairs/"' in form and 'data-hx-push-url="true"' in form and 'data-hx-target="#fair-results"' in form
    # The calendar subscription honours the same filters with a short URL.
    feed = re.search(r'href="(/ru/fairs/calendar\.ics[^"]*)"', html).group(1)
    assert feed == "/ru/fairs/calendar.ics?region=KZ-47&amp;kind=mobile&amp;month=2023-09&amp;remote=1"
    assert len("https://mektepke-zhol.kz" + feed.replace("&amp;", "&")) < 120
    assert 'href="webcal://localhost/ru/fairs/calendar.ics?region=KZ-47' in html
    # So does the switch to the month grid.
    assert 'href="/ru/fairs/month?region=KZ-47&amp;kind=mobile&amp;month=2023-09&amp;remote=1"' in html


def test_htmx_gets_the_results_fragment_and_a_clean_url_to_push(app, client):
    add(app, region_code="KZ-47", starts_at=at(8, 21, tz=AKTAU))
    url = "/kk/fairs/?region=KZ-47&kind=&month=&when=upcoming"
    htmx = client.get(url, headers={"HX-Request": "true"})
    fragment = htmx.get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="fair-results"')
    assert "<html" not in fragment
    assert htmx.headers["HX-Push-Url"] == "/kk/fairs/?region=KZ-47"
    assert "HX-Request" in htmx.headers["Vary"]
    plain = client.get(url)
    assert "<html" in plain.get_data(as_text=True) and "HX-Request" in plain.headers["Vary"]
    assert "HX-Push-Url" not in plain.headers
    boosted = client.get(url, headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)


def test_month_filter_uses_each_regions_own_midnight(app, client):
    # 1 September 00:30 in Aktau (+5) is 31 August 19:30 UTC; 31 August 23:30 in Astana (+6) is 17:30 UTC.
    add(app, title_en="Aktau first of September", region_code="KZ-47", starts_at=at(9, 1, 0, 30, tz=AKTAU))
    add(app, title_en="Astana last of August", region_code="KZ-71", starts_at=at(8, 31, 23, 30))
    september = fair_titles(client.get("/en/fairs/?month=2023-09").get_data(as_text=True))
    august = fair_titles(client.get("/en/fairs/?month=2023-08").get_data(as_text=True))
    assert september == ["Aktau first of September"]
    assert august == ["Astana last of August"]


def test_list_paginates_in_the_database(app, client):
    with app.app_context():
        for i in range(45):
            make_fair(starts_at=at(8, 16) + dt.timedelta(hours=i))
        db.session.commit()
    html = client.get("/en/fairs/").get_data(as_text=True)
    assert len(fair_titles(html)) == 20
    assert "45 upcoming events" in html
    assert 'href="/en/fairs/?page=2" rel="next"' in html
    page3 = client.get("/en/fairs/?page=3").get_data(as_text=True)
    assert len(fair_titles(page3)) == 5
    assert 'href="/en/fairs/?page=2" rel="prev"' in page3
    assert client.get("/en/fairs/?page=4").status_code == 404


@pytest.mark.parametrize("path", ["/ru/fairs/", "/ru/fairs/month", "/ru/fairs/calendar.ics", "/ru/fairs/embed",
                                  "/ru/fairs/?region=KZ-71&remote=1", "/ru/"])
def test_pages_run_a_bounded_number_of_queries(app, client, count_queries, path):
    with app.app_context():
        for i in range(20):
            make_fair(starts_at=at(8, 16) + dt.timedelta(hours=i), region_code=("KZ-71", "KZ-47")[i % 2])
        db.session.commit()
    client.get(path)
    with count_queries() as few:
        assert client.get(path).status_code == 200
    with app.app_context():
        for i in range(180):
            make_fair(starts_at=at(8, 17) + dt.timedelta(hours=i), region_code=("KZ-71", "KZ-47", "KZ-61")[i % 3],
                      is_remote=bool(i % 2))
        db.session.commit()
    with count_queries() as many:
        assert client.get(path).status_code == 200
    # Equal, but for the COUNT that pagination skips when the first page is not full.
    assert many.count <= min(10, few.count + 1), many.statements


# --- month grid ----------------------------------------------------------------------


def test_month_grid_shows_the_days_of_the_month(app, client):
    add(app, title_en="Two-day fair", starts_at=at(8, 22, 10), ends_at=at(8, 23, 18))
    add(app, title_en="Called off", starts_at=at(8, 28, 10), status="cancelled")
    add(app, title_en="September fair", starts_at=at(9, 3, 10))
    html = client.get("/en/fairs/month").get_data(as_text=True)  # August: the campaign month of "today"
    assert '<h2 id="grid-title">August 2023</h2>' in html
    assert len(re.findall(r'<td class="day(?: empty)?">', html)) == 31
    assert html.count("Two-day fair") == 2  # on both days
    assert "10:00</span> Two-day fair" in html
    assert "September fair" not in html
    cell = html[html.index("Called off"):]
    assert "Cancelled" in cell[: cell.index("</li>")]
    assert 'href="/en/fairs/month?month=2023-09" rel="next"' in html
    september = client.get("/en/fairs/month?month=2023-09").get_data(as_text=True)
    assert "September fair" in september and html.count("<h1>") == 1
    assert 'href="/en/fairs/month?month=2023-08" rel="prev"' in september
    htmx = client.get("/en/fairs/month?month=2023-09", headers={"HX-Request": "true"})
    assert htmx.get_data(as_text=True).lstrip().startswith('<div id="fair-results"')
    assert htmx.headers["HX-Push-Url"] == "/en/fairs/month?month=2023-09"


# --- local times and the 2024 zone change ----------------------------------------------


@pytest.mark.parametrize(
    "region, starts_at, offset",
    [
        ("KZ-71", dt.datetime(2023, 8, 15, 4, 0, tzinfo=UTC), "UTC+6"),  # Astana, 2023: +6
        ("KZ-47", dt.datetime(2023, 8, 15, 5, 0, tzinfo=UTC), "UTC+5"),  # Aktau, always +5
        ("KZ-71", dt.datetime(2024, 8, 15, 5, 0, tzinfo=UTC), "UTC+5"),  # Astana after 1 March 2024
        ("KZ-47", dt.datetime(2024, 8, 15, 5, 0, tzinfo=UTC), "UTC+5"),
    ],
)
def test_detail_shows_local_time_across_the_2024_zone_change(app, client, region, starts_at, offset):
    fair_id = add(app, region_code=region, starts_at=starts_at, hours=4, organiser="Akimat", offer_en="Notebooks -20%")
    html = client.get(f"/en/fairs/{fair_id}").get_data(as_text=True)
    assert "August 15, %d, 10:00–14:00" % starts_at.year in html
    assert offset in html
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "Event" and data["@context"] == "https://schema.org"
    start = dt.datetime.fromisoformat(data["startDate"])
    assert start.hour == 10 and start.astimezone(UTC) == starts_at
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["location"]["address"]["addressCountry"] == "KZ"
    assert data["organizer"]["name"] == "Akimat"
    assert data["url"] == f"http://localhost/en/fairs/{fair_id}"
    assert "Notebooks -20%" in html


@pytest.mark.parametrize("lang", LANGS)
def test_detail_page_in_every_language(app, client, lang):
    fair_id = add(app, title_en="", title_ru="Только русское название", title_kk="", status="cancelled",
                  settlement="Бұлақ ауылы", is_remote=True, kind="mobile")
    response = client.get(f"/{lang}/fairs/{fair_id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count("<h1>") == 1
    assert 'class="notice notice-cancelled"' in html
    assert "https://schema.org/EventCancelled" in html
    assert f'href="/fairs/{fair_id}.ics?lang={lang}"' in html
    assert 'href="webcal://localhost/%s/fairs/calendar.ics?region=KZ-71"' % lang in html
    if lang != "ru":
        assert '<h1><span lang="ru">Только русское название</span></h1>' in html
        assert 'role="note"' in html
    assert client.get(f"/{lang}/fairs/99999").status_code == 404


# --- iCalendar ---------------------------------------------------------------------


def parse_ics(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    cal = icalendar.Calendar.from_ical(response.data)
    assert str(cal["VERSION"]) == "2.0" and cal["PRODID"]
    return cal


def test_one_event_ics_is_valid_with_zone_uid_stamp_sequence_and_links(app, client):
    astana = add(app, region_code="KZ-71", starts_at=dt.datetime(2023, 8, 15, 4, 0, tzinfo=UTC), hours=4,
                 title_ru="Ярмарка в Астане", sequence=3, description_ru="Форма и обувь")
    response = client.get(f"/fairs/{astana}.ics?lang=ru")
    assert 'filename="fair-%d.ics"' % astana in response.headers["Content-Disposition"]
    cal = parse_ics(response)
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == f"fair-{astana}@mektepke-zhol.kz"
    assert event["SEQUENCE"] == 3
    assert event.decoded("DTSTAMP") == dt.datetime(2023, 8, 15, 6, 0, tzinfo=UTC)  # last change (frozen now)
    start = event.decoded("DTSTART")
    assert start.hour == 10 and event["DTSTART"].params["TZID"] == "Asia/Almaty"
    assert start.astimezone(UTC) == dt.datetime(2023, 8, 15, 4, 0, tzinfo=UTC)
    assert event.decoded("DTEND").astimezone(UTC) == dt.datetime(2023, 8, 15, 8, 0, tzinfo=UTC)
    assert str(event["SUMMARY"]) == "Ярмарка в Астане"
    assert str(event["STATUS"]) == "CONFIRMED"
    page = f"http://localhost/ru/fairs/{astana}"
    assert str(event["URL"]) == page
    assert page in str(event["DESCRIPTION"]) and "Форма и обувь" in str(event["DESCRIPTION"])
    # The VTIMEZONE itself says +06 in 2023 and +05 after 1 March 2024.
    (zone,) = cal.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Asia/Almaty"
    tz = zone.to_tz()
    assert dt.datetime(2023, 8, 15, 10, tzinfo=tz).utcoffset() == dt.timedelta(hours=6)
    assert dt.datetime(2024, 8, 15, 10, tzinfo=tz).utcoffset() == dt.timedelta(hours=5)


def test_aktau_event_is_plus_five_in_2023(app, client):
    aktau = add(app, region_code="KZ-47", starts_at=dt.datetime(2023, 8, 15, 5, 0, tzinfo=UTC))
    cal = parse_ics(client.get(f"/fairs/{aktau}.ics"))
    (event,) = cal.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Asia/Aqtau"
    assert event.decoded("DTSTART").hour == 10
    (zone,) = cal.walk("VTIMEZONE")
    assert dt.datetime(2023, 8, 15, 10, tzinfo=zone.to_tz()).utcoffset() == dt.timedelta(hours=5)


@pytest.mark.parametrize("lang, prefix", [("kk", "Болдырылмады: "), ("ru", "Отменено: "), ("en", "Cancelled: ")])
def test_cancelled_event_keeps_its_uid_and_says_so(app, client, lang, prefix):
    fair_id = add(app, title_kk="Жәрмеңке", title_ru="Ярмарка", title_en="Fair", status="cancelled", sequence=2)
    for response in (client.get(f"/fairs/{fair_id}.ics?lang={lang}"), client.get(f"/{lang}/fairs/calendar.ics")):
        (event,) = parse_ics(response).walk("VEVENT")
        assert str(event["UID"]) == f"fair-{fair_id}@mektepke-zhol.kz"
        assert str(event["STATUS"]) == "CANCELLED"
        assert str(event["SUMMARY"]).startswith(prefix)
        assert event["SEQUENCE"] == 2


def test_one_event_language_follows_accept_language(app, client):
    fair_id = add(app, title_kk="Жәрмеңке", title_ru="Ярмарка", title_en="Fair")
    (event,) = parse_ics(client.get(f"/fairs/{fair_id}.ics", headers={"Accept-Language": "ru-RU"})).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Ярмарка"
    assert str(event["URL"]).endswith(f"/ru/fairs/{fair_id}")
    assert client.get("/fairs/99999.ics").status_code == 404


def test_calendar_feed_honours_the_filters_and_keeps_past_events(app, client):
    add(app, title_en="Past Astana", region_code="KZ-71", starts_at=at(8, 5))
    add(app, title_en="Aktau mobile", region_code="KZ-47", kind="mobile", is_remote=True, starts_at=at(9, 2, tz=AKTAU))
    add(app, title_en="Astana school", region_code="KZ-71", starts_at=at(8, 20))

    def summaries(query):
        cal = parse_ics(client.get("/en/fairs/calendar.ics" + query))
        return {str(e["SUMMARY"]) for e in cal.walk("VEVENT")}

    assert summaries("") == {"Past Astana", "Aktau mobile", "Astana school"}
    assert summaries("?region=KZ-71") == {"Past Astana", "Astana school"}
    assert summaries("?remote=1") == {"Aktau mobile"}
    assert summaries("?kind=mobile&month=2023-09") == {"Aktau mobile"}
    assert summaries("?month=2023-08") == {"Past Astana", "Astana school"}
    cal = parse_ics(client.get("/en/fairs/calendar.ics?region=KZ-71"))
    assert "Astana" in str(cal["X-WR-CALNAME"])
    assert cal["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    # Two zones in use: two VTIMEZONEs.
    assert {str(z["TZID"]) for z in parse_ics(client.get("/en/fairs/calendar.ics")).walk("VTIMEZONE")} == {
        "Asia/Almaty", "Asia/Aqtau"}


def test_empty_calendar_feed_is_still_valid(client):
    cal = parse_ics(client.get("/kk/fairs/calendar.ics?region=KZ-10"))
    assert cal.walk("VEVENT") == []
    assert cal.walk("VTIMEZONE")


def test_a_change_bumps_sequence_and_the_etag(app, client):
    fair_id = add(app)
    first = client.get(f"/fairs/{fair_id}.ics?lang=en")
    with app.app_context():
        from portal.fairs.models import Fair

        fair = db.session.get(Fair, fair_id)
        fair.venue = "Moved to the stadium"
        fair.sequence += 1
        db.session.commit()
    second = client.get(f"/fairs/{fair_id}.ics?lang=en", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    (event,) = parse_ics(second).walk("VEVENT")
    assert event["SEQUENCE"] == 1
    assert "Moved to the stadium" in str(event["LOCATION"])


# --- conditional requests ----------------------------------------------------------


@pytest.mark.parametrize("path", ["/kk/fairs/", "/ru/fairs/month", "/en/fairs/{id}", "/kk/fairs/calendar.ics",
                                  "/fairs/{id}.ics?lang=kk", "/ru/fairs/embed"])
def test_etag_and_last_modified_give_304(app, client, path):
    fair_id = add(app)
    path = path.format(id=fair_id)
    first = client.get(path)
    assert first.status_code == 200
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200
    br = client.get(path, headers={"Accept-Encoding": "br"})
    if br.headers.get("Content-Encoding") == "br":
        assert client.get(path, headers={"Accept-Encoding": "br", "If-None-Match": br.headers["ETag"]}).status_code == 304


# --- embed -----------------------------------------------------------------------------


def test_embed_may_be_framed_and_has_no_script(app, client):
    add(app, title_en="Aktau fair", region_code="KZ-47", starts_at=at(8, 21, tz=AKTAU))
    add(app, title_en="Astana fair", region_code="KZ-71", starts_at=at(8, 21))
    response = client.get("/en/fairs/embed?region=KZ-47")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    assert "<script" not in html
    assert "css/embed." in html and "css/site." not in html
    assert "Aktau fair" in html and "Astana fair" not in html
    assert 'target="_blank" rel="noopener"' in html
    assert "Set-Cookie" not in response.headers
    # Every other fair page still refuses framing.
    other = client.get("/en/fairs/")
    assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"]
    assert other.headers["X-Frame-Options"] == "DENY"


# --- home page and the region cookie -------------------------------------------------------


def test_home_shows_next_fairs_and_remembers_a_region_in_a_cookie(app, client):
    add(app, title_en="Astana fair", region_code="KZ-71", starts_at=at(8, 16))
    add(app, title_en="Aktau fair", region_code="KZ-47", starts_at=at(8, 25, tz=AKTAU))
    home = client.get("/en/")
    html = home.get_data(as_text=True)
    assert "Next fairs" in html and "Astana fair" in html and "Aktau fair" in html
    assert "Set-Cookie" not in home.headers
    assert "Cookie" in home.headers["Vary"]
    # The region picker is a plain GET form: no JavaScript, no account.
    assert re.search(r'<form class="region-picker" method="get" action="/en/fairs/region">', html)
    choose = client.get("/en/fairs/region?region=KZ-47")
    assert choose.status_code == 303
    assert choose.headers["Location"] == "/en/#next-fairs"
    cookie = choose.headers["Set-Cookie"]
    assert cookie.startswith("region=KZ-47;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    html = client.get("/en/").get_data(as_text=True)
    assert "Next fairs: Mangystau Region" in html
    assert "Aktau fair" in html and "Astana fair" not in html
    assert '<option value="KZ-47" selected>' in html
    # A region without upcoming fairs keeps the section (to change the region) and says so.
    client.get("/en/fairs/region?region=KZ-10")
    html = client.get("/en/").get_data(as_text=True)
    assert "No upcoming fairs in this region yet." in html
    # Clearing the choice deletes the cookie.
    cleared = client.get("/en/fairs/region?region=")
    assert "region=;" in cleared.headers["Set-Cookie"] and "HttpOnly" in cleared.headers["Set-Cookie"]
    assert "Astana fair" in client.get("/en/").get_data(as_text=True)
    # No cookie to clear: nothing is set.
    assert "Set-Cookie" not in client.get("/en/fairs/region").headers


def test_region_cookie_is_host_prefixed_and_secure_behind_tls(app, database_url):
    from portal import create_app
    from tests.conftest import make_config

    add(app, region_code="KZ-47", starts_at=at(8, 25, tz=AKTAU))
    secure = create_app(make_config(database_url, PREFER_HTTPS=True))
    client = secure.test_client()
    cookie = client.get("/kk/fairs/region?region=KZ-47", base_url="https://localhost").headers["Set-Cookie"]
    assert cookie.startswith("__Host-region=KZ-47;")
    assert "Secure" in cookie and "HttpOnly" in cookie and "Path=/" in cookie and "Domain" not in cookie
    html = client.get("/kk/", base_url="https://localhost").get_data(as_text=True)
    assert 'value="KZ-47" selected' in html
    with secure.app_context():
        db.session.remove()
        db.engine.dispose()


def test_choosing_a_region_writes_nothing_to_the_database(app, client):
    import sqlalchemy as sa

    writes = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute",
                        lambda c, cur, stmt, *a: writes.append(stmt) if stmt.lstrip().upper().startswith(
                            ("INSERT", "UPDATE", "DELETE")) else None)
    client.get("/kk/fairs/region?region=KZ-71")
    client.get("/kk/")
    assert writes == []


# --- sitemap and demo ------------------------------------------------------------------


def test_sitemap_lists_fairs_but_not_the_embed_or_the_region_picker(app, client):
    fair_id = add(app)
    body = client.get("/sitemap.xml").get_data(as_text=True)
    for lang in LANGS:
        assert f"<loc>http://localhost/{lang}/fairs/{fair_id}</loc>" in body
        assert f"<loc>http://localhost/{lang}/fairs/</loc>" in body
    assert "/fairs/embed" not in body and "/fairs/region" not in body and ".ics" not in body


def test_demo_fairs_are_varied_and_labelled(app, client):
    from portal.fairs.demo import load_demo_fairs
    from portal.fairs.models import Fair

    with app.app_context():
        assert load_demo_fairs() == 15  # 12 in the current campaign, 3 in last year's
        db.session.commit()
        assert load_demo_fairs() == 0  # idempotent

        fairs = db.session.scalars(db.select(Fair)).all()
        assert all(f.is_demo for f in fairs)
        assert len({f.region_code for f in fairs}) >= 5
        assert any(f.is_remote and f.kind == "mobile" for f in fairs)
        assert sum(f.is_cancelled for f in fairs) == 1
        assert {f.campaign.year for f in fairs} == {2023, 2022}  # the frozen clock's campaign, and last year's
        assert all(f.campaign.starts_on <= f.local_start.date() <= f.campaign.ends_on for f in fairs)
    html = client.get("/ru/fairs/").get_data(as_text=True)
    assert html.count("badge-demo") == html.count('class="fair-item')
    assert "Демо-данные" in html


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("path", ["fairs/", "fairs/month", "fairs/?when=past", "fairs/embed", "news/", ""])
def test_no_english_ui_text_on_kazakh_and_russian_pages(app, client, lang, path):
    from portal.fairs.demo import load_demo_fairs
    from portal.news.demo import load_demo_news
    from tests.test_i18n import english_ui_strings, visible_text

    with app.app_context():
        load_demo_fairs()
        load_demo_news()
        db.session.commit()
    text = visible_text(client.get(f"/{lang}/{path}").get_data(as_text=True))
    leaked = [s for s in english_ui_strings() if s in text]
    assert not leaked, leaked


def test_a_past_fair_says_it_is_over_and_offers_no_calendar_entry(app, client):
    import datetime as dt

    past = add(app, starts_at=dt.datetime(2023, 8, 10, 4, tzinfo=dt.timezone.utc))
    html = client.get(f"/ru/fairs/{past}").get_data(as_text=True)
    assert "Это мероприятие уже прошло." in html and f"/fairs/{past}.ics" not in html
    upcoming = add(app, starts_at=dt.datetime(2023, 8, 25, 4, tzinfo=dt.timezone.utc))
    assert f"/fairs/{upcoming}.ics" in client.get(f"/ru/fairs/{upcoming}").get_data(as_text=True)


def test_empty_fair_list_says_what_it_is(app, client):
    html = client.get("/en/fairs/").get_data(as_text=True)
    assert "No upcoming fairs have been announced yet" in html and "No fairs match these filters" not in html
    filtered = client.get("/en/fairs/?region=KZ-71").get_data(as_text=True)
    assert "No fairs match these filters" in filtered and "Show all regions and kinds" in filtered
