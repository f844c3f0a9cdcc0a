"""The queue's rules, once for appeals and offers: what is owed, when it is due, what is overdue, who may
be assigned, and the writes (assign, forward, hand over, bulk) with their audit entries.

Bulk writes load the whole selection with one SELECT (scoped to the staff member), change it in
memory and write one audit entry per item without flushing in between, so the number of statements
does not grow with the selection (``tests/test_queue.py`` counts them for 500 items).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import clock
from ..appeals.models import CLOSE_REASONS, OPEN_STATUSES as APPEAL_OPEN, Appeal
from ..audit import record, record_many
from ..extensions import db
from ..offers.models import OPEN_STATUSES as OFFER_OPEN, Offer, OfferRegion
from ..staff.access import can_edit, scoped
from ..staff.models import StaffUser

DATE_TZ = "Asia/Almaty"
# The most items one bulk action takes: a page of a day's peak, and a bounded statement.
BULK_LIMIT = 500

STATES = {
    "overdue": _l("Overdue"),
    "open": _l("Waiting for staff"),
    "waiting": _l("Waiting for the reporter"),
    "done": _l("Closed or finished"),
}
ASSIGNEE_ME, ASSIGNEE_NONE = "me", "none"
NATIONAL = "national"  # forwarding target: the national level (no region)


def today() -> dt.date:
    return clock.today_in(DATE_TZ)


@dataclass(frozen=True)
class Queue:
    """The queue's view of one model: which rows staff owe an answer to, and by which day."""

    model: type
    owed: sa.ColumnElement
    due: sa.ColumnElement
    waiting: sa.ColumnElement | None

    def overdue(self, day: dt.date | None = None):
        return sa.and_(self.owed, self.due < (day or today()))

    def order(self, day: dt.date | None = None) -> list:
        """Overdue first, then what is owed by due day, then the rest newest first."""
        day = day or today()
        return [
            sa.case((self.overdue(day), 0), (self.owed, 1), else_=2),
            sa.case((self.owed, self.due), else_=None),
            self.model.id.desc(),
        ]

    def with_state(self, stmt, state: str | None, day: dt.date | None = None):
        day = day or today()
        if state == "overdue":
            return stmt.where(self.overdue(day))
        if state == "open":
            return stmt.where(self.owed, self.due >= day)
        if state == "waiting" and self.waiting is not None:
            return stmt.where(self.waiting)
        if state == "done":
            return stmt.where(sa.not_(self.owed), *([sa.not_(self.waiting)] if self.waiting is not None else []))
        return stmt

    def with_assignee(self, stmt, value: str | None, staff=None):
        staff = staff or current_user
        if value == ASSIGNEE_ME:
            return stmt.where(self.model.assignee_id == staff.id)
        if value == ASSIGNEE_NONE:
            return stmt.where(self.model.assignee_id.is_(None))
        if value and value.isdigit() and len(value) < 10:
            return stmt.where(self.model.assignee_id == int(value))
        return stmt


APPEALS = Queue(
    model=Appeal,
    owed=sa.and_(Appeal.status != "closed",
                 sa.or_(Appeal.status.in_(APPEAL_OPEN), Appeal.reporter_updated.is_(True))),
    due=sa.case((Appeal.status.in_(APPEAL_OPEN), Appeal.due_on),
                else_=sa.func.coalesce(Appeal.follow_up_due_on, Appeal.due_on)),
    waiting=sa.and_(Appeal.status == "answered", Appeal.reporter_updated.is_(False)),
)
OFFERS = Queue(model=Offer, owed=Offer.status.in_(OFFER_OPEN), due=Offer.due_on, waiting=None)


def queue_for(model) -> Queue:
    return APPEALS if model is Appeal else OFFERS


def item_state(item, day: dt.date | None = None) -> str:
    """``overdue`` / ``open`` / ``waiting`` / ``done`` for one loaded appeal or offer."""
    day = day or today()
    if isinstance(item, Appeal):
        due = item.queue_due_on if item.status != "closed" else None
        if due is None:
            return "waiting" if item.status == "answered" else "done"
    else:
        due = item.due_on if item.status in OFFER_OPEN else None
        if due is None:
            return "done"
    return "overdue" if due < day else "open"


