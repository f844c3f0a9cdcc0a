"""Sending e-mail over SMTP with the site's ``MAIL_*`` settings, one connection for a batch.

Settings: ``MAIL_SERVER``, ``MAIL_PORT`` (25), ``MAIL_USE_TLS`` (STARTTLS), ``MAIL_USE_SSL``,
``MAIL_USERNAME``, ``MAIL_PASSWORD``, ``MAIL_DEFAULT_SENDER``, ``MAIL_TIMEOUT`` (seconds, 5).
Plain ``smtplib``: a few messages a day do not justify a mail framework. Used by the sponsors'
e-mails (``portal/offers/mail.py``), the staff digest and staff invitations.
"""

from __future__ import annotations

import smtplib
import ssl
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

ERRORS = (OSError, smtplib.SMTPException, ValueError)


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def new_message(to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="mektepke-zhol")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


@contextmanager
def smtp_connection():
    """An open, logged-in SMTP connection (raises one of ``ERRORS`` when the server cannot be reached)."""
    config = current_app.config
    host, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
    timeout = float(config["MAIL_TIMEOUT"])
    smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
    with smtp_class(host, port, timeout=timeout) as smtp:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        yield smtp
