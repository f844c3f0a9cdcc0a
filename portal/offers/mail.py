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

from flask import current_app, render_template, url_for
from flask_babel import force_locale, gettext as _


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def private_url(offer) -> str | None:
    """The sponsor's private page, absolute, in their language: only while the token is at hand (just issued)."""
    token = getattr(offer, "private_token", None)
    if not token:
        return None
    return url_for("offers.track", lang=offer.language or "kk", reference=offer.reference, token=token, _external=True)


def _message(offer, subject: str, body: str) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config.get("MAIL_DEFAULT_SENDER") or "no-reply@localhost"
    message["To"] = offer.email
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="mektepke-zhol")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


def build_confirmation(offer) -> EmailMessage:
    """The message in the language the sponsor used on the site, with the private link to follow the offer."""
    with force_locale(offer.language or "kk"):
        subject = _("Your offer of help %(reference)s has been received", reference=offer.reference)
        body = render_template("offers/_email_confirmation.html", offer=offer, private_url=private_url(offer))
    return _message(offer, subject, body)


def build_thanks(offer) -> EmailMessage:
    """The thank-you once an offer is delivered: what arrived where, in the sponsor's language."""
    from ..regions.models import regions_ordered

    with force_locale(offer.language or "kk"):
        labels = {r.code: r.label for r in regions_ordered()}
        subject = _("Thank you: your help %(reference)s has been delivered", reference=offer.reference)
        body = render_template("offers/_email_thanks.html", offer=offer, regions=labels)
    return _message(offer, subject, body)


def _send(offer, build) -> bool:
    """Send ``build(offer)`` if mail is configured and the sponsor gave an email; ``True`` when sent."""
    if not (mail_configured() and offer.email):
        return False
    config = current_app.config
    host, port = config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25)
    timeout = float(config.get("MAIL_TIMEOUT") or 5)
    try:
        message = build(offer)
        smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
        with smtp_class(host, port, timeout=timeout) as smtp:
            if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException, ValueError) as error:
        # The class name only: SMTP errors quote the recipient's address, which must not reach the logs.
        current_app.logger.warning("offer %s: email not sent (%s)", offer.reference, type(error).__name__)
        return False
    return True


def send_confirmation(offer) -> bool:
    """Send the confirmation if mail is configured and the sponsor gave an email; ``True`` when sent."""
    return _send(offer, build_confirmation)


def send_thanks(offer) -> bool:
    """Send the thank-you of a delivered offer once (``thanked_at``, committed here); ``True`` when sent."""
    if offer.status != "delivered" or offer.thanked_at is not None:
        return False
    if not _send(offer, build_thanks):
        return False
    from .. import clock
    from ..extensions import db

    offer.thanked_at = clock.now()
    db.session.commit()
    return True
