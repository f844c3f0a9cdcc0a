"""Deliveries of offers: recording them (staff, audited) and adding them up for needs, the wall and reports.

A delivery says what part of an offer reached which district, settlement or school of which region;
partial deliveries add up. The first delivery of a contacted offer makes it accepted; the one staff
mark as completing it makes it delivered (an offer cannot be "delivered" with nothing recorded).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from ..audit import record, snapshot
from ..extensions import db
from .models import Delivery, Offer

# Statuses in which a delivery may be recorded.
OPEN_FOR_DELIVERY = ("contacted", "accepted")


def add_delivery(offer: Offer, data: dict, complete: bool) -> Delivery:
    """Add a delivery to ``offer`` (and move its status on), audited; the caller commits."""
    delivery = Delivery(offer=offer, **data)
    db.session.add(delivery)
    db.session.flush()
    record("create", delivery, region_code=delivery.region_code, object_type="offer_delivery")
    before = snapshot(offer)
    if offer.status == "contacted":
        offer.status = "accepted"
    if complete:
        offer.status = "delivered"
    if offer.status != before["status"]:
        record("status", offer, before=before, region_code=offer.primary_region or delivery.region_code)
    return delivery


@dataclass(frozen=True)
class Delivered:
    quantity: int = 0
    value: int = 0

    def __bool__(self) -> bool:
        return bool(self.quantity or self.value)

    def __add__(self, other: "Delivered") -> "Delivered":
        return Delivered(self.quantity + other.quantity, self.value + other.value)


def delivered_by_region(offer_ids) -> dict[tuple[int, str], Delivered]:
    """``{(offer_id, region_code): Delivered}`` for the given offers: one query, bound to those ids only."""
    ids = sorted(set(offer_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(
            Delivery.offer_id, Delivery.region_code,
            sa.func.coalesce(sa.func.sum(Delivery.quantity), 0), sa.func.coalesce(sa.func.sum(Delivery.value_tenge), 0),
        )
        .where(Delivery.offer_id.in_(ids))
        .group_by(Delivery.offer_id, Delivery.region_code)
    )
    return {(offer_id, code): Delivered(int(q), int(v)) for offer_id, code, q, v in rows}


def delivered_in(totals: dict[tuple[int, str], Delivered], offer_id: int, region_code: str | None) -> Delivered:
    """What one offer delivered to one region (``None``: to every region together)."""
    if region_code is not None:
        return totals.get((offer_id, region_code), Delivered())
    total = Delivered()
    for (ident, _code), value in totals.items():
        if ident == offer_id:
            total = total + value
    return total


def pledges_for_needs(need_ids) -> dict[int, tuple[int, int]]:
    """``{need_id: (pledged, delivered)}`` from the offers answering each need (declined ones left out).

    An offer pledges its stated quantity, or what it delivered when that is more; two queries.
    """
    ids = sorted(set(need_ids))
    if not ids:
        return {}
    offers = db.session.execute(
        sa.select(Offer.id, Offer.need_id, Offer.quantity).where(Offer.need_id.in_(ids), Offer.status != "declined")
    ).all()
    delivered: dict[int, int] = defaultdict(int)
    if offers:
        for offer_id, quantity in db.session.execute(
            sa.select(Delivery.offer_id, sa.func.coalesce(sa.func.sum(Delivery.quantity), 0))
            .where(Delivery.offer_id.in_([o.id for o in offers]))
            .group_by(Delivery.offer_id)
        ):
            delivered[offer_id] = int(quantity)
    result: dict[int, tuple[int, int]] = {}
    for offer_id, need_id, quantity in offers:
        pledged, done = result.get(need_id, (0, 0))
        got = delivered.get(offer_id, 0)
        result[need_id] = (pledged + max(quantity or 0, got), done + got)
    return result
