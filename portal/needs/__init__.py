"""The needs board: what each region still needs (aggregated, never a child's data), and regional response figures."""

from flask import Blueprint

bp = Blueprint("needs", __name__, url_prefix="/<lang:lang>/needs")

from . import routes  # noqa: E402,F401
