"""E-mails to the sponsor (confirmation, a new private link, thanks), when the site has ``MAIL_SERVER`` configured.

Sent after the offer is committed; a failing mail server is logged (without the
address) and never loses or fails the offer. The SMTP settings and connection are
``portal/mail.py``'s, shared with the staff digest.
"""

from __future__ import annotations

from email.message import EmailMessage

from flask import current_app, render_template, url_for
from flask_babel import force_locale, gettext as _

from .. import mail
from ..mail import mail_configured


def private_url(offer) -> str | None:
    """The sponsor's private page, absolute, in their language: only while the token is at hand (just issued)."""
    token = getattr(offer, "private_token", None)
    if not token:
        return None
    return url_for("offers.track", lang=offer.language or "kk", reference=offer.reference, token=token, _external=True)


def _letter(offer, subject, template: str, **context) -> EmailMessage:
    """A message to the sponsor in the language they used on the site: ``subject()``, ``template`` and any
    callable in ``context`` (labels in that language) evaluated in it."""
    with force_locale(offer.language or "kk"):
        context = {key: value() if callable(value) else value for key, value in context.items()}
        return mail.new_message(offer.email, subject(), render_template(template, offer=offer, **context))


def build_confirmation(offer) -> EmailMessage:
    """The confirmation, with the private link to follow the offer."""
    return _letter(offer, lambda: _("Your offer of help %(reference)s has been received", reference=offer.reference),
                   "offers/_email_confirmation.html", private_url=private_url(offer))


def build_thanks(offer) -> EmailMessage:
    """The thank-you once an offer is delivered: what arrived where."""
    from ..regions.models import regions_ordered

    return _letter(offer, lambda: _("Thank you: your help %(reference)s has been delivered", reference=offer.reference),
                   "offers/_email_thanks.html", regions=lambda: {r.code: r.label for r in regions_ordered()})


def build_new_link(offer) -> EmailMessage:
    """A new private link staff made for the sponsor (the old one no longer works)."""
    return _letter(offer, lambda: _("A new link to follow your offer %(reference)s", reference=offer.reference),
                   "offers/_email_new_link.html", private_url=private_url(offer))


def can_email(offer) -> bool:
    """Whether the sponsor can be e-mailed at all: a mail server is set and they gave an address."""
    return bool(mail_configured() and offer.email)


def _send(offer, build) -> bool:
    """Send ``build(offer)`` if mail is configured and the sponsor gave an email; ``True`` when sent."""
    if not can_email(offer):
        return False
    try:
        message = build(offer)
        with mail.smtp_connection() as smtp:
            smtp.send_message(message)
    except mail.ERRORS as error:
        # The class name only: SMTP errors quote the recipient's address, which must not reach the logs.
        current_app.logger.warning("offer %s: email not sent (%s)", offer.reference, type(error).__name__)
        return False
    return True


def send_confirmation(offer) -> bool:
    """Send the confirmation if mail is configured and the sponsor gave an email; ``True`` when sent."""
    return _send(offer, build_confirmation)


def send_new_link(offer) -> bool:
    """E-mail the private link just issued (``offer.private_token``); ``True`` when sent."""
    return private_url(offer) is not None and _send(offer, build_new_link)


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
