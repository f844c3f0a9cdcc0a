"""School fairs, mobile fairs in remote settlements and charity events of a campaign."""

from flask import Blueprint

bp = Blueprint("fairs", __name__, url_prefix="/<lang:lang>/fairs")
# One event as .ics has a language-free URL (``/fairs/<id>.ics``): calendar links outlive page languages.
ics_bp = Blueprint("fairs_ics", __name__)

from . import home, routes  # noqa: E402,F401
