"""School-goods prices: observations recorded by staff, medians and trends for parents and journalists.

``bp`` serves the public pages and open data (``/<lang>/prices``), ``staff.staff_bp`` the
back office (``/staff/prices``). A campaign year is the calendar year of ``observed_on``
(stored as ``year``), so comparing with the previous year needs no ``Campaign`` row.
"""

from flask import Blueprint

bp = Blueprint("prices", __name__, url_prefix="/<lang:lang>/prices")

from . import routes  # noqa: E402,F401
