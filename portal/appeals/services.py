"""What the appeal views do besides parsing and rendering: one-time form nonces, identifier checks, writes."""

from __future__ import annotations

import hashlib
import re
import secrets

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .. import workdays
from ..extensions import db
from .models import Appeal, AppealMessage, today

# --- one-time form nonces ----------------------------------------------------------


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="appeal-nonce:" + purpose)


def new_nonce(purpose: str = "appeal") -> str:
    """A signed random token for one form: it identifies one submission, never a person."""
    return _serializer(purpose).dumps(secrets.token_urlsafe(32))


class NonceError(Exception):
    """Missing, forged or too old."""


def read_nonce(value: str | None, max_age: int, purpose: str = "appeal") -> bytes:
    """The random seed inside a nonce made by ``new_nonce`` no more than ``max_age`` seconds ago."""
    if not value or len(value) > 200:
        raise NonceError()
    try:
        token = _serializer(purpose).loads(value, max_age=max_age)
    except (SignatureExpired, BadSignature) as error:
        raise NonceError() from error
    if not isinstance(token, str) or len(token) < 40:
        raise NonceError()
    return token.encode()


def nonce_fingerprint(seed: bytes) -> str:
    return hashlib.sha256(b"appeal-follow-up\x00" + seed).hexdigest()


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
    fingerprint = nonce_fingerprint(seed)
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
