"""Command-line tools: ``flask seed reference``, ``flask seed demo``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from .extensions import db

seed = AppGroup("seed", help="Load reference or demo data (safe to run again).")

@seed.command("reference")
def seed_reference():
    """Regions, national phone lines and campaign years."""
    from .campaigns.models import load_campaigns
    from .regions.reference import load_national_lines, load_regions

    regions = load_regions()
    lines = load_national_lines()
    campaigns = load_campaigns()
    db.session.commit()
    click.echo(f"regions: {regions}, national lines added: {lines}, campaigns added: {campaigns}")


@seed.command("demo")
def seed_demo():
    """Realistic multilingual sample content, every item marked as demo data."""
    from . import demo  # noqa: F401  (registers the loaders of every area)
    from .seeding import DEMO_LOADERS

    for loader in DEMO_LOADERS:
        count = loader()
        click.echo(f"{loader.__module__}.{loader.__name__}: {count}")
    db.session.commit()


def register(app) -> None:
    from .backup import backup
    from .campaigns.cli import campaign
    from .staff.cli import staff

    app.cli.add_command(seed)
    app.cli.add_command(staff)
    app.cli.add_command(backup)
    app.cli.add_command(campaign)
