"""Staff sign-in state: Flask-Login user loading, the two-factor gate, inactivity expiry, staff language."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, flash, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from .. import clock
from ..extensions import db, login
from ..i18n import LANGUAGES
from .models import StaffUser

IDLE_MESSAGE = _l("You were signed out after a period of inactivity. Please sign in again.")


@login.user_loader
def load_user(user_id: str):
    """Session stores ``id:session_version``; a bumped version (reset, deactivation, sign-out) ends the session."""
    try:
        ident, version = (int(part) for part in user_id.split(":"))
    except ValueError:
        return None
    user = db.session.get(StaffUser, ident)
    if user is None or user.session_version != version or not user.is_active:
        return None
    return user


def require_signed_in():
    """``None`` when the request comes from a signed-in, two-factor-verified, recently active staff member."""
    if not current_user.is_authenticated or not session.get("mfa"):
        return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
    now = int(clock.now().timestamp())
    idle = current_app.config["STAFF_IDLE_TIMEOUT"]
    if now - int(session.get("seen", 0)) > idle:
        logout_user()
        session.clear()
        flash(str(IDLE_MESSAGE), "error")
        return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
    session["seen"] = now
    return None


def set_staff_language():
    """before_request for /staff: the account's language, or ``?lang=`` before sign-in."""
    if not request.path.startswith("/staff"):
        return
    if current_user.is_authenticated and current_user.language in LANGUAGES:
        g.staff_lang = current_user.language
    elif request.args.get("lang") in LANGUAGES:
        g.staff_lang = request.args["lang"]


def staff_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(StaffUser))


def init_app(app) -> None:
    login.init_app(app)
    # Sessions are bound by session_version and the inactivity timeout, not by client address:
    # nothing in the portal fingerprints addresses outside the rate limiter.
    login.session_protection = None
    login.login_view = "staff.login"
