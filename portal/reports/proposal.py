"""The report's "sponsors" lines proposed from recorded deliveries, for staff to confirm (issue 16).

Deliveries of the campaign's offers (not declined) are summed per region, group of children and kind
of aid (a delivery whose group was not recorded counts as "other recipients"); staff of the region compare them with the report's current "sponsors" lines and confirm. Confirming replaces
the region's "sponsors" lines of that campaign with the proposal (batch ``deliveries``), audited, so the
figures are typed once (as deliveries) and the report and the deliveries never disagree silently:
the page shows every region where they differ.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..audit import record
from ..extensions import db
from ..offers.models import Delivery, Offer
from ..recipients import UNSTATED
from .models import GROUPS, KINDS, Allocation

BATCH = "deliveries"
SOURCE = "sponsors"
# An offer's kind of help → the report's kind of aid.
AID_KIND = {
    "uniforms": "uniform", "shoes": "shoes", "backpacks": "backpack", "stationery": "stationery",
    "money": "money", "services": "other", "price_reduction": "other",
}


@dataclass(frozen=True)
class Figures:
    children: int = 0
    amount: int = 0
    items: int = 0

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(self.children + other.children, self.amount + other.amount, self.items + other.items)


Key = tuple[str, str]  # (recipient group, aid kind): one "sponsors" line of the report


def _order(key: Key) -> tuple[int, int]:
    group, kind = key
    groups, kinds = list(GROUPS), list(KINDS)
    return (groups.index(group) if group in groups else len(groups), kinds.index(kind) if kind in kinds else len(kinds))


@dataclass(frozen=True)
class Line:
    """One row of the comparison: a group and kind of aid, from deliveries and in the report (``None``: none)."""

    group: str
    kind: str
    proposed: Figures | None
    current: Figures | None

    @property
    def group_label(self) -> str:
        return str(GROUPS.get(self.group, self.group))

    @property
    def kind_label(self) -> str:
        return str(KINDS.get(self.kind, self.kind))


@dataclass(frozen=True)
class RegionProposal:
    region_code: str
    proposed: dict[Key, Figures]  # (group, aid kind) → figures from deliveries
    current: dict[Key, Figures]  # (group, aid kind) → the report's "sponsors" lines now

    @property
    def lines(self) -> list[Line]:
        """Both sides line by line, in the report's order of groups and kinds."""
        keys = sorted(set(self.proposed) | set(self.current), key=_order)
        return [Line(group, kind, self.proposed.get((group, kind)), self.current.get((group, kind))) for group, kind in keys]

    @property
    def agrees(self) -> bool:
        return self.proposed == self.current

    @property
    def proposed_total(self) -> Figures:
        return sum(self.proposed.values(), Figures())

    @property
    def current_total(self) -> Figures:
        return sum(self.current.values(), Figures())


def _delivered(campaign_id: int, regions) -> dict[str, dict[Key, Figures]]:
    stmt = (
        sa.select(
            Delivery.region_code, Delivery.recipient_group, Delivery.kind,
            sa.func.coalesce(sa.func.sum(Delivery.children), 0),
            sa.func.coalesce(sa.func.sum(Delivery.value_tenge), 0),
            sa.func.coalesce(sa.func.sum(Delivery.quantity), 0),
        )
        .join(Offer, Offer.id == Delivery.offer_id)
        .where(Offer.campaign_id == campaign_id, Offer.status != "declined", Offer.is_demo.is_(False))
        .group_by(Delivery.region_code, Delivery.recipient_group, Delivery.kind)
    )
    if regions is not None:
        stmt = stmt.where(Delivery.region_code.in_(regions))
    result: dict[str, dict[Key, Figures]] = {}
    for code, group, kind, children, amount, items in db.session.execute(stmt):
        key = (group if group in GROUPS else UNSTATED, AID_KIND.get(kind, "other"))
        lines = result.setdefault(code, {})
        lines[key] = lines.get(key, Figures()) + Figures(int(children), int(amount), int(items))
    return result


def _current(campaign_id: int, regions) -> dict[str, dict[Key, Figures]]:
    a = Allocation
    stmt = (
        sa.select(a.region_code, a.recipient_group, a.aid_kind,
                  sa.func.sum(a.children), sa.func.sum(a.amount), sa.func.sum(a.items))
        .where(a.campaign_id == campaign_id, a.source == SOURCE, a.is_demo.is_(False))
        .group_by(a.region_code, a.recipient_group, a.aid_kind)
    )
    if regions is not None:
        stmt = stmt.where(a.region_code.in_(regions))
    result: dict[str, dict[Key, Figures]] = {}
    for code, group, kind, children, amount, items in db.session.execute(stmt):
        result.setdefault(code, {})[(group, kind)] = Figures(int(children or 0), int(amount or 0), int(items or 0))
    return result


def proposals(campaign_id: int, regions=None) -> list[RegionProposal]:
    """Per region (``regions``: only those; ``None``: all) with deliveries or "sponsors" lines; two queries."""
    delivered = _delivered(campaign_id, regions)
    current = _current(campaign_id, regions)
    return [
        RegionProposal(code, delivered.get(code, {}), current.get(code, {}))
        for code in sorted(set(delivered) | set(current))
    ]


def confirm(campaign_id: int, region_code: str, staff) -> int:
    """Replace the region's "sponsors" lines of the campaign with the proposal; audited; the caller commits.

    Returns how many lines the report now has from deliveries.
    """
    (proposal,) = proposals(campaign_id, [region_code]) or (RegionProposal(region_code, {}, {}),)
    old = list(db.session.scalars(sa.select(Allocation).where(
        Allocation.campaign_id == campaign_id, Allocation.region_code == region_code,
        Allocation.source == SOURCE, Allocation.is_demo.is_(False),
    )))
    for line in old:
        db.session.delete(line)
    for (group, kind), figures in sorted(proposal.proposed.items(), key=lambda item: _order(item[0])):
        db.session.add(Allocation(
            campaign_id=campaign_id, region_code=region_code, recipient_group=group, aid_kind=kind,
            source=SOURCE, children=figures.children, amount=figures.amount, items=figures.items,
            batch=BATCH, created_by_id=getattr(staff, "id", None),
        ))
    record(
        "confirm_deliveries", object_type="report_allocation", object_id="", region_code=region_code,
        changes={
            "campaign_id": campaign_id, "replaced_lines": len(old),
            "lines": {"%s/%s" % key: [f.children, f.amount, f.items] for key, f in sorted(proposal.proposed.items())},
        },
    )
    return len(proposal.proposed)
