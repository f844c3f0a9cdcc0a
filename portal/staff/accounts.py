"""Staff accounts in the back office (national admins): invite, deactivate with a handover, reset two-factor.

An invitation is a link with a random token (only its SHA-256 is stored) that works once and expires
after ``INVITATION_DAYS``; the invited person chooses a password there and sets up two-factor sign-in
at the first sign-in, as with ``flask staff create``. Every change is audited; no audit entry holds a
password, a token or a two-factor secret.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from .. import clock
from ..audit import record
from ..extensions import db, limiter
from ..regions.models import regions_ordered
from . import bp
from .access import access_rule
from .models import ROLES, StaffInvitation, StaffUser
from .passwords import MIN_LENGTH, hash_password

INVITATION_DAYS = 7
LANGUAGES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class InviteForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter the email address.")), Length(max=254)])
    name = StringField(_l("Name"), validators=[Length(max=120)])
    role = SelectField(_l("Role"), choices=list(ROLES.items()), validate_choice=False)
    region = SelectField(_l("Region"), validate_choice=False)
    language = SelectField(_l("Language"), choices=list(LANGUAGES.items()), validate_choice=False)
    submit = SubmitField(_l("Invite"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = [("", str(_l("National level")))] + [(r.code, r.label) for r in regions_ordered()]

    def validate_email(self, field):
        field.data = (field.data or "").strip().lower()
        if "@" not in field.data or any(ch.isspace() for ch in field.data):
            raise ValidationError(_l("Enter an email address like name@example.kz."))
        if db.session.scalar(sa.select(StaffUser.id).where(StaffUser.email == field.data)):
            raise ValidationError(_l("There is already an account with this email."))

    def validate_role(self, field):
        if field.data not in ROLES:
            raise ValidationError(_l("Choose a role from the list."))

    def validate_region(self, field):
        if field.data not in {code for code, _label in field.choices}:
            raise ValidationError(_l("Choose a region from the list."))
        if self.role.data == "coordinator" and not field.data:
            raise ValidationError(_l("A regional coordinator needs a region."))

    def validate_language(self, field):
        if field.data not in LANGUAGES:
            raise ValidationError(_l("Choose a language from the list."))


class DeactivateForm(FlaskForm):
    successor = SelectField(_l("Who takes over their open items"), validate_choice=False)
    submit = SubmitField(_l("Deactivate"))

    def validate_successor(self, field):
        if field.data not in {code for code, _label in field.choices}:
            raise ValidationError(_l("Choose a person from the list."))


class AcceptForm(FlaskForm):
    password = PasswordField(_l("Choose a password"), validators=[
        DataRequired(_l("Enter a new password.")),
        Length(min=MIN_LENGTH, max=200, message=_l("Use at least %(n)s characters.", n=MIN_LENGTH))])
    confirm = PasswordField(_l("The password again"), validators=[EqualTo("password", message=_l("The two passwords differ."))])
    submit = SubmitField(_l("Open my account"))


def _successor_choices(user: StaffUser) -> list[tuple[str, str]]:
    from ..queue.services import assignable_staff

    others = [s for s in assignable_staff({user.region_code}) if s.id != user.id]
    return [("", str(_l("Nobody (the team's common queue)")))] + [(str(s.id), s.label) for s in others]


def _accounts_page(invite_form=None, status=200):
    users = list(db.session.scalars(sa.select(StaffUser).order_by(StaffUser.role, StaffUser.region_code, StaffUser.email)))
    invitations = list(db.session.scalars(
        sa.select(StaffInvitation).where(StaffInvitation.accepted_at.is_(None), StaffInvitation.revoked_at.is_(None),
                                         StaffInvitation.expires_at > clock.now())
        .order_by(StaffInvitation.created_at.desc())))
    forms = {u.id: _deactivate_form(u) for u in users if u.is_active_account and u.id != current_user.id}
    return render_template("staff/accounts.html", users=users, invitations=invitations, roles=ROLES,
                           invite_form=invite_form or InviteForm(formdata=None), deactivate_forms=forms), status


def _deactivate_form(user, formdata=None):
    form = DeactivateForm(formdata=formdata) if formdata is not None else DeactivateForm(formdata=None)
    form.successor.choices = _successor_choices(user)
    return form


@bp.get("/accounts/")
@access_rule(admin_only=True)
def list_accounts():
    """Staff accounts and open invitations; invite, deactivate, reset two-factor."""
    return _accounts_page()


@bp.post("/accounts/invite")
@access_rule(admin_only=True)
def invite():
    """Invite a new staff member: a one-time link, valid for a week, shown once (and e-mailed if mail is set up)."""
    form = InviteForm()
    if not form.validate_on_submit():
        return _accounts_page(form, 422)
    token = secrets.token_urlsafe(32)
    invitation = StaffInvitation(
        email=form.email.data, name=(form.name.data or "").strip(), role=form.role.data,
        region_code=(form.region.data or None) if form.role.data == "coordinator" else None,
        language=form.language.data, token_hash=_token_hash(token), created_by_id=current_user.id,
        expires_at=clock.now() + dt.timedelta(days=INVITATION_DAYS),
    )
    db.session.add(invitation)
    db.session.flush()
    record("invite", object_type="staff_invitation", object_id=invitation.id, region_code=invitation.region_code,
           changes={"email": [None, invitation.email], "role": [None, invitation.role],
                    "region_code": [None, invitation.region_code]})
    db.session.commit()
    link = url_for("staff.accept_invitation", token=token, _external=True)
    sent = _mail_invitation(invitation, link)
    return render_template("staff/invitation_sent.html", invitation=invitation, link=link, sent=sent,
                           days=INVITATION_DAYS), 200, {"Cache-Control": "no-store"}


def _mail_invitation(invitation, link) -> bool:
    from flask import current_app
    from flask_babel import force_locale

    from .. import mail

    if not mail.mail_configured():
        return False
    with force_locale(invitation.language or "kk"):
        message = mail.new_message(
            invitation.email, _("Your invitation to the «Road to School» back office"),
            _("Open this link within %(days)d days to choose your password: %(link)s", days=INVITATION_DAYS, link=link))
    try:
        with mail.smtp_connection() as smtp:
            smtp.send_message(message)
    except mail.ERRORS as error:
        current_app.logger.warning("invitation %s not sent (%s)", invitation.id, type(error).__name__)
        return False
    return True


def _usable_invitation(token: str | None) -> StaffInvitation | None:
    if not token or len(token) > 100:
        return None
    invitation = db.session.scalar(sa.select(StaffInvitation).where(StaffInvitation.token_hash == _token_hash(token)))
    return invitation if invitation is not None and invitation.is_usable else None


@bp.route("/invitation", methods=["GET", "POST"])
@access_rule(public=True)
@limiter.limit("10 per minute", methods=["POST"])
def accept_invitation():
    """The invited person chooses a password; two-factor sign-in is set up at their first sign-in."""
    token = request.args.get("token")
    invitation = _usable_invitation(token)
    if invitation is None:
        return render_template("staff/invitation_invalid.html"), 400, {"Cache-Control": "no-store"}
    form = AcceptForm()
    if form.validate_on_submit():
        if db.session.scalar(sa.select(StaffUser.id).where(StaffUser.email == invitation.email)):
            return render_template("staff/invitation_invalid.html"), 400, {"Cache-Control": "no-store"}
        user = StaffUser(email=invitation.email, name=invitation.name, role=invitation.role,
                         region_code=invitation.region_code, language=invitation.language,
                         password_hash=hash_password(form.password.data))
        db.session.add(user)
        invitation.accepted_at = clock.now()
        db.session.flush()
        record("create", object_type="staff_user", object_id=user.id, region_code=user.region_code, actor=user,
               changes={"email": [None, user.email], "role": [None, user.role], "invitation": invitation.id})
        db.session.commit()
        flash(_("Your account is ready. Sign in to set up two-factor sign-in."))
        return redirect(url_for("staff.login"), code=303)
    status = 422 if form.errors else 200
    return render_template("staff/invitation_accept.html", form=form, invitation=invitation), status, \
        {"Cache-Control": "no-store"}


@bp.post("/accounts/<int:user_id>/deactivate")
@access_rule(model=StaffUser, admin_only=True)
def deactivate_account(user: StaffUser):
    """Deactivate an account: its sessions end, its open items go to a colleague or the common queue."""
    from ..queue.services import handover

    if user.id == current_user.id:
        abort(403)
    form = _deactivate_form(user, request.form)
    if not form.validate_on_submit():
        flash(_("Choose a person from the list."), "error")
        return redirect(url_for("staff.list_accounts"), code=303)
    successor = db.session.get(StaffUser, int(form.successor.data)) if form.successor.data else None
    if user.is_active_account:
        user.is_active_account = False
        user.session_version += 1
        handover(user, successor)
        record("deactivate", object_type="staff_user", object_id=user.id, region_code=user.region_code,
               changes={"is_active_account": [True, False]})
        db.session.commit()
    flash(_("%(email)s can no longer sign in.", email=user.email))
    return redirect(url_for("staff.list_accounts"), code=303)


@bp.post("/accounts/<int:user_id>/reset-2fa")
@access_rule(model=StaffUser, admin_only=True)
def reset_two_factor(user: StaffUser):
    """A lost phone: two-factor sign-in is set up again at the next sign-in; the account's sessions end."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    user.totp_enabled = False
    user.totp_secret = None
    user.totp_last_step = 0
    user.session_version += 1
    record("reset_2fa", object_type="staff_user", object_id=user.id, region_code=user.region_code,
           changes={"totp_enabled": [True, False]})
    db.session.commit()
    flash(_("%(email)s will set up two-factor sign-in again at the next sign-in.", email=user.email))
    return redirect(url_for("staff.list_accounts"), code=303)
