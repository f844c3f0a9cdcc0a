"""Receipt codes: generation, check digit, and the slow keyed hash that is all the database keeps.

A code is 20 random decimal digits (log2(10**20) ≈ 66.4 bits) plus one Damm
check digit, written in groups of four: ``4821 0937 5562 1048 7730 6``. Damm
catches every single wrong digit and every swap of two neighbours, so a typo is
told apart from an unknown code without asking the database.

The 20 digits are ``HMAC-SHA256(pepper, seed) mod 10**20`` where the seed is 32
bytes from ``secrets``: a fresh seed gives an unpredictable code, and the same
seed gives the same code again, which is how a resubmitted form shows the same
receipt instead of creating a second appeal (see ``routes.py``).

Stored: ``Argon2id(HMAC-SHA256(pepper, code), salt)``, hex. The salt is random per
installation and kept in the database (``appeal_installation``); the pepper is
``APPEAL_PEPPER`` from the configuration, else ``instance/appeal_pepper``
(created once, mode 0600) and never in the database, so a stolen database alone
cannot be searched for codes, and Argon2id makes each guess expensive even with
the pepper. Lookups are by that hash (a unique index), confirmed with
``hmac.compare_digest``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

import sqlalchemy as sa
from argon2.low_level import Type, hash_secret_raw
from flask import current_app

from ..extensions import db

RANDOM_DIGITS = 20
CODE_LENGTH = RANDOM_DIGITS + 1
CONFIRM_DIGITS = 5  # the reporter types back the last group of four and the check digit

# Damm's totally anti-symmetric quasigroup of order 10.
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212.]+")
_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def damm(digits: str) -> int:
    interim = 0
    for ch in digits:
        interim = _DAMM[interim][ord(ch) - 48]
    return interim


def check_digit(digits: str) -> str:
    return str(damm(digits))


def has_valid_check_digit(code: str) -> bool:
    return damm(code) == 0


def new_seed() -> bytes:
    """32 random bytes from ``secrets``: the only source of a code's randomness."""
    return secrets.token_bytes(32)


def code_for_seed(seed: bytes) -> str:
    """The 21-digit code (no spaces) that ``seed`` stands for under this installation's pepper."""
    mac = hmac.new(pepper(), b"appeal-receipt-code\x00" + seed, hashlib.sha256).digest()
    number = int.from_bytes(mac, "big") % 10**RANDOM_DIGITS  # bias below 2**-190
    digits = "%0*d" % (RANDOM_DIGITS, number)
    return digits + check_digit(digits)


def generate_code() -> str:
    return code_for_seed(new_seed())


def normalise(text: str | None) -> str:
    """What the reporter typed, without spaces, dashes or dots (not validated)."""
    return _SEPARATORS.sub("", text or "")


def is_well_formed(code: str) -> bool:
    return len(code) == CODE_LENGTH and _DIGITS.fullmatch(code) is not None


def format_code(code: str) -> str:
    """``482109375562104877306`` → ``4821 0937 5562 1048 7730 6``."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def groups(code: str) -> list[str]:
    return format_code(code).split(" ")


def confirm_digits(code: str) -> str:
    return code[-CONFIRM_DIGITS:]


# --- keys -------------------------------------------------------------------------


def pepper() -> bytes:
    """``APPEAL_PEPPER`` from config, else ``instance/appeal_pepper`` (written once, 0600). Never in the database."""
    configured = current_app.config.get("APPEAL_PEPPER")
    if configured:
        return configured.encode() if isinstance(configured, str) else bytes(configured)
    cached = current_app.extensions.get("appeals_pepper")
    if cached:
        return cached
    path = Path(current_app.instance_path) / "appeal_pepper"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker won the race
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32) + "\n")
    value = path.read_text().strip().encode()
    if not value:
        raise RuntimeError("instance/appeal_pepper is empty: set APPEAL_PEPPER or delete the file")
    current_app.extensions["appeals_pepper"] = value
    return value


def installation_salt() -> bytes:
    """This installation's random salt (created on first use), then end the transaction.

    Ending it matters on SQLite: a POST's transaction holds the write lock
    (``BEGIN IMMEDIATE``), and the slow hash that follows must not hold it.
    """
    from .models import AppealInstallation

    salt = db.session.scalar(sa.select(AppealInstallation.salt).where(AppealInstallation.id == 1))
    if salt is None:
        try:
            with db.session.begin_nested():
                db.session.add(AppealInstallation(id=1, salt=secrets.token_hex(32)))
        except sa.exc.IntegrityError:
            pass  # created by a concurrent request
        salt = db.session.scalar(sa.select(AppealInstallation.salt).where(AppealInstallation.id == 1))
    db.session.commit()
    return bytes.fromhex(salt)


def receipt_hash(code: str, salt: bytes | None = None) -> str:
    """Argon2id over HMAC(pepper, code): deterministic, keyed, slow; hex."""
    config = current_app.config
    keyed = hmac.new(pepper(), b"appeal-receipt-hash\x00" + code.encode(), hashlib.sha256).digest()
    raw = hash_secret_raw(
        secret=keyed,
        salt=salt if salt is not None else installation_salt(),
        time_cost=int(config["APPEAL_HASH_TIME_COST"]),
        memory_cost=int(config["APPEAL_HASH_MEMORY_KIB"]),
        parallelism=1,
        hash_len=32,
        type=Type.ID,
    )
    return raw.hex()


def find_appeal(code: str):
    """The appeal whose receipt is ``code``, or ``None``; the same work whether or not one exists."""
    from .models import Appeal

    digest = receipt_hash(code)
    appeal = db.session.scalar(sa.select(Appeal).where(Appeal.receipt_hash == digest))
    if appeal is not None and hmac.compare_digest(appeal.receipt_hash.encode(), digest.encode()):
        return appeal
    return None
