"""Back office of campaign years: every staff member sees them; national admins open, edit and close them (audited)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import clock
from ..extensions import db
from ..forms import failed_status
from ..staff.access import access_rule
from .forms import CampaignForm
from .models import STATES, Campaign, campaigns_ordered, season_year, usual_dates
from .services import CampaignError, close_campaign, open_campaign, reopen_campaign, update_campaign

staff_bp = Blueprint("campaigns_staff", __name__, url_prefix="/staff/campaigns")


@staff_bp.get("/")
@access_rule()
def list_campaigns():
    """Every campaign year, newest first, with its state."""
    campaigns = campaigns_ordered(newest_first=True)
    return render_template("staff/campaigns/list.html", campaigns=campaigns, today=clock.today_in(),
                           campaign_states=STATES, suggested=_suggested_year(campaigns))


def _suggested_year(campaigns: list[Campaign]) -> int:
    """The year an admin most likely opens next: the one after the latest, or this season's."""
    latest = max((c.year for c in campaigns), default=0)
    return max(latest + 1, season_year())


@staff_bp.route("/new", methods=["GET", "POST"])
@access_rule(admin_only=True)
def new_campaign():
    """Open a campaign year: dates, slogan and message in three languages; optionally last year's open needs."""
    form = CampaignForm()
    if not form.is_submitted():
        year = request.args.get("year", type=int)
        year = year if year and 1990 <= year <= 2200 else _suggested_year(campaigns_ordered())
        form.year.data = year
        form.starts_on.data, form.ends_on.data = usual_dates(year)
        form.copy_needs.data = True
        form.copy_plans.data = True
    if form.validate_on_submit():
        done = _saved(form.year, lambda: open_campaign(
            form.year.data, form.starts_on.data, form.ends_on.data, form.texts(),
            copy_needs=form.copy_needs.data, copy_plans=form.copy_plans.data,
        ), _l("The %(year)d campaign is open."))
        if done:
            return done
    return _form_page(form, None)


def _saved(field, change, done_message):
    """Run ``change`` (a service call): a refusal is shown on ``field``; success commits, says so, and goes back."""
    try:
        campaign = change()
    except CampaignError as refusal:
        field.errors = [str(refusal)]
        return None
    db.session.commit()
    flash(str(done_message) % {"year": campaign.year})
    return redirect(url_for("campaigns_staff.list_campaigns"))


def _form_page(form: CampaignForm, campaign: Campaign | None):
    status = failed_status(form) if form.errors else 200
    return render_template("staff/campaigns/form.html", form=form, campaign=campaign), status


@staff_bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@access_rule(model=Campaign, write=True, admin_only=True)
def edit_campaign(campaign: Campaign):
    """Change a campaign's dates, slogan or message (audited)."""
    form = CampaignForm(obj=None if request.method == "POST" else campaign)
    form.year.data = campaign.year
    if form.validate_on_submit():
        done = _saved(form.starts_on, lambda: update_campaign(
            campaign, form.starts_on.data, form.ends_on.data, form.texts(),
        ), _l("The %(year)d campaign has been updated."))
        if done:
            return done
    return _form_page(form, campaign)


@staff_bp.post("/<int:campaign_id>/close")
@access_rule(model=Campaign, write=True, admin_only=True)
def close(campaign: Campaign):
    """Close a campaign (the public pages show it as over, with its results), or open it again (audited)."""
    year = campaign.year
    if campaign.is_closed:
        reopen_campaign(campaign)
        flash(_("The %(year)d campaign is open again.", year=year))
    else:
        close_campaign(campaign)
        flash(_("The %(year)d campaign is closed.", year=year))
    db.session.commit()
    return redirect(url_for("campaigns_staff.list_campaigns"))
