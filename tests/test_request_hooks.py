"""The order of the app's request hooks, as a visitor sees it (portal.register_hooks, issue 21).

Every app-wide hook of ours is registered in one place, in the order it runs, around the extensions'
own (Flask-WTF's CSRF check, Flask-Limiter's limits). These tests pin what that order decides: a
forged Host and unreadable text are refused before the CSRF check reads the body, a view's larger
upload limit applies before the CSRF check reads it, and every answer — a 304 the app makes, a gzip
body — leaves with the security headers and the ETag of what was sent.
"""

from __future__ import annotations

import pytest

from portal import create_app
from portal.extensions import db
from tests.conftest import make_config

HOST = "mektepke-zhol.kz"


@pytest.fixture
def guarded_app(app, database_url):
    """CSRF on and a configured host, on the test database ``app`` has just reset."""
    guarded = create_app(make_config(database_url, WTF_CSRF_ENABLED=True, TRUSTED_HOSTS=[HOST]))
    yield guarded
    with guarded.app_context():
        db.session.remove()
        db.engine.dispose()


def post(app, path, data, host=HOST, content_type="application/x-www-form-urlencoded"):
    return app.test_client().post(path, data=data, content_type=content_type, headers={"Host": host})


def test_a_post_without_a_token_is_refused_by_the_csrf_check(guarded_app):
    """The baseline the tests below differ from: the translated 400 page of the CSRF check."""
    response = post(guarded_app, "/en/ready", "region=KZ-71")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert '<html lang="en"' in response.get_data(as_text=True)
    assert "not valid UTF-8" not in response.get_data(as_text=True)


def test_a_forged_host_is_refused_before_the_csrf_check(guarded_app):
    response = post(guarded_app, "/en/ready", "region=KZ-71", host="evil.example")
    assert response.status_code == 400
    assert response.mimetype == "text/plain"  # the bare answer of the host check, not the CSRF page
    assert "evil.example" not in response.get_data(as_text=True)


def test_text_that_is_not_utf8_is_refused_before_the_csrf_check(guarded_app):
    response = post(guarded_app, "/en/ready", "region=%ED%A0%80")
    assert response.status_code == 400
    assert "could not be read (it was not valid UTF-8)" in response.get_data(as_text=True)


def multipart(fields: dict, file: bytes) -> tuple[bytes, str]:
    """A multipart body built here: the test client spools a large one to a file it never closes."""
    boundary = "hook-order-boundary"
    parts = [b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (boundary.encode(), k.encode(), v.encode())
             for k, v in fields.items()]
    parts.append(b'--%s\r\nContent-Disposition: form-data; name="file"; filename="allocations.csv"\r\n'
                 b"Content-Type: text/csv\r\n\r\n%s\r\n--%s--\r\n" % (boundary.encode(), file, boundary.encode()))
    return b"".join(parts), "multipart/form-data; boundary=" + boundary


def test_an_upload_view_takes_a_body_larger_than_forms_before_the_csrf_check_reads_it(guarded_app):
    """3 MB: over MAX_CONTENT_LENGTH (2 MB), under the staff upload's REPORT_UPLOAD_MAX_BYTES (20 MB)."""
    body, content_type = multipart({"year": "2023"}, b"region,children\n" + b"KZ-71,1\n" * (3 * 1024 * 1024 // 8))
    upload = post(guarded_app, "/staff/reports/upload", body, content_type=content_type)
    assert upload.status_code == 400  # read whole, then refused for its missing token (and no sign-in)
    assert '<html lang="' in upload.get_data(as_text=True)
    form = post(guarded_app, "/staff/login", body, content_type=content_type)
    assert form.status_code == 413  # any other form: too large before anything reads it


def test_an_answer_the_app_makes_leaves_encoded_validated_and_with_the_security_headers(client):
    """http.finish runs last: the gzip body's ETag names the encoding, and the 304 repeats it with the headers."""
    first = client.get("/en/about", headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200 and first.headers["Content-Encoding"] == "gzip"
    assert first.headers["ETag"].endswith('-gzip"')
    again = client.get("/en/about", headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    for name in ("ETag", "Vary", "Cache-Control", "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"):
        assert again.headers.get(name) == first.headers.get(name), name
    assert "Server" not in again.headers


def test_a_hook_registered_outside_the_ordered_list_stops_the_start(monkeypatch, database_url):
    """A hook added by an ``init_app`` would run wherever its registration happened to fall: refused at start-up."""
    from portal import params

    original = params.init_app

    def init_app(app):
        original(app)
        app.before_request(params.replace_nul)

    monkeypatch.setattr(params, "init_app", init_app)
    with pytest.raises(RuntimeError, match="replace_nul"):
        create_app(make_config(database_url))
