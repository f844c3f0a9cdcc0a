"""What the appeal views do besides parsing and rendering: identifier checks, writes (a form's nonce: portal/submitonce.py)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from .. import submitonce, workdays
from ..extensions import db
from .models import Appeal, AppealMessage, today

# --- text ------------------------------------------------------------------------

# What may identify a person: an IIN (12 digits), a phone number, an email address.
_IIN = re.compile(r"(?<![0-9])(?:[0-9]{12}|[0-9]{6}[ \-][0-9]{6})(?![0-9])")
_PHONE = re.compile(
    r"(?<![0-9])(?:\+?[0-9][ \u00a0\-]?)?\(?[0-9]{3,4}\)?[ \u00a0\-]?[0-9]{2,3}[ \u00a0\-]?[0-9]{2}[ \u00a0\-]?[0-9]{2}(?![0-9])"
    r"|(?<![0-9.,/])[0-9]{1,3}-[0-9]{2}-[0-9]{2}(?![0-9\-])"
)
_EMAIL = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+\.[^\s@<>()\[\],;:\"'.]{2,}")

IDENTIFIER_KINDS = ("iin", "phone", "email")


def find_identifiers(*texts: str | None) -> list[str]:
    """Kinds of identifier that appear in the texts, in a fixed order: ``["iin", "phone", "email"]`` at most."""
    found = set()
    for text in texts:
        if not text:
            continue
        if _IIN.search(text):
            found.add("iin")
        for match in _PHONE.finditer(text):
            digits = sum(ch.isdigit() for ch in match.group())
            if digits in (10, 11) or (digits <= 7 and "-" in match.group()):
                found.add("phone")
        if _EMAIL.search(text):
            found.add("email")
    return [kind for kind in IDENTIFIER_KINDS if kind in found]


# --- writes ----------------------------------------------------------------------

APPEAL, FOLLOW_UP = "appeal", "appeal-follow-up"  # the purposes of the forms' one-time nonces (portal/submitonce.py)


def appeal_by_hash(digest: str) -> Appeal | None:
    return db.session.scalar(sa.select(Appeal).where(Appeal.receipt_hash == digest))


def submit_appeal(fields: dict, digest: str) -> tuple[Appeal, bool]:
    """Create and commit the appeal unless one with this receipt exists: ``(appeal, created)``."""
    existing = appeal_by_hash(digest)
    if existing is not None:
        return existing, False
    for attempt in range(3):
        appeal = Appeal(receipt_hash=digest, **fields)  # a random id (models.random_id)
        db.session.add(appeal)
        try:
            db.session.commit()
        except sa.exc.IntegrityError:  # the same form, sent twice at the same moment; or the id was taken
            db.session.rollback()
            existing = appeal_by_hash(digest)
            if existing is not None:
                return existing, False
            if attempt == 2:
                raise
            continue
        return appeal, True


def add_follow_up(appeal: Appeal, body: str, seed: bytes) -> bool:
    """Add the reporter's information once per form nonce and commit; ``False`` when it was already added."""
    fingerprint = submitonce.fingerprint(seed, FOLLOW_UP)
    exists = db.session.scalar(sa.select(AppealMessage.id).where(AppealMessage.nonce_hash == fingerprint))
    if exists is not None:
        return False
    appeal.messages.append(AppealMessage(kind="reporter", body=body, nonce_hash=fingerprint))
    if not appeal.reporter_updated:
        # The follow-up's answer is due three working days after it arrived (the earliest unanswered one).
        appeal.follow_up_due_on = workdays.due_on(today())
    appeal.reporter_updated = True
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        return False
    return True
