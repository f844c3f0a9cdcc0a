"""Anonymous appeals, the reporter's side: form, receipt, keeping it, checking it, adding information."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal import submitonce
from portal.appeals import receipts, services
from portal.appeals.models import Appeal, AppealMessage
from portal.extensions import db

LANGS = ("kk", "ru", "en")
TEXT = "The school asks every family for 15 000 tenge for new curtains, or the child cannot start."


@pytest.fixture(autouse=True)
def cheap_hashing(app):
    """Argon2id at its cheapest and a fixed pepper: the production cost is for attackers, not for tests."""
    app.config.update(APPEAL_PEPPER="test-pepper", APPEAL_HASH_TIME_COST=1, APPEAL_HASH_MEMORY_KIB=64)


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


# --- helpers (also used by test_appeals_anonymity.py) -------------------------------


def hidden(html: str, name: str) -> str:
    match = re.search(r'name="%s" type="hidden" value="([^"]*)"' % name, html)
    assert match, f"no hidden field {name}"
    return match.group(1)


def form_data(client, lang="en", **overrides) -> dict:
    html = client.get(f"/{lang}/appeal").get_data(as_text=True)
    data = {
        "nonce": hidden(html, "nonce"),
        "category": "forced_fees",
        "region": "KZ-71",
        "settlement": "School No. 12",
        "message": TEXT,
        "callback_phone": "",
        "submit": "1",
    }
    if 'name="csrf_token"' in html:
        data["csrf_token"] = hidden(html, "csrf_token")
    data.update(overrides)
    return data


def receipt_code(html: str) -> str:
    match = re.search(r'class="receipt-code">(.*?)</p>', html, re.S)
    assert match, "no receipt on the page"
    return re.sub(r"\D", "", re.sub(r"<[^>]+>", "", match.group(1)))


def submit(client, lang="en", **overrides):
    """Send an appeal; ``(response, data)``."""
    data = form_data(client, lang, **overrides)
    return client.post(f"/{lang}/appeal", data=data), data


def submit_ok(client, lang="en", **overrides) -> str:
    response, _data = submit(client, lang, **overrides)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return receipt_code(response.get_data(as_text=True))


def check(client, code: str, lang="en"):
    html = client.get(f"/{lang}/appeal/check").get_data(as_text=True)
    data = {"code": code, "submit": "1"}
    if 'name="csrf_token"' in html:
        data["csrf_token"] = hidden(html, "csrf_token")
    return client.post(f"/{lang}/appeal/check", data=data)


def appeals(app) -> list[Appeal]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Appeal).order_by(Appeal.id)))


# --- the form ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_form_renders_in_every_language(client, lang):
    response = client.get(f"/{lang}/appeal")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}"' in html
    assert html.count("<h1") == 1
    assert 'class="quick-exit"' in html
    assert html.count('name="category"') == 5
    assert 'value="none"' in html and 'value="KZ-75"' in html  # "prefer not to say" and the regions
    assert 'id="collection-note"' in html
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_form_texts_are_translated(client):
    kk = client.get("/kk/appeal").get_data(as_text=True)
    ru = client.get("/ru/appeal").get_data(as_text=True)
    assert "Анонимді хабарлау" in kk and "Беттен тез кету" in kk
    assert "Сообщить анонимно" in ru and "Быстро покинуть страницу" in ru
    assert "Я предпочитаю не указывать" in ru


@pytest.mark.parametrize("category", ["not_attending", "family_needs_help", "forced_fees", "fair_problem", "other"])
def test_category_can_be_preselected_by_link(client, category):
    html = client.get(f"/ru/appeal?category={category}").get_data(as_text=True)
    assert re.search(r'<input checked id="category-\d" name="category" required type="radio" value="%s">' % category, html)
    assert html.count("checked") == 1


def test_unknown_preselected_category_is_ignored(client):
    html = client.get("/en/appeal?category=<script>").get_data(as_text=True)
    assert "checked" not in html and "<script>" not in html.split("</head>", 1)[1].split('class="site-footer"')[0]


def test_menu_links_to_the_form(client):
    html = client.get("/kk/").get_data(as_text=True)
    assert 'href="/kk/appeal"' in html


def test_sitemap_lists_the_form_but_not_check_or_done(client):
    xml = client.get("/sitemap.xml").get_data(as_text=True)
    assert "/kk/appeal</loc>" in xml
    assert "/appeal/check" not in xml and "/appeal/done" not in xml


# --- submitting and the receipt -------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_submit_commits_before_showing_the_receipt(app, client, lang):
    response, _ = submit(client, lang, callback_phone="8 701 123 45 67")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    code = receipt_code(html)
    assert len(code) == 21 and receipts.has_valid_check_digit(code)
    assert re.search(r"(\d{4} ){5}\d", re.sub(r"</?span[^>]*>", "", html))  # groups of four
    assert response.headers["Cache-Control"] == "no-store"
    # A new session (another request, another connection) sees the committed appeal.
    [appeal] = appeals(app)
    assert (appeal.category, appeal.region_code, appeal.settlement) == ("forced_fees", "KZ-71", "School No. 12")
    assert appeal.message == TEXT and appeal.callback_phone == "+77011234567"
    assert appeal.status == "new" and not appeal.receipt_confirmed
    with app.app_context():
        assert receipts.find_appeal(code).id == appeal.id
    assert code not in response.headers.get("Location", "") and code not in response.headers.get("Set-Cookie", "")


def test_prefer_not_to_say_region_is_stored_as_none(app, client):
    submit_ok(client, region="none", settlement="")
    [appeal] = appeals(app)
    assert appeal.region_code is None


def test_created_on_is_a_date_without_time(app, client):
    submit_ok(client)
    [appeal] = appeals(app)
    import datetime as dt

    assert type(appeal.created_on) is dt.date
    assert appeal.created_on == dt.date(2023, 8, 15)
    assert isinstance(Appeal.__table__.c.created_on.type, sa.Date)


def test_reload_or_double_submit_creates_no_second_appeal(app, client):
    response, data = submit(client)
    code = receipt_code(response.get_data(as_text=True))
    again = client.post("/en/appeal", data=data)  # the browser's "resend" or a second click
    assert again.status_code == 200
    assert receipt_code(again.get_data(as_text=True)) == code  # the same receipt, so nothing is lost
    assert "was not sent a second time" in again.get_data(as_text=True)
    assert len(appeals(app)) == 1


def test_receipt_is_not_shown_again_after_it_was_confirmed(app, client):
    response, data = submit(client)
    html = response.get_data(as_text=True)
    code = receipt_code(html)
    confirm = client.post("/en/appeal/confirm", data={"nonce": hidden(html, "nonce"), "last_digits": code[-5:]})
    assert confirm.status_code == 302 and confirm.headers["Location"].endswith("/en/appeal/done")
    assert appeals(app)[0].receipt_confirmed
    again = client.post("/en/appeal", data=data)
    assert again.status_code == 200
    text = again.get_data(as_text=True)
    assert "already been sent" in text and 'class="receipt-code"' not in text and code not in re.sub(r"\D", "", text)
    assert len(appeals(app)) == 1


def test_receipt_is_not_shown_again_after_the_redisplay_window(app, client):
    _response, data = submit(client)
    app.config["APPEAL_RECEIPT_REDISPLAY_SECONDS"] = -1
    again = client.post("/en/appeal", data=data)
    assert "already been sent" in again.get_data(as_text=True)
    assert 'class="receipt-code"' not in again.get_data(as_text=True)
    assert len(appeals(app)) == 1


def test_confirm_with_wrong_digits_shows_the_code_again(app, client):
    response, _ = submit(client, "ru")
    html = response.get_data(as_text=True)
    code = receipt_code(html)
    wrong = str((int(code[-5:]) + 1) % 100000).zfill(5)
    confirm = client.post("/ru/appeal/confirm", data={"nonce": hidden(html, "nonce"), "last_digits": wrong})
    assert confirm.status_code == 422
    page = confirm.get_data(as_text=True)
    assert receipt_code(page) == code
    assert "Эти цифры не совпадают" in page
    assert not appeals(app)[0].receipt_confirmed
    # Spaces as written on paper are fine.
    ok = client.post("/ru/appeal/confirm", data={"nonce": hidden(html, "nonce"), "last_digits": f"{code[-5:-1]} {code[-1]}"})
    assert ok.status_code == 302
    assert appeals(app)[0].receipt_confirmed


def test_confirm_with_a_forged_nonce_shows_no_code(client):
    submit_ok(client)
    response = client.post("/en/appeal/confirm", data={"nonce": "forged", "last_digits": "12345"})
    assert response.status_code == 200
    assert 'class="receipt-code"' not in response.get_data(as_text=True)


def test_done_page_has_no_code_and_no_form(client):
    response = client.get("/kk/appeal/done")
    assert response.status_code == 200
    assert "<form" not in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_receipt_page_has_print_button_and_confirm_step(client):
    response, _ = submit(client, "kk")
    html = response.get_data(as_text=True)
    assert 'class="button button-secondary js-print" hidden' in html
    assert 'action="/kk/appeal/confirm"' in html and 'name="last_digits"' in html
    assert "Түбіртек коды" in html or "түбіртек" in html.lower()


# --- hostile and wrong input ----------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"category": ""}, "category", "Choose what your report is about."),
        ({"category": "bribes"}, "category", "Choose one of the listed subjects."),
        ({"region": "KZ-99"}, "region", "Choose a region from the list"),
        ({"region": "x" * 5000}, "region", "Choose a region from the list"),
        ({"message": ""}, "message", "Please describe what happened."),
        ({"message": "too short"}, "message", "at least 20 characters"),
        ({"message": "a" * 5001}, "message", "under 5000 characters"),
        ({"message": TEXT + "\x00\x07"}, "message", "invisible control characters"),
        ({"message": TEXT + "\u202e"}, "message", "invisible control characters"),
        ({"settlement": "x" * 201}, "settlement", "under 200 characters"),
        ({"settlement": "a\x1bb"}, "settlement", "invisible control characters"),
        ({"callback_phone": "call me"}, "callback_phone", "Enter a Kazakhstan phone number"),
        ({"callback_phone": "+7 495 123 45 67"}, "callback_phone", "Enter a Kazakhstan phone number"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(app, client, overrides, field, message):
    response, _ = submit(client, **overrides)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    # A radio group's summary link lands on its first option (GOV.UK's error summary).
    assert f'<a href="#{field}-0">' in html if field == "category" else f'<a href="#{field}">' in html
    assert message in html
    assert "Traceback" not in html
    assert appeals(app) == []


@pytest.mark.parametrize("lang, message", [("kk", "Хабарламаңыз не туралы екенін таңдаңыз."), ("ru", "Выберите, о чём ваше обращение.")])
def test_error_messages_are_translated(client, lang, message):
    response, _ = submit(client, lang, category="")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_script_in_the_text_is_stored_as_text_and_escaped(app, client):
    evil = "<script>alert(1)</script> and <img src=x onerror=alert(2)> at the school gate today"
    code = submit_ok(client, message=evil, settlement="<b>x</b>")
    assert appeals(app)[0].message == evil
    html = check(client, code).get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>x</b>" not in html


def test_windows_newlines_are_normalised(app, client):
    submit_ok(client, message="Line one is long enough\r\nline two\r\n")
    assert appeals(app)[0].message == "Line one is long enough\nline two"


def test_missing_csrf_token_keeps_the_text(csrf_app):
    client = csrf_app.test_client()
    data = form_data(client, "ru")
    data.pop("csrf_token")
    response = client.post("/ru/appeal", data=data)
    assert response.status_code == 400  # refused like every POST route, with the text kept
    html = response.get_data(as_text=True)
    assert "Срок действия формы истёк" in html
    assert TEXT in html  # nothing the reporter wrote is lost
    assert appeals(csrf_app) == []


def test_with_csrf_token_the_appeal_goes_through(csrf_app):
    client = csrf_app.test_client()
    code = submit_ok(client)
    assert receipts.has_valid_check_digit(code)


def test_missing_or_forged_nonce_renews_the_form_and_keeps_the_text(app, client):
    for nonce in ("", "forged.nonce.value"):
        response, _ = submit(client, "kk", nonce=nonce)
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert TEXT in html
        assert 'role="alert"' in html
        assert hidden(html, "nonce") not in ("", nonce)
    assert appeals(app) == []


def test_form_open_too_long_is_renewed(app, client):
    data = form_data(client)
    app.config["APPEAL_FORM_MAX_AGE"] = -1
    response = client.post("/en/appeal", data=data)
    assert response.status_code == 422
    assert "open for a long time" in response.get_data(as_text=True)
    assert appeals(app) == []


def test_too_large_request_is_413_not_500(client):
    data = form_data(client, message="x" * (3 * 1024 * 1024))
    response = client.post("/en/appeal", data=data)
    assert response.status_code == 413
    assert "Traceback" not in response.get_data(as_text=True)


def test_get_with_odd_query_is_fine(client):
    assert client.get("/en/appeal?category=" + "x" * 3000).status_code == 200
    assert client.get("/en/appeal?region=%00").status_code == 200


# --- identifiers in the text --------------------------------------------------------


@pytest.mark.parametrize(
    "text, kinds",
    [
        ("The boy's IIN is 100901500011, he has not come to school since May.", ["iin"]),
        ("Call his mother on +7 701 123 45 67, she knows everything about it.", ["phone"]),
        ("Write to aigul.n@mail.kz, she saw how the teacher took the money.", ["email"]),
        ("ЖСН 150315600021, телефон 8 (701) 123-45-67, пошта a@b.kz екен.", ["iin", "phone", "email"]),
        ("School 45 asked 12 000 tenge on 15.08.2023 from each of 25 families.", []),
        ("Туған күні 2010-09-01, мектеп №7, 3-сынып, 1 250 000 теңге.", []),
    ],
)
def test_identifier_detection(text, kinds):
    assert services.find_identifiers(text) == kinds


def test_identifier_warning_then_edit_or_send_anyway(app, client):
    text = "My neighbour's son, IIN 100901500011, has not been at school for a month."
    response, data = submit(client, "en", message=text)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Your text may identify someone" in html
    assert "looks like an IIN" in html
    assert 'name="send_anyway"' in html and '<a href="#message">' in html
    assert appeals(app) == []
    # Edited: goes through without a warning.
    edited = client.post("/en/appeal", data={**data, "message": "My neighbour's son has not been at school for a month."})
    assert edited.status_code == 200 and receipt_code(edited.get_data(as_text=True))
    # Or sent as it is.
    response, data = submit(client, "en", message=text)
    sent = client.post("/en/appeal", data={**data, "send_anyway": "1"})
    assert sent.status_code == 200
    assert text in [a.message for a in appeals(app)]  # ids are random: no order among appeals (issue 22)


def test_identifier_warning_is_translated(client):
    response, _ = submit(client, "kk", message="Хабарласыңыз: +7 701 123 45 67, мен бәрін айтып беремін.")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Мәтініңіз біреуді анықтауы мүмкін" in html


# --- checking a receipt ----------------------------------------------------------------


def test_check_form(client):
    response = client.get("/ru/appeal/check")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'method="post"' in html and 'name="code"' in html
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("lang", LANGS)
def test_check_shows_status_and_replies_but_not_notes(app, client, lang):
    code = submit_ok(client, lang)
    with app.app_context():
        appeal = db.session.scalar(sa.select(Appeal))
        appeal.status = "answered"
        appeal.messages.append(AppealMessage(kind="reply", body="We spoke to the school director."))
        appeal.messages.append(AppealMessage(kind="note", body="INTERNAL: director is a cousin"))
        db.session.commit()
    response = check(client, receipts.format_code(code), lang)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "We spoke to the school director." in html
    assert "INTERNAL" not in html
    assert TEXT in html
    status = {"kk": "Жауап берілді", "ru": "Дан ответ", "en": "Answered"}[lang]
    assert status in html
    assert response.headers["Cache-Control"] == "no-store"


def test_code_with_dashes_and_spaces_is_accepted(client):
    code = submit_ok(client)
    typed = "-".join(code[i : i + 4] for i in range(0, 21, 4)) + "  "
    assert check(client, typed).status_code == 200


def test_typo_in_the_code_is_reported_as_a_typo(client):
    code = submit_ok(client)
    typo = code[:3] + str((int(code[3]) + 1) % 10) + code[4:]
    swapped = code[:5] + code[6] + code[5] + code[7:] if code[5] != code[6] else None
    for bad in filter(None, [typo, swapped]):
        response = check(client, bad, "ru")
        assert response.status_code == 422
        assert "В коде опечатка" in response.get_data(as_text=True)


def test_code_of_wrong_length(client):
    response = check(client, "1234 5678")
    assert response.status_code == 422
    assert "A receipt code has 21 digits" in response.get_data(as_text=True)


def _unknown_code(seed: int) -> str:
    digits = str(10**19 + seed)
    return digits + receipts.check_digit(digits)


def test_unknown_codes_get_one_and_the_same_answer(app, client, monkeypatch):
    submit_ok(client)
    calls = []
    real = receipts.receipt_hash
    monkeypatch.setattr(receipts, "receipt_hash", lambda code, salt=None: calls.append(code) or real(code, salt))
    answers = set()
    for seed in (1, 2, 3):
        response = check(client, _unknown_code(seed))
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        main = html[html.index("<main") : html.index("</main>")]
        answers.add(re.sub(r'value="\d+"', "", main))
    assert len(answers) == 1
    assert "We found no appeal with this code" in answers.pop()
    # The same work for every well-formed code: one slow hash each, found or not.
    assert len(calls) == 3


def test_a_deleted_appeal_answers_like_an_unknown_code(app, client):
    code = submit_ok(client)
    with app.app_context():
        db.session.execute(sa.delete(Appeal))
        db.session.commit()
    unknown = check(client, _unknown_code(7)).get_data(as_text=True)
    deleted = check(client, code).get_data(as_text=True)

    def main(html):
        return re.sub(r'value="\d+"', "", html[html.index("<main") : html.index("</main>")])

    assert main(unknown) == main(deleted)


def test_follow_up_is_added_once(app, client):
    code = submit_ok(client)
    html = check(client, code).get_data(as_text=True)
    data = {"code": hidden(html, "code"), "nonce": hidden(html, "nonce"), "message": "The fee was raised to 20 000 today."}
    response = client.post("/en/appeal/check/add", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Your information has been added" in page and "The fee was raised to 20 000 today." in page
    again = client.post("/en/appeal/check/add", data=data)  # reload of the result
    assert again.status_code == 200
    with app.app_context():
        messages = db.session.scalars(sa.select(AppealMessage)).all()
        assert [(m.kind, m.body) for m in messages] == [("reporter", "The fee was raised to 20 000 today.")]
        assert db.session.scalar(sa.select(Appeal)).reporter_updated
        assert messages[0].nonce_hash and messages[0].nonce_hash != data["nonce"]


def test_follow_up_identifier_warning_and_validation(app, client):
    code = submit_ok(client)
    html = check(client, code).get_data(as_text=True)
    base = {"code": hidden(html, "code"), "nonce": hidden(html, "nonce")}
    warned = client.post("/en/appeal/check/add", data={**base, "message": "Her email is x.y@mail.kz"})
    assert warned.status_code == 422 and "Your text may identify someone" in warned.get_data(as_text=True)
    empty = client.post("/en/appeal/check/add", data={**base, "message": ""})
    assert empty.status_code == 422 and "Please write what you want to add." in empty.get_data(as_text=True)
    sent = client.post("/en/appeal/check/add", data={**base, "message": "Her email is x.y@mail.kz", "send_anyway": "1"})
    assert sent.status_code == 200


def test_follow_up_with_a_wrong_code_answers_like_unknown(client):
    response = client.post("/en/appeal/check/add", data={"code": _unknown_code(5), "nonce": "x", "message": "hello there"})
    assert response.status_code == 422
    assert "We found no appeal with this code" in response.get_data(as_text=True)


def test_closed_appeal_takes_no_more_information(app, client):
    code = submit_ok(client)
    with app.app_context():
        db.session.scalar(sa.select(Appeal)).status = "closed"
        db.session.commit()
    html = check(client, code).get_data(as_text=True)
    assert "This report is closed" in html and 'name="message"' not in html
    nonce = services_nonce(app)
    response = client.post("/en/appeal/check/add", data={"code": code, "nonce": nonce, "message": "one more thing"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AppealMessage)) == 0


def services_nonce(app, purpose=services.FOLLOW_UP):
    with app.test_request_context():
        return submitonce.mint(purpose)


# --- rate limits --------------------------------------------------------------------


def test_submission_is_rate_limited(app, client):
    app.config["APPEAL_RATE_LIMIT"] = "2 per minute"
    for _ in range(2):
        submit_ok(client)
    response, _ = submit(client)
    assert response.status_code == 429
    assert response.headers["Cache-Control"] == "no-store"
    # The form comes back filled in (tests/test_design.py): nothing typed is lost.
    assert "Your report has not been sent yet" in response.get_data(as_text=True)
    assert len(appeals(app)) == 2
    # Reading the form is not limited.
    assert client.get("/en/appeal").status_code == 200


def test_checking_is_rate_limited_across_check_confirm_and_add(app, client):
    app.config["APPEAL_CHECK_RATE_LIMIT"] = "3 per minute"
    check(client, _unknown_code(1))
    client.post("/en/appeal/confirm", data={"nonce": "x", "last_digits": "1"})
    client.post("/en/appeal/check/add", data={"code": "1", "nonce": "x", "message": "x"})
    response = check(client, _unknown_code(2), "kk")
    assert response.status_code == 429
    assert response.headers["Cache-Control"] == "no-store"


def test_inline_validation_is_not_counted_and_writes_nothing(app, client):
    app.config["APPEAL_RATE_LIMIT"] = "1 per minute"
    data = form_data(client, message="short")
    headers = {"HX-Request": "true", "X-Validate-Field": "message"}
    for _ in range(3):
        response = client.post("/en/appeal", data=data, headers=headers)
        assert response.status_code == 200
        assert 'id="message-error"' in response.get_data(as_text=True)
        assert "at least 20 characters" in response.get_data(as_text=True)
    assert appeals(app) == []
    submit_ok(client)


def test_a_made_up_validation_header_does_not_dodge_the_limit(app, client):
    app.config["APPEAL_RATE_LIMIT"] = "1 per minute"
    headers = {"HX-Request": "true", "X-Validate-Field": "bogus"}
    assert client.post("/en/appeal", data=form_data(client), headers=headers).status_code == 200
    assert client.post("/en/appeal", data=form_data(client), headers=headers).status_code == 429
    assert len(appeals(app)) == 1


# --- receipt codes ------------------------------------------------------------------


def test_damm_catches_every_single_digit_error_and_adjacent_swap(app):
    with app.app_context():
        code = receipts.generate_code()
    for i in range(len(code)):
        for digit in "0123456789":
            if digit != code[i]:
                assert not receipts.has_valid_check_digit(code[:i] + digit + code[i + 1 :])
    for i in range(len(code) - 1):
        if code[i] != code[i + 1]:
            assert not receipts.has_valid_check_digit(code[:i] + code[i + 1] + code[i] + code[i + 2 :])


def test_format_and_normalise():
    code = "482109375562104877306"
    assert receipts.format_code(code) == "4821 0937 5562 1048 7730 6"
    assert receipts.normalise(" 4821-0937 5562\u00a01048–7730 6 ") == code
    assert not receipts.is_well_formed("48210937556210487730６")  # other scripts' digits are not digits here
    assert receipts.confirm_digits(code) == "77306"


def test_100000_codes_are_unique_well_formed_and_high_entropy(app):
    with app.app_context():
        codes = [receipts.generate_code() for _ in range(100_000)]
    assert len(set(codes)) == len(codes)
    assert all(receipts.is_well_formed(c) and receipts.has_valid_check_digit(c) for c in codes[:1000])
    # 20 random digits: every position uses every digit.
    for position in range(20):
        assert len({c[position] for c in codes[:2000]}) == 10
    assert receipts.RANDOM_DIGITS * 3.3219 >= 64


def test_hash_is_deterministic_keyed_and_salted(app):
    with app.test_request_context(method="POST"):
        salt = receipts.installation_salt()
        code = receipts.generate_code()
        first = receipts.receipt_hash(code, salt)
        assert first == receipts.receipt_hash(code, salt)
        assert len(first) == 64 and code not in first
        assert receipts.receipt_hash(code, b"another salt....") != first
        app.config["APPEAL_PEPPER"] = "another pepper"
        assert receipts.receipt_hash(code, salt) != first
        assert receipts.installation_salt() == salt  # one salt per installation


def test_pepper_file_is_created_once_outside_the_database(tmp_path):
    from portal import create_app
    from tests.conftest import make_config

    app = create_app(make_config("sqlite:///" + str(tmp_path / "x.sqlite3")))
    app.config["APPEAL_PEPPER"] = None  # the test config sets one; here the file must be made
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        first = receipts.pepper()
        path = tmp_path / "instance" / "appeal_pepper"
        assert path.is_file() and (path.stat().st_mode & 0o777) == 0o600
        app.extensions.pop("appeals_pepper")
        assert receipts.pepper() == first
        assert len(first) == 64


def test_production_hash_defaults_are_strong(app):
    from portal.config import Defaults

    assert Defaults.APPEAL_HASH_MEMORY_KIB >= 19 * 1024 and Defaults.APPEAL_HASH_TIME_COST >= 2


# --- demo data ---------------------------------------------------------------------


def test_demo_appeals_are_labelled_and_idempotent(app):
    from portal.appeals.demo import load_demo_appeals

    with app.app_context():
        assert load_demo_appeals() > 0
        db.session.commit()
        assert load_demo_appeals() == 0
        db.session.commit()
        demo = db.session.scalars(sa.select(Appeal)).all()
        assert demo and all(a.is_demo for a in demo)
        assert len({a.receipt_hash for a in demo}) == len(demo)
        assert any(a.region_code is None for a in demo)


# --- the staff inbox ----------------------------------------------------------------


@pytest.fixture
def inbox(app):
    """Appeals in Astana (own region of the coordinator), Mangystau, and without a region."""
    import datetime as dt

    from tests.factories import make_appeal

    with app.app_context():
        ids = {
            "own_new": make_appeal("KZ-71", created_on=dt.date(2023, 8, 15)).id,
            "own_old": make_appeal("KZ-71", category="not_attending", status="in_progress",
                                   created_on=dt.date(2023, 7, 1)).id,
            "other": make_appeal("KZ-47", created_on=dt.date(2023, 8, 10)).id,
            "none": make_appeal(None, category="other", created_on=dt.date(2023, 8, 12)).id,
        }
        db.session.commit()
    return ids


def _listed(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/staff/appeals/(\d+)"', html)}


def test_coordinator_sees_only_own_region(inbox, staff_client):
    client = staff_client("coordinator", "KZ-71")
    response = client.get("/staff/appeals/")
    assert response.status_code == 200
    assert _listed(response.get_data(as_text=True)) == {inbox["own_new"], inbox["own_old"]}
    assert client.get(f"/staff/appeals/{inbox['other']}").status_code == 404
    assert client.get(f"/staff/appeals/{inbox['none']}").status_code == 404
    assert client.post(f"/staff/appeals/{inbox['none']}/note", data={"note": "x"}).status_code == 404
    assert response.headers["Cache-Control"] == "no-store"


def test_admin_sees_all_and_those_without_region(inbox, staff_client):
    client = staff_client("admin")
    html = client.get("/staff/appeals/").get_data(as_text=True)
    assert _listed(html) == set(inbox.values())
    assert _listed(client.get("/staff/appeals/?region=none").get_data(as_text=True)) == {inbox["none"]}
    assert _listed(client.get("/staff/appeals/?region=KZ-47").get_data(as_text=True)) == {inbox["other"]}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("status=in_progress", {"own_old"}),
        ("status=new", {"own_new", "other", "none"}),
        ("category=not_attending", {"own_old"}),
        ("age=today", {"own_new"}),
        ("age=week", {"own_new", "other", "none"}),
        ("age=older", {"own_old"}),
        ("age=month", {"own_old"}),
        ("status=bogus&category=<x>&region=ZZ&age=1", {"own_new", "own_old", "other", "none"}),
    ],
)
def test_inbox_filters(inbox, staff_client, query, expected):
    client = staff_client("admin")
    response = client.get(f"/staff/appeals/?{query}")
    assert response.status_code == 200
    assert _listed(response.get_data(as_text=True)) == {inbox[k] for k in expected}


def test_inbox_htmx_fragment(inbox, staff_client):
    client = staff_client("admin")
    response = client.get("/staff/appeals/?status=new", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="results"') and "<html" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_staff_see_dates_without_time(app, inbox, staff_client):
    client = staff_client("admin")
    for url in ("/staff/appeals/", f"/staff/appeals/{inbox['own_new']}"):
        html = client.get(url).get_data(as_text=True)
        main = html[html.index("<main") : html.index("</main>")]
        assert "August 15, 2023" in main
        assert not re.search(r"\b\d{1,2}:\d{2}\b", main), "a clock time is shown"


def test_reply_is_seen_by_the_reporter_and_audited(app, client, staff_client):
    from portal.audit.models import AuditEntry

    code = submit_ok(client, region="KZ-71")
    [appeal] = appeals(app)
    staff = staff_client("coordinator", "KZ-71")
    response = staff.post(f"/staff/appeals/{appeal.id}/reply", data={"body": "We have asked the school to stop.", "submit": "1"})
    assert response.status_code == 302
    with app.app_context():
        appeal = db.session.get(Appeal, appeal.id)
        assert appeal.status == "answered"
        [message] = appeal.messages
        assert (message.kind, message.staff_id) == ("reply", staff.user.id)
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "appeal_reply"))
        assert entry.object_type == "appeal" and entry.object_id == str(appeal.id) and entry.region_code == "KZ-71"
        assert entry.changes["status"] == ["new", "answered"]
        assert TEXT not in json_dump(entry.changes) and "asked the school" not in json_dump(entry.changes)
    html = check(client, code).get_data(as_text=True)
    assert "We have asked the school to stop." in html


def json_dump(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def test_reply_with_identifiers_warns_the_staff_member(app, inbox, staff_client):
    staff = staff_client("coordinator", "KZ-71")
    url = f"/staff/appeals/{inbox['own_new']}/reply"
    body = "Call the director on +7 701 123 45 67."
    warned = staff.post(url, data={"body": body, "submit": "1"})
    assert warned.status_code == 422
    assert "Your reply may identify someone" in warned.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AppealMessage)) == 0
    sent = staff.post(url, data={"body": body, "send_anyway": "1"})
    assert sent.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(AppealMessage.body)) == body


def test_note_stays_internal_and_is_audited(app, client, staff_client):
    from portal.audit.models import AuditEntry

    code = submit_ok(client, region="KZ-71")
    [appeal] = appeals(app)
    staff = staff_client("admin")
    assert staff.post(f"/staff/appeals/{appeal.id}/note", data={"note": "Director is on leave until Monday."}).status_code == 302
    detail = staff.get(f"/staff/appeals/{appeal.id}").get_data(as_text=True)
    assert "Director is on leave until Monday." in detail and "Internal note" in detail
    assert "Director is on leave" not in check(client, code).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.object_type == "appeal")) == "appeal_note"
    assert appeals(app)[0].status == "new"


def test_status_change_is_audited(app, inbox, staff_client):
    from portal.audit.models import AuditEntry

    staff = staff_client("coordinator", "KZ-71")
    url = f"/staff/appeals/{inbox['own_new']}/status"
    for status in ("in_progress", "answered", "closed"):
        assert staff.post(url, data={"status": status}).status_code == 302
    assert staff.post(url, data={"status": "deleted"}).status_code == 422
    with app.app_context():
        assert db.session.get(Appeal, inbox["own_new"]).status == "closed"
        entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "appeal_status").order_by(AuditEntry.id)).all()
        assert [e.changes["status"] for e in entries] == [["new", "in_progress"], ["in_progress", "answered"], ["answered", "closed"]]


def test_reporter_follow_up_is_flagged_for_staff(app, client, staff_client):
    code = submit_ok(client, region="KZ-71")
    html = check(client, code).get_data(as_text=True)
    client.post("/en/appeal/check/add", data={"code": hidden(html, "code"), "nonce": hidden(html, "nonce"),
                                                "message": "One more detail: it happened twice."})
    staff = staff_client("coordinator", "KZ-71")
    listing = staff.get("/staff/appeals/").get_data(as_text=True)
    assert "new information" in listing
    [appeal] = appeals(app)
    detail = staff.get(f"/staff/appeals/{appeal.id}").get_data(as_text=True)
    assert "One more detail: it happened twice." in detail and "Information from the reporter" in detail


def test_staff_pages_in_kazakh(inbox, staff_client, app):
    client = staff_client("admin")
    with app.app_context():
        from portal.staff.models import StaffUser

        db.session.get(StaffUser, client.user.id).language = "kk"
        db.session.commit()
    html = client.get(f"/staff/appeals/{inbox['own_new']}").get_data(as_text=True)
    assert "Хабарлаушыға жауап" in html and "Ішкі жазба" in html
