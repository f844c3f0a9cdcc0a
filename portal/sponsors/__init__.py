"""The public sponsor wall ``/<lang>/sponsors``: approved, consenting sponsors and price-reduction pledges.

Data come from ``portal.offers.services``; nothing here ever reads contact data.
"""

from flask import Blueprint

bp = Blueprint("sponsors", __name__, url_prefix="/<lang:lang>/sponsors")

from . import routes  # noqa: E402,F401
