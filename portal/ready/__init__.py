"""“Is your child ready for school?”: a self-check that stores nothing unless the visitor asks to be counted."""

from flask import Blueprint

bp = Blueprint("ready", __name__, url_prefix="/<lang:lang>/ready")

from . import routes  # noqa: E402,F401