def arrival_day(item) -> dt.date:
    """The day an appeal or offer arrived (offers: on the Almaty wall clock)."""
    from ..offers.models import arrival_day as offer_arrival_day

    return item.created_on if isinstance(item, Appeal) else offer_arrival_day(item.created_at)


def days_open(arrived_on: dt.date, day: dt.date | None = None) -> int:
    """Calendar days since the item arrived (0 on the day itself)."""
    return max(0, ((day or today()) - arrived_on).days)


# --- who may be assigned -------------------------------------------------------------------


def assignable_staff(region_codes: set[str | None] | None = None) -> list[StaffUser]:
    """Active admins and coordinators who may work items of these regions (None: whoever the
    current staff member may see: all for an admin, the region's team for a coordinator)."""
    stmt = sa.select(StaffUser).where(StaffUser.is_active_account.is_(True), StaffUser.role != "analyst")
    if region_codes is None:
        if not current_user.is_admin:
            stmt = stmt.where(sa.or_(StaffUser.role == "admin", StaffUser.region_code == current_user.region_code))
    else:
        regional = [code for code in region_codes if code]
        stmt = stmt.where(sa.or_(StaffUser.role == "admin", StaffUser.region_code.in_(regional)))
    return list(db.session.scalars(stmt.order_by(StaffUser.role, StaffUser.name, StaffUser.email)))


def assignee_choices(staff: list[StaffUser], none_label=None) -> list[tuple[str, str]]:
    choices = [(str(s.id), s.label) for s in staff]
    if none_label is not None:
        choices.insert(0, ("", str(none_label)))
    return choices


def may_work(item, staff: StaffUser) -> bool:
    return staff.is_active_account and not staff.is_analyst and can_edit(item, staff=staff)


# --- single writes -------------------------------------------------------------------------


def _object(item) -> tuple[str, str | None]:
    if isinstance(item, Appeal):
        return "appeal", item.region_code
    return "offer", item.primary_region


def assign(item, staff: StaffUser | None) -> bool:
    """Give the item to ``staff`` (None: back to the team's common queue); audited. ``False`` if unchanged."""
    new_id = staff.id if staff else None
    if item.assignee_id == new_id:
        return False
    object_type, region = _object(item)
    record("assign", object_type=object_type, object_id=item.id, region_code=region,
           changes={"assignee_id": [item.assignee_id, new_id]})
    item.assignee_id = new_id
    return True


def forward(item, region_code: str | None) -> bool:
    """Send the item to another region's team, or to the national level (None); audited.

    The assignment stays only when the assignee may still work the item; otherwise it goes back to the
    receiving team's common queue.
    """
    object_type, _region = _object(item)
    if isinstance(item, Appeal):
        before = item.region_code
        if before == region_code:
            return False
        item.region_code = region_code
        after = region_code
    else:
        before = item.region_codes
        target = [region_code] if region_code else []
        if before == target:
            return False
        item.regions.clear()
        db.session.flush()
        for code in target:
            item.regions.append(OfferRegion(region_code=code))
        after = target
    db.session.flush()
    if isinstance(item, Appeal):
        db.session.expire(item, ["region"])
    changes = {"region": [before, after]}
    if item.assignee is not None and not may_work(item, item.assignee):
        changes["assignee_id"] = [item.assignee_id, None]
        item.assignee_id = None
    record("forward", object_type=object_type, object_id=item.id, region_code=region_code, changes=changes)
    return True


