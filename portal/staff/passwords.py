"""Password hashing with Argon2id (argon2-cffi), with the cost set by ``PASSWORD_HASH_*`` in ``config.py``.

A stored hash carries its own parameters, so verifying never depends on the current settings; only new
hashes use them. Outside an app (a shell, a script) the library's defaults, which are also ours.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, has_app_context

MIN_LENGTH = 12


def _hasher() -> PasswordHasher:
    if not has_app_context():
        return PasswordHasher()  # library defaults: RFC 9106 "low memory" profile, as in config.py
    config = current_app.config
    return PasswordHasher(
        time_cost=config["PASSWORD_HASH_TIME_COST"],
        memory_cost=config["PASSWORD_HASH_MEMORY_KIB"],
        parallelism=config["PASSWORD_HASH_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


# Verified when the e-mail is unknown, so a wrong address costs as much time as a wrong password:
# one per set of parameters, so it costs what the hashes made with them do.
_DUMMIES: dict[tuple[int, int, int], str] = {}


def verify_password(stored_hash: str | None, password: str) -> bool:
    hasher = _hasher()
    if stored_hash is None:
        key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
        if key not in _DUMMIES:
            _DUMMIES[key] = hasher.hash("not-a-real-password")
        try:
            hasher.verify(_DUMMIES[key], password)
        except (VerificationError, InvalidHashError):
            pass
        return False
    try:
        return hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
