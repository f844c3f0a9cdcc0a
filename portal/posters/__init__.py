"""Printable outreach: an A4 poster and an A6 leaflet for the campaign and for each fair, with a QR code."""

from flask import Blueprint

bp = Blueprint("posters", __name__, url_prefix="/<lang:lang>/print")

from . import routes  # noqa: E402,F401