def handover(user: StaffUser, to: StaffUser | None = None, actor=None) -> dict[str, int]:
    """Before an account is deactivated: its open items go to ``to`` or back to the common queue; audited."""
    moved = {}
    for name, queue in (("appeal", APPEALS), ("offer", OFFERS)):
        model = queue.model
        result = db.session.execute(
            sa.update(model).where(model.assignee_id == user.id, queue.owed)
            .values(assignee_id=to.id if to else None).execution_options(synchronize_session=False)
        )
        moved[name] = result.rowcount or 0
        # Finished items keep no link to a departed account either.
        db.session.execute(
            sa.update(model).where(model.assignee_id == user.id)
            .values(assignee_id=None).execution_options(synchronize_session=False)
        )
    record("handover", object_type="staff_user", object_id=user.id, region_code=user.region_code, actor=actor,
           changes={"to": to.id if to else None, "appeals": moved["appeal"], "offers": moved["offer"]})
    return moved


# --- bulk ----------------------------------------------------------------------------------


def load_selection(model, ids: list[int]) -> list:
    """The selected items this staff member may see, in one SELECT (offers' kinds and regions by selectin)."""
    ids = sorted(set(ids))[:BULK_LIMIT]
    if not ids:
        return []
    return list(db.session.scalars(scoped(sa.select(model).where(model.id.in_(ids)), model)).unique())


@dataclass
class BulkResult:
    changed: int = 0
    skipped: int = 0


def _appeal_change(appeal: Appeal, action: str) -> dict | None:
    """What a status or close action changes on one appeal ({} nothing, None not possible)."""
    from ..appeals.models import STATUSES

    if action.startswith("status:") and action[7:] in STATUSES:
        if appeal.status == action[7:]:
            return {}
        changes = {"status": [appeal.status, action[7:]]}
        appeal.status = action[7:]
        return changes
    if action.startswith("close:") and action[6:] in CLOSE_REASONS:
        reason = action[6:]
        if appeal.status == "closed" and appeal.close_reason == reason:
            return {}
        changes = {"status": [appeal.status, "closed"], "close_reason": [appeal.close_reason, reason]}
        appeal.status, appeal.close_reason = "closed", reason
        if appeal.reporter_updated:
            changes["reporter_updated"] = [True, False]
            appeal.reporter_updated = False
        return changes
    return None


def _offer_change(offer: Offer, action: str) -> dict | None:
    """A status change follows the offer's transitions; "close as duplicate/spam" declines it with that
    reason as its note."""
    if action.startswith("status:"):
        target = action[7:]
    elif action.startswith("close:") and action[6:] in CLOSE_REASONS:
        target = "declined"
    else:
        return None
    if target == offer.status:
        return {}
    if target not in offer.next_statuses:
        return None
    changes = {"status": [offer.status, target]}
    offer.status = target
    if action.startswith("close:"):
        note = str(CLOSE_REASONS[action[6:]])
        changes["status_note"] = [offer.status_note, note]
        offer.status_note = note
    if target == "declined" and offer.wall_approved:
        changes["wall_approved"] = [True, False]
        offer.wall_approved = False
    return changes


def _assign_change(item, assignee: StaffUser | None) -> dict | None:
    if assignee is not None and not may_work(item, assignee):
        return None
    new_id = assignee.id if assignee else None
    if item.assignee_id == new_id:
        return {}
    changes = {"assignee_id": [item.assignee_id, new_id]}
    item.assignee_id = new_id
    return changes


def bulk(items: list, action: str, assignee: StaffUser | None = None) -> BulkResult:
    """Apply one action to the appeals or offers this staff member may change: a status, close as a
    duplicate or spam, or assign. Items where it is not possible are skipped; one audit entry per changed
    item, all in one INSERT."""
    result = BulkResult()
    entries = []
    for item in items:
        if not can_edit(item):
            result.skipped += 1
            continue
        if action == "assign":
            changes = _assign_change(item, assignee)
        else:
            changes = (_appeal_change if isinstance(item, Appeal) else _offer_change)(item, action)
        if changes is None:
            result.skipped += 1
        elif changes:
            object_type, region = _object(item)
            entries.append({"action": "bulk_" + action.split(":")[0], "object_type": object_type,
                            "object_id": item.id, "region_code": region, "changes": changes})
            result.changed += 1
    db.session.flush()
    record_many(entries)
    return result
