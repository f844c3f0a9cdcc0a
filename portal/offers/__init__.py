"""Donation offers: the public form ``/<lang>/offer`` and its confirmation; staff triage in ``staff.py``."""

from flask import Blueprint

bp = Blueprint("offers", __name__, url_prefix="/<lang:lang>/offer")

from . import routes, track  # noqa: E402,F401
