"""``flask campaign open|edit|close|list``: the command-line twin of /staff/campaigns/."""

from __future__ import annotations

from contextlib import contextmanager

import click
from flask.cli import AppGroup

from .. import clock
from ..extensions import db
from .models import LANGS, campaign_of_year, campaigns_ordered, usual_dates
from .services import CampaignError, close_campaign, open_campaign, update_campaign

campaign = AppGroup("campaign", help="Open, edit and close campaign years.")


@contextmanager
def _refusals():
    """A refusal of the campaign rules, said as a command-line error (exit status 1)."""
    try:
        yield
    except CampaignError as refusal:
        raise click.ClickException(str(refusal)) from None


def _existing(year: int):
    found = campaign_of_year(year)
    if found is None:
        raise click.ClickException(f"there is no {year} campaign")
    return found


def _texts(options: dict) -> dict:
    return {f"{name}_{lang}": options.get(f"{name}_{lang}") or "" for name in ("slogan", "message") for lang in LANGS}


def _text_options(func):
    for name in ("slogan", "message"):
        for lang in reversed(LANGS):
            func = click.option(f"--{name}-{lang}", f"{name}_{lang}", default="", help=f"{name} in {lang}")(func)
    return func


@campaign.command("open")
@click.argument("year", type=click.IntRange(1990, 2200))
@click.option("--starts", type=click.DateTime(["%Y-%m-%d"]), help="First day (default 1 August).")
@click.option("--ends", type=click.DateTime(["%Y-%m-%d"]), help="Last day (default 30 September).")
@click.option("--copy-needs/--no-copy-needs", default=False, help="Copy the previous year's open needs.")
@click.option("--copy-plans/--no-copy-plans", default=False,
              help="Start each region's plan of events from the previous year's (a draft to approve again).")
@_text_options
def open_command(year, starts, ends, copy_needs, copy_plans, **texts):
    """Open the campaign of YEAR (audited); the slogan is last year's unless given."""
    default_start, default_end = usual_dates(year)
    with _refusals():
        opened = open_campaign(
            year, starts.date() if starts else default_start, ends.date() if ends else default_end,
            _texts(texts), copy_needs=copy_needs, copy_plans=copy_plans, actor="cli",
        )
    db.session.commit()
    click.echo(f"opened the {opened.year} campaign: {opened.starts_on} – {opened.ends_on}")


@campaign.command("edit")
@click.argument("year", type=int)
@click.option("--starts", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--ends", type=click.DateTime(["%Y-%m-%d"]))
@_text_options
def edit_command(year, starts, ends, **texts):
    """Change the dates or texts of YEAR's campaign (texts not given stay as they are; audited)."""
    found = _existing(year)
    current = {name: getattr(found, name) for name in _texts({})}
    current.update({k: v for k, v in _texts(texts).items() if v})
    with _refusals():
        update_campaign(found, starts.date() if starts else found.starts_on, ends.date() if ends else found.ends_on,
                        current, actor="cli")
    db.session.commit()
    click.echo(f"updated the {year} campaign")


@campaign.command("close")
@click.argument("year", type=int)
def close_command(year):
    """Close YEAR's campaign: the site shows it as over, with its results (audited)."""
    found = _existing(year)
    close_campaign(found, actor="cli")
    db.session.commit()
    click.echo(f"closed the {year} campaign")


@campaign.command("list")
def list_command():
    """Every campaign year with its dates and state."""
    today = clock.today_in()
    for c in campaigns_ordered():
        click.echo(f"{c.year}  {c.starts_on} – {c.ends_on}  {c.state(today)}{'  (demo)' if c.is_demo else ''}")
