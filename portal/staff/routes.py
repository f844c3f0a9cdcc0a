"""Sign-in (password, then TOTP; first sign-in enrols TOTP), sign-out, dashboard, language, password."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from .. import clock
from ..audit import record
from ..database import write_transaction
from ..extensions import db, limiter
from . import bp, totp
from .access import access_rule
from .forms import CodeForm, LanguageForm, LoginForm, PasswordChangeForm
from .models import ROLES, StaffUser
from .passwords import hash_password, verify_password

def sign_in_limit() -> str:
    """Per client, for the password, code and enrolment steps (``STAFF_SIGN_IN_RATE_LIMIT``)."""
    from flask import current_app

    return current_app.config["STAFF_SIGN_IN_RATE_LIMIT"]


def account_limit() -> str:
    """Per account, on top of the per-client limit (``STAFF_ACCOUNT_RATE_LIMIT``): a refused address
    cannot be swapped for another guessing the same account's password or code."""
    from flask import current_app

    return current_app.config["STAFF_ACCOUNT_RATE_LIMIT"]


def _account_signing_in() -> str:
    """Limiter key of the account named in the sign-in form (an unknown address is an account too)."""
    from ..ratelimit import account_token

    return account_token("staff-password", request.form.get("email", ""))


def _account_in_second_step() -> str:
    """Limiter key of the account whose password was accepted (two-factor and enrolment steps)."""
    from ..ratelimit import account_token, client_token

    ident = session.get("pending_staff")
    return account_token("staff-second-step", str(ident)) if ident else client_token()


def _safe_next(target: str | None) -> str:
    """Only back-office paths on this site: never an open redirect, never a control character in Location."""
    if (target and target.isprintable() and target.startswith("/staff") and not urlsplit(target).netloc
            and "//" not in target):
        return target
    return url_for("staff.dashboard")


def _pending_user() -> StaffUser | None:
    ident = session.get("pending_staff")
    if not ident:
        return None
    user = db.session.get(StaffUser, ident)
    if user is None or not user.is_active:
        return None
    return user


def _complete_sign_in(user: StaffUser, next_url: str):
    """Rotate the session, sign in, remember two-factor success; audited."""
    session.clear()
    login_user(user)
    session["mfa"] = True
    session["seen"] = int(clock.now().timestamp())
    user.last_login_at = clock.now()
    record("sign_in", object_type="staff_user", object_id=user.id, region_code=user.region_code, actor=user)
    db.session.commit()
    return redirect(_safe_next(next_url))


def _demo_refused(user: StaffUser) -> bool:
    from flask import current_app

    return user.is_demo and not current_app.config["ALLOW_DEMO_LOGIN"]


