"""The report's "sponsors" lines proposed from recorded deliveries, for staff to confirm (issue 16).

Deliveries of the campaign's offers (not declined) are summed per region and kind of aid; staff of
the region compare them with the report's current "sponsors" lines and confirm. Confirming replaces
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
from .models import Allocation

BATCH = "deliveries"
SOURCE = "sponsors"
RECIPIENTS = "other"  # deliveries say where help went, not to which group of children
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


@dataclass(frozen=True)
class RegionProposal:
    region_code: str
    proposed: dict[str, Figures]  # aid kind → figures from deliveries
    current: dict[str, Figures]  # aid kind → the report's "sponsors" lines now

    @property
    def agrees(self) -> bool:
        return self.proposed == self.current

    @property
    def proposed_total(self) -> Figures:
        return sum(self.proposed.values(), Figures())

    @property
    def current_total(self) -> Figures:
        return sum(self.current.values(), Figures())


def _delivered(campaign_id: int, regions) -> dict[str, dict[str, Figures]]:
    stmt = (
        sa.select(
            Delivery.region_code, Delivery.kind,
            sa.func.coalesce(sa.func.sum(Delivery.children), 0),
            sa.func.coalesce(sa.func.sum(Delivery.value_tenge), 0),
            sa.func.coalesce(sa.func.sum(Delivery.quantity), 0),
        )
        .join(Offer, Offer.id == Delivery.offer_id)
        .where(Offer.campaign_id == campaign_id, Offer.status != "declined", Offer.is_demo.is_(False))
        .group_by(Delivery.region_code, Delivery.kind)
    )
    if regions is not None:
        stmt = stmt.where(Delivery.region_code.in_(regions))
    result: dict[str, dict[str, Figures]] = {}
    for code, kind, children, amount, items in db.session.execute(stmt):
        aid = AID_KIND.get(kind, "other")
        by_kind = result.setdefault(code, {})
        by_kind[aid] = by_kind.get(aid, Figures()) + Figures(int(children), int(amount), int(items))
    return result


def _current(campaign_id: int, regions) -> dict[str, dict[str, Figures]]:
    a = Allocation
    stmt = (
        sa.select(a.region_code, a.aid_kind, sa.func.sum(a.children), sa.func.sum(a.amount), sa.func.sum(a.items))
        .where(a.campaign_id == campaign_id, a.source == SOURCE, a.is_demo.is_(False))
        .group_by(a.region_code, a.aid_kind)
    )
    if regions is not None:
        stmt = stmt.where(a.region_code.in_(regions))
    result: dict[str, dict[str, Figures]] = {}
    for code, kind, children, amount, items in db.session.execute(stmt):
        result.setdefault(code, {})[kind] = Figures(int(children or 0), int(amount or 0), int(items or 0))
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
    for kind, figures in sorted(proposal.proposed.items()):
        db.session.add(Allocation(
            campaign_id=campaign_id, region_code=region_code, recipient_group=RECIPIENTS, aid_kind=kind,
            source=SOURCE, children=figures.children, amount=figures.amount, items=figures.items,
            batch=BATCH, created_by_id=getattr(staff, "id", None),
        ))
    record(
        "confirm_deliveries", object_type="report_allocation", object_id="", region_code=region_code,
        changes={
            "campaign_id": campaign_id, "replaced_lines": len(old),
            "lines": {kind: [f.children, f.amount, f.items] for kind, f in sorted(proposal.proposed.items())},
        },
    )
    return len(proposal.proposed)
