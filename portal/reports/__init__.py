"""Transparency reports: aid allocations recorded by staff, published as immutable, citable versions.

``bp`` serves the pages (``/<lang>/reports/``), ``files_bp`` the language-less
downloads (``/reports/<slug>/v<N>/data.csv`` …), ``staff.staff_bp`` the back office.
"""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/<lang:lang>/reports")
files_bp = Blueprint("report_files", __name__, url_prefix="/reports")

from . import home, routes  # noqa: E402,F401
