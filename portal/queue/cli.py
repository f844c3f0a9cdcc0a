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


@retention.command("purge")
@click.option("--apply", is_flag=True, help="Delete. Without it the command only counts (a dry run).")
def purge(apply):
    """Delete closed appeals and declined offers past their retention period (counts only without --apply)."""
    from .retention import periods, purge as run

    result = run(apply=apply)
    appeal_days, offer_days = periods()
    verb = "deleted" if apply else "would delete (dry run; add --apply)"
    click.echo(f"{verb}: {result['appeals']} closed appeals older than {appeal_days} days, "
               f"{result['offers']} declined offers older than {offer_days} days")
