"""The campaign's own pages: home, about (the concept), help for families, accessibility, privacy."""

from flask import Blueprint

bp = Blueprint("pages", __name__, url_prefix="/<lang:lang>")

from . import routes  # noqa: E402,F401
