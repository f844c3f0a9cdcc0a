"""``flask digest send`` and ``flask retention purge``: commands for cron or systemd timers."""

from __future__ import annotations

import click
from flask.cli import AppGroup

digest = AppGroup("digest", help="The daily digest e-mail to staff (counts only).")
retention = AppGroup("retention", help="Delete closed appeals and declined offers after their retention period.")


@digest.command("send")
@click.option("--dry-run", is_flag=True, help="Count who would get a digest; send nothing.")
def send(dry_run):
    """Send today's digest to every staff member who has not turned it off (once per day)."""
    from .. import mail
    from .digest import send_all

    if not dry_run and not mail.mail_configured():
        raise click.ClickException("no MAIL_SERVER configured (FLASK_MAIL_SERVER)")
    result = send_all(dry_run=dry_run)
    click.echo(" ".join(f"{k}={v}" for k, v in result.items()))