@bp.route("/login", methods=["GET", "POST"])
@access_rule(public=True)
@limiter.limit(sign_in_limit, methods=["POST"])
@limiter.limit(account_limit, key_func=_account_signing_in, methods=["POST"])
def login():
    """Email and password; the answer never says whether an account exists."""
    if current_user.is_authenticated and session.get("mfa"):
        return redirect(url_for("staff.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email))
        ok = verify_password(user.password_hash if user else None, form.password.data)
        if ok and user.is_active and not _demo_refused(user):
            session.clear()
            session["pending_staff"] = user.id
            session["next"] = _safe_next(request.args.get("next"))
            target = "staff.code" if user.totp_enabled else "staff.enrol"
            return redirect(url_for(target))
        form.password.errors.append(_("The email or password is incorrect."))
        return render_template("staff/login.html", form=form), 422
    status = 422 if form.errors else 200
    return render_template("staff/login.html", form=form), status


@bp.route("/login/code", methods=["GET", "POST"])
@access_rule(public=True)
@limiter.limit(sign_in_limit, methods=["POST"])
@limiter.shared_limit(account_limit, scope="staff-second-step", key_func=_account_in_second_step, methods=["POST"])
def code():
    """Second step: the current code from the authenticator app."""
    user = _pending_user()
    if user is None or not user.totp_enabled:
        return redirect(url_for("staff.login"))
    form = CodeForm()
    if form.validate_on_submit():
        step = totp.matching_step(user.totp_secret, form.code.data, user.totp_last_step)
        if step is not None:
            user.totp_last_step = step
            return _complete_sign_in(user, session.get("next"))
        form.code.errors.append(_("This code is not valid. Wait for the next code and try again."))
    status = 422 if form.errors else 200
    return render_template("staff/code.html", form=form), status


@bp.route("/login/enrol", methods=["GET", "POST"])
@access_rule(public=True)
@limiter.limit(sign_in_limit, methods=["POST"])
@limiter.shared_limit(account_limit, scope="staff-second-step", key_func=_account_in_second_step, methods=["POST"])
def enrol():
    """First sign-in: scan a QR code, then prove it works with one code before it is switched on."""
    user = _pending_user()
    if user is None:
        return redirect(url_for("staff.login"))
    if user.totp_enabled:
        return redirect(url_for("staff.code"))
    secret = user.totp_secret
    if not secret:
        # Kept on the account (switched on only after a code proves it) and never in the session
        # cookie, which is signed but readable by anyone holding it.
        secret = totp.new_secret()
        with write_transaction():
            user.totp_secret = secret
    session.pop("enrol_secret", None)
    form = CodeForm()
    if form.validate_on_submit():
        step = totp.matching_step(secret, form.code.data)
        if step is not None:
            user.totp_secret = secret
            user.totp_enabled = True
            user.totp_last_step = step
            record("enrol_totp", object_type="staff_user", object_id=user.id, region_code=user.region_code, actor=user)
            return _complete_sign_in(user, session.get("next"))
        form.code.errors.append(_("This code is not valid. Check the time on your phone and try again."))
    uri = totp.provisioning_uri(secret, user.email)
    status = 422 if form.errors else 200
    response = render_template("staff/enrol.html", form=form, qr=totp.qr_svg(uri, _("QR code for your authenticator app")), secret=secret)
    return response, status, {"Cache-Control": "no-store"}


@bp.post("/logout")
@access_rule(public=True)
def logout():
    """Sign out: ends this session and every other session of the account."""
    if current_user.is_authenticated:
        user = db.session.get(StaffUser, current_user.id)
        user.session_version += 1
        record("sign_out", object_type="staff_user", object_id=user.id, region_code=user.region_code, actor=user)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."))
    return redirect(url_for("staff.login"))


@bp.get("/")
@access_rule(analyst=True)
def dashboard():
    """Start page of the back office: what waits in the queue per region (portal/queue/dashboard.py), drill-down
    links to the lists, and the regions that publish no number."""
    from ..queue import dashboard as queue_dashboard

    return render_template("staff/dashboard.html", roles=ROLES, **queue_dashboard.context(current_user))


@bp.post("/language")
@access_rule(analyst=True)
def language():
    """Change the back-office language of this account."""
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    user = db.session.get(StaffUser, current_user.id)
    user.language = form.language.data
    db.session.commit()
    return redirect(_safe_next(request.args.get("next")))


@bp.route("/password", methods=["GET", "POST"])
@access_rule(analyst=True)
@limiter.limit("10 per hour", methods=["POST"])
def password():
    """Change one's own password; other sessions end."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = db.session.get(StaffUser, current_user.id)
        if verify_password(user.password_hash, form.current.data):
            user.password_hash = hash_password(form.new.data)
            user.session_version += 1
            record("change_password", object_type="staff_user", object_id=user.id, region_code=user.region_code)
            db.session.commit()
            login_user(user)  # keep this session, with the new version
            flash(_("Your password has been changed."))
            return redirect(url_for("staff.dashboard"))
        form.current.errors.append(_("The current password is incorrect."))
    status = 422 if form.errors else 200
    return render_template("staff/password.html", form=form), status
