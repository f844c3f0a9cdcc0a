"""The daily digest (issue 15): counts only, per staff member, opt-out, once a day, through a real SMTP
server (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import socket
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest

from portal.extensions import db
from tests.factories import make_appeal, make_offer, make_staff


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    from aiosmtpd.controller import Controller

    class Sink:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_DEFAULT_SENDER="noreply@mektep.kz",
                      SERVER_NAME="mektepke-zhol.example")
    yield sink
    controller.stop()


def _read(envelope):
    message = message_from_bytes(envelope.content)
    subject = str(make_header(decode_header(message["Subject"])))
    return envelope.rcpt_tos, subject, message.get_payload(decode=True).decode("utf-8")


def test_digest_has_counts_only_once_a_day(app, runner, smtp_server):
    with app.app_context():
        coordinator = make_staff(region_code="KZ-71", email="astana@example.kz")
        coordinator.language = "ru"
        make_staff(region_code="KZ-47", email="quiet@example.kz")  # nothing waits: no mail
        opted_out = make_staff(region_code="KZ-71", email="off@example.kz")
        opted_out.digest_opt_out = True
        make_staff(role="analyst", region_code=None, email="analyst@example.kz")
        make_appeal(created_on=dt.date(2023, 8, 14), category="not_attending",
                    message="SECRET details about a child", settlement="Village X")
        make_appeal(created_on=dt.date(2023, 8, 1))  # overdue
        make_offer()
        db.session.commit()
    result = runner.invoke(args=["digest", "send"])
    assert result.exit_code == 0, result.output
    assert "sent=1" in result.output
    assert len(smtp_server.messages) == 1
    to, subject, body = _read(smtp_server.messages[0])
    assert to == ["astana@example.kz"]
    assert "3\u00a0новых" in body and "1\u00a0просроч" in body, body
    # Nothing about the reporter: no text, no category, no place, no day of arrival.
    for leak in ("SECRET", "Village", "not attending", "посещает", "2023-08", "14.08", "01.08", "Astana"):
        assert leak not in body and leak not in subject
    # A second run the same day sends nothing.
    again = runner.invoke(args=["digest", "send"])
    assert "sent=0" in again.output and "already=1" in again.output
    assert len(smtp_server.messages) == 1


def test_digest_opt_out_in_the_back_office(app, staff_client):
    client = staff_client("coordinator", "KZ-71")
    assert client.post("/staff/digest").status_code == 303
    with app.app_context():
        from portal.staff.models import StaffUser

        assert db.session.get(StaffUser, client.user.id).digest_opt_out is True
    assert "Send me the daily summary" in client.get("/staff/").get_data(as_text=True)


def test_unreachable_server_releases_the_day(app, runner):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port(), MAIL_TIMEOUT=1, SERVER_NAME="x.example")
    with app.app_context():
        make_staff(region_code="KZ-71", email="astana@example.kz")
        make_appeal()
        db.session.commit()
    result = runner.invoke(args=["digest", "send"])
    assert result.exit_code == 0 and "failed=1" in result.output
    with app.app_context():
        from portal.staff.models import StaffUser
        import sqlalchemy as sa

        assert db.session.scalar(sa.select(StaffUser.digest_sent_on)) is None


def test_without_a_mail_server_the_command_says_so(runner):
    result = runner.invoke(args=["digest", "send"])
    assert result.exit_code != 0 and "MAIL_SERVER" in result.output
    assert runner.invoke(args=["digest", "send", "--dry-run"]).exit_code == 0
