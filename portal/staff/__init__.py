"""The back office: staff accounts, two-factor sign-in, regional access control."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from . import accounts, routes  # noqa: E402,F401
