"""Submit once: the one-time value a public form carries, so that a form sent twice is recognised.

Each rendering of a form that creates something (an offer, an appeal, information added to an appeal)
carries a hidden value from ``mint(purpose)``: a random seed, signed with the app's secret, the purpose
and the time it was made (itsdangerous). It is never a cookie, and nothing is written when it is made.
``seed(value, purpose, max_age)`` gives the random seed back when the value is ours, made for this
purpose and young enough, else raises ``Refused``. A double click, a reload of the POST or a retry after
a response lost on a slow network sends the same value again, so the area answers with what the first
submission created instead of creating it twice.

What an area keeps to recognise a seed differs, on purpose, and stays in the area:

* An offer stores ``fingerprint(seed, "offer")`` in its unique ``form_token`` column
  (``offers.services.create_offer``): the sponsor gives their name anyway, and a repeat finds the first
  offer by it. No age limit (``max_age=None``): a sponsor may take an afternoon over the form.
* An appeal stores nothing derived from the seed. Its receipt code is derived from it
  (``appeals.receipts.code_for_seed``, an HMAC under a pepper kept outside the database), and a repeat
  finds the appeal by the code's slow keyed hash, which the database holds anyway. A fingerprint column
  would be a second key that is fast to test, and would tie the row to the rendering of a form. The value
  expires (``APPEAL_FORM_MAX_AGE``), and a receipt is shown again only within
  ``APPEAL_RECEIPT_REDISPLAY_SECONDS`` of the form being loaded: someone picking up the reporter's device
  later must not bring the code back (see ``appeals/routes.py``).
* Information added to an appeal stores ``fingerprint(seed, "appeal-follow-up")`` on the message. The
  message belongs to its appeal already; the fingerprint of a random seed says nothing of who sent it
  or when the form was loaded (the time inside the value is never stored).

What the visitor is told is shared as well: ``templates/macros/submitonce.html`` has the notice of a
refused value (the text kept, a fresh value in the form) and the notice of a submission that had
already been received.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

SEED_CHARACTERS = 43  # secrets.token_urlsafe(32): 256 random bits
MAX_LENGTH = 200  # a value longer than any we make is refused before it is checked


class Refused(Exception):
    """The value is missing, forged, made for another form, or too old."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="submit-once:" + purpose)


def mint(purpose: str) -> str:
    """A fresh value for one rendering of a ``purpose`` form (the same length every time: form pages rely on it)."""
    return _serializer(purpose).dumps(secrets.token_urlsafe(32))


def seed(value: str | None, purpose: str, max_age: int | None = None) -> bytes:
    """The random seed inside ``value``, made by ``mint(purpose)`` at most ``max_age`` seconds ago; else ``Refused``."""
    if not isinstance(value, str) or not value or len(value) > MAX_LENGTH:
        raise Refused()
    try:
        token = _serializer(purpose).loads(value, max_age=max_age)
    except BadSignature as error:  # SignatureExpired is a BadSignature
        raise Refused() from error
    if not isinstance(token, str) or len(token) != SEED_CHARACTERS:
        raise Refused()
    return token.encode()


def fingerprint(seed: bytes, purpose: str) -> str:
    """What an area may store to recognise ``seed`` (SHA-256, hex, 64 characters); never the value itself."""
    return hashlib.sha256(purpose.encode() + b"\x00" + seed).hexdigest()
