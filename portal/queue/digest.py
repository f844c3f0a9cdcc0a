"""The daily digest: one e-mail per staff member with the counts of new and overdue items in their queue.

Counts only: no appeal text, no category, no region of an item, no day or time of arrival, so an
intercepted mail says nothing about any reporter (SecureDrop's digest does the same). Sent by
``flask digest send`` from cron or a systemd timer; idempotent per day: each account is claimed for the
day with one conditional UPDATE before its mail goes out, so a second run (or two at once) sends nothing
twice, and a failed send releases the claim for the next run.

A staff member's queue: what is assigned to them, and what nobody has taken yet where they answer for it
(their region for a coordinator; region-less appeals and "wherever needed" offers for national admins).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, render_template, url_for
from flask_babel import force_locale, gettext as _

from .. import mail
from ..appeals.models import Appeal
from ..extensions import db
from ..offers.models import Offer, OfferRegion
from ..staff.models import StaffUser
from .services import APPEALS, OFFERS, today


@dataclass
class Counts:
    new: int = 0
    overdue: int = 0


def _mine_or_unclaimed(model, user):
    unassigned = model.assignee_id.is_(None)
    if model is Appeal:
        area = Appeal.region_code == user.region_code if user.region_code else Appeal.region_code.is_(None)
    else:
        regions = sa.select(OfferRegion.offer_id)
        area = (Offer.id.in_(regions.where(OfferRegion.region_code == user.region_code)) if user.region_code
                else Offer.id.not_in(regions))
    return sa.or_(model.assignee_id == user.id, sa.and_(unassigned, area))


def queue_counts(user: StaffUser) -> Counts:
    day = today()
    counts = Counts()
    for model, queue in ((Appeal, APPEALS), (Offer, OFFERS)):
        new, overdue = db.session.execute(
            sa.select(sa.func.count().filter(model.status == "new"), sa.func.count().filter(queue.overdue(day)))
            .where(_mine_or_unclaimed(model, user))
        ).one()
        counts.new += new or 0
        counts.overdue += overdue or 0
    return counts


def build(user: StaffUser, counts: Counts):
    with force_locale(user.language or "kk"):
        subject = _("«Road to School» back office: your queue today")
        body = render_template("staff/queue/_digest_email.html", counts=counts,
                               url=url_for("staff.dashboard", _external=True))
    return mail.new_message(user.email, subject, body)


def recipients() -> list[StaffUser]:
    return list(db.session.scalars(
        sa.select(StaffUser).where(StaffUser.is_active_account.is_(True), StaffUser.digest_opt_out.is_(False),
                                   StaffUser.role != "analyst", StaffUser.email != "")
        .order_by(StaffUser.id)
    ))


def _claim(user_id: int, day) -> bool:
    result = db.session.execute(
        sa.update(StaffUser).where(StaffUser.id == user_id,
                                   sa.or_(StaffUser.digest_sent_on.is_(None), StaffUser.digest_sent_on != day))
        .values(digest_sent_on=day).execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _release(user_id: int, previous) -> None:
    db.session.execute(sa.update(StaffUser).where(StaffUser.id == user_id).values(digest_sent_on=previous)
                       .execution_options(synchronize_session=False))
    db.session.commit()


def send_all(dry_run: bool = False) -> dict[str, int]:
    """Send today's digests; ``{"sent", "empty", "already", "failed"}``."""
    day = today()
    result = {"sent": 0, "empty": 0, "already": 0, "failed": 0}
    plan = []
    for user in recipients():
        if user.digest_sent_on == day:
            result["already"] += 1
            continue
        counts = queue_counts(user)
        if not (counts.new or counts.overdue):
            result["empty"] += 1
            continue
        plan.append((user.id, user.digest_sent_on, build(user, counts)))
    if dry_run or not plan:
        result["sent"] = 0 if dry_run else result["sent"]
        result["planned"] = len(plan)
        return result
    try:
        with mail.smtp_connection() as smtp:
            for user_id, previous, message in plan:
                if not _claim(user_id, day):
                    result["already"] += 1
                    continue
                try:
                    smtp.send_message(message)
                except mail.ERRORS as error:
                    _release(user_id, previous)
                    result["failed"] += 1
                    current_app.logger.warning("digest not sent to staff %s (%s)", user_id, type(error).__name__)
                    continue
                result["sent"] += 1
    except mail.ERRORS as error:
        current_app.logger.warning("digest: mail server unreachable (%s)", type(error).__name__)
        result["failed"] += len(plan) - result["sent"] - result["already"] - result["failed"]
    result["planned"] = len(plan)
    return result
