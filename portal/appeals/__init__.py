"""Anonymous trust-phone appeals: report without being identified, follow up with a receipt code.

Built like a whistleblowing intake, not a contact form. The reporter is known to
the portal only by what they choose to write. Nothing about the request is kept:
no address, user agent, referrer or cookie value is stored with an appeal or
logged for these routes, appeals carry a date and no time of day, and the
receipt code exists in plain text only in the one response that shows it (the
database keeps a slow keyed hash, see ``receipts.py``). Every page of the path
is ``Cache-Control: no-store`` and carries a "Leave this page quickly" link.

Configuration (defaults in ``portal/config.py``): ``APPEAL_PEPPER`` (else
``instance/appeal_pepper``), ``APPEAL_HASH_TIME_COST`` / ``APPEAL_HASH_MEMORY_KIB``
(Argon2id), ``APPEAL_RATE_LIMIT`` (submissions) and ``APPEAL_CHECK_RATE_LIMIT``
(checking, confirming, adding information; per client address, through the
hourly-rotating keys of ``portal/ratelimit.py``), ``APPEAL_FORM_MAX_AGE`` and
``APPEAL_RECEIPT_REDISPLAY_SECONDS`` (see ``routes.py``), ``APPEAL_EXIT_URL``.
"""

import logging
import time

from flask import Blueprint, has_request_context, request

bp = Blueprint("appeals", __name__, url_prefix="/<lang:lang>/appeal")

class DayOnly(logging.Filter):
    """The app's log records made while serving the appeal path keep the day, never the time of day.

    (Flask logs an unhandled error as "Exception on /kk/appeal [POST]" with the time: that line
    would date an appeal to the second. gunicorn.conf.py does the same for gunicorn's own log.)
    """

    def filter(self, record):
        if has_request_context() and request.blueprint == "appeals":
            day = time.localtime(record.created)
            record.created = time.mktime((day.tm_year, day.tm_mon, day.tm_mday, 0, 0, 0, 0, 0, -1))
            record.msecs = 0
        return True


@bp.record_once
def _day_only_logs(state):
    state.app.logger.addFilter(DayOnly())


from . import routes  # noqa: E402,F401
