"""The work queue shared by appeals and offers: due dates and the overdue state, assignment to a named
staff member, forwarding to a region or to the national level, handover when an account is
deactivated, bulk actions, reply templates, the dashboard's counts and the daily digest.

The rule of what is due comes from ``portal/workdays.py`` (three working days in Kazakhstan); the rule
of who may see and change what from ``portal/staff/access.py``. Appeals and offers keep their own
pages (``portal/appeals/staff.py``, ``portal/offers/staff.py``) and ask this package for the queue's
parts, so the two lists sort, filter, assign and act in bulk the same way.
"""

from flask import Blueprint

bp = Blueprint("queue_staff", __name__, url_prefix="/staff")


def init_app(app) -> None:
    from . import cli, replies, staff  # noqa: F401  (routes)

    app.register_blueprint(bp)
    app.cli.add_command(cli.digest)
    app.cli.add_command(cli.retention)
