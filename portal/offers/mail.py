"""Confirmation email to the sponsor, when the site has ``MAIL_SERVER`` configured.

Sent after the offer is committed; a failing mail server is logged (without the
address) and never loses or fails the offer. Plain ``smtplib``: one message per
offer does not justify a mail framework.

Settings: ``MAIL_SERVER``, ``MAIL_PORT`` (25), ``MAIL_USE_TLS`` (STARTTLS),
``MAIL_USE_SSL``, ``MAIL_USERNAME``, ``MAIL_PASSWORD``, ``MAIL_DEFAULT_SENDER``,
``MAIL_TIMEOUT`` (seconds, 5).
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, render_template
from flask_babel import force_locale, gettext as _


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def build_confirmation(offer) -> EmailMessage:
    """The message in the language the sponsor used on the site."""
    config = current_app.config
    with force_locale(offer.language or "kk"):
        subject = _("Your offer of help %(reference)s has been received", reference=offer.reference)
        body = render_template("offers/_email_confirmation.html", offer=offer)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config.get("MAIL_DEFAULT_SENDER") or "no-reply@localhost"
    message["To"] = offer.email
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="mektepke-zhol")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


def send_confirmation(offer) -> bool:
    """Send the confirmation if mail is configured and the sponsor gave an email; ``True`` when sent."""
    if not (mail_configured() and offer.email):
        return False
    config = current_app.config
    host, port = config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25)
    timeout = float(config.get("MAIL_TIMEOUT") or 5)
    try:
        message = build_confirmation(offer)
        smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
        with smtp_class(host, port, timeout=timeout) as smtp:
            if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException, ValueError) as error:
        # The class name only: SMTP errors quote the recipient's address, which must not reach the logs.
        current_app.logger.warning("offer %s: confirmation email not sent (%s)", offer.reference, type(error).__name__)
        return False
    return True
