"""Views of the campaign's own pages."""

from flask import render_template

from ..campaigns.models import STATES, current_campaign
from ..http import cacheable
from ..regions.models import national_lines, regions_ordered
from . import bp
from .home import home_sections


@bp.get("/")
@cacheable("campaigns", "regions", "news", "fairs", "reports", "offers")
def home():
    """Home: slogan, campaign dates and state, calls to action, and what is new."""
    campaign = current_campaign()
    return render_template(
        "pages/home.html",
        campaign=campaign,
        campaign_states=STATES,
        sections=home_sections(campaign),
    )


@bp.get("/about")
@cacheable("campaigns")
def about():
    """The campaign concept."""
    return render_template("pages/about.html", campaign=current_campaign())


@bp.get("/help")
@cacheable("campaigns", "regions")
def help():
    """How a family gets help, and whom to call in each region."""
    return render_template(
        "pages/help.html",
        campaign=current_campaign(),
        national=national_lines(),
        regions=regions_ordered(),
    )


@bp.get("/accessibility")
@cacheable()
def accessibility():
    """Accessibility statement."""
    return render_template("pages/accessibility.html")


@bp.get("/privacy")
@cacheable()
def privacy():
    """What the portal collects and what it does not."""
    return render_template("pages/privacy.html")
