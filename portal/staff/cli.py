"""``flask staff …``: accounts are created and managed by an operator, never by sign-up."""

from __future__ import annotations

import secrets

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ..audit import record
from ..extensions import db
from ..regions.models import Region
from .models import ROLES, StaffUser
from .passwords import MIN_LENGTH, hash_password

staff = AppGroup("staff", help="Create and manage staff accounts.")


def _get(email: str) -> StaffUser:
    user = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no staff account {email}")
    return user


def _password_option(value: str | None) -> tuple[str, bool]:
    if value:
        if len(value) < MIN_LENGTH:
            raise click.ClickException(f"the password needs at least {MIN_LENGTH} characters")
        return value, False
    return secrets.token_urlsafe(15), True


@staff.command("create")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(sorted(ROLES)), required=True)
@click.option("--region", "region_code", help="Region code (KZ-71…); required for coordinators.")
@click.option("--name", default="")
@click.option("--language", type=click.Choice(["kk", "ru", "en"]), default="kk")
@click.option("--password", help="Initial password; a random one is generated and printed when omitted.")
def create(email, role, region_code, name, language, password):
    """Create a staff account; two-factor sign-in is set up at the first sign-in."""
    email = email.strip().lower()
    if db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email)):
        raise click.ClickException(f"{email} already exists")
    if role == "coordinator" and not region_code:
        raise click.ClickException("a coordinator needs --region")
    if region_code and db.session.get(Region, region_code) is None:
        raise click.ClickException(f"unknown region {region_code}")
    password, generated = _password_option(password)
    user = StaffUser(email=email, role=role, region_code=region_code if role == "coordinator" else None,
                     name=name, language=language, password_hash=hash_password(password))
    db.session.add(user)
    record("create", user, actor="cli")
    db.session.commit()
    click.echo(f"created {email} ({role}{', ' + region_code if user.region_code else ''})")
    if generated:
        click.echo(f"initial password: {password}")


@staff.command("list")
def list_accounts():
    """List staff accounts."""
    for user in db.session.scalars(sa.select(StaffUser).order_by(StaffUser.email)):
        state = "active" if user.is_active_account else "deactivated"
        totp = "2FA on" if user.totp_enabled else "2FA not set up"
        demo = " DEMO" if user.is_demo else ""
        click.echo(f"{user.email}\t{user.role}\t{user.region_code or 'national'}\t{state}\t{totp}{demo}")


@staff.command("deactivate")
@click.option("--email", required=True)
@click.option("--hand-over-to", "successor", help="Email of the colleague who takes over the open items "
              "(default: back to the team's common queue).")
def deactivate(email, successor):
    """Deactivate an account, end its sessions and hand its open appeals and offers over."""
    from ..queue.services import handover

    user = _get(email)
    to = _get(successor) if successor else None
    if to is not None and (not to.is_active_account or to.is_analyst):
        raise click.ClickException(f"{successor} cannot take items over")
    before = {"is_active_account": user.is_active_account}
    user.is_active_account = False
    user.session_version += 1
    moved = handover(user, to, actor="cli")
    record("deactivate", user, before=None, changes={"is_active_account": [before["is_active_account"], False]}, actor="cli")
    db.session.commit()
    click.echo(f"deactivated {user.email}; handed over {moved['appeal']} appeals and {moved['offer']} offers")


@staff.command("reset-password")
@click.option("--email", required=True)
@click.option("--password", help="New password; a random one is generated and printed when omitted.")
@click.option("--reset-2fa", is_flag=True, help="Also require a new two-factor enrolment (lost phone).")
def reset_password(email, password, reset_2fa):
    """Set a new password (and optionally reset two-factor sign-in); ends the account's sessions."""
    user = _get(email)
    password, generated = _password_option(password)
    user.password_hash = hash_password(password)
    user.session_version += 1
    user.is_active_account = True
    changes = {"password": ["(old)", "(new)"]}
    if reset_2fa:
        user.totp_enabled = False
        user.totp_secret = None
        user.totp_last_step = 0
        changes["totp_enabled"] = [True, False]
    record("reset_password", user, changes=changes, actor="cli")
    db.session.commit()
    click.echo(f"password reset for {user.email}")
    if generated:
        click.echo(f"new password: {password}")


@staff.command("demo-code")
@click.option("--email", required=True)
def demo_code(email):
    """Print the current two-factor code of a DEMO account (local runs only)."""
    import pyotp

    user = _get(email)
    if not user.is_demo:
        raise click.ClickException("only demo accounts")
    click.echo(pyotp.TOTP(user.totp_secret).now())
