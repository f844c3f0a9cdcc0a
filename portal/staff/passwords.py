"""Password hashing with Argon2id (argon2-cffi). Tests use cheap parameters through config."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, has_app_context

MIN_LENGTH = 12


def _hasher() -> PasswordHasher:
    if has_app_context() and current_app.config.get("TESTING"):
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()  # library defaults: RFC 9106 "low memory" profile


def hash_password(password: str) -> str:
    return _hasher().hash(password)


# Verified when the e-mail is unknown, so a wrong address costs as much time as a wrong password.
_DUMMY = None


def verify_password(stored_hash: str | None, password: str) -> bool:
    global _DUMMY
    hasher = _hasher()
    if stored_hash is None:
        if _DUMMY is None:
            _DUMMY = hasher.hash("not-a-real-password")
        stored_hash = _DUMMY
        try:
            hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            pass
        return False
    try:
        return hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
