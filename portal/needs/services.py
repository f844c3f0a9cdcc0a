"""Queries of the needs board (bounded: one campaign, grouped by region)."""

from __future__ import annotations

import sqlalchemy as sa

from .. import clock
from ..campaigns.models import campaign_for
from ..extensions import db
from ..params import to_int
from .models import ITEMS, OFFER_KIND, Need


def board(campaign_id: int, region_code: str | None = None) -> list[Need]:
    """Needs of a campaign, open ones first within each region, then by item."""
    stmt = sa.select(Need).where(Need.campaign_id == campaign_id)
    if region_code:
        stmt = stmt.where(Need.region_code == region_code)
    order = sa.case({code: i for i, code in enumerate(ITEMS)}, value=Need.item, else_=len(ITEMS))
    return list(db.session.scalars(stmt.order_by(Need.region_code, Need.covered, order, Need.size_band, Need.id)))


def last_update(needs: list[Need]):
    return max((n.updated_at for n in needs), default=None)


def open_need(need_id) -> Need | None:
    """A need a sponsor may answer: it exists and is not covered yet."""
    ident = to_int(need_id)  # from a URL or a hidden field: only an id the column can hold
    if ident is None:
        return None
    need = db.session.get(Need, ident)
    return need if need is not None and not need.covered else None


def answerable_need(need_id) -> Need | None:
    """The need an offer may answer: open, on the public board (the campaign counting today's offers) and not
    fully pledged yet (refused like a covered one). The offer form checks its hidden ``need_id`` with it."""
    from .progress import progress

    need = open_need(need_id)
    if need is None:
        return None
    campaign = campaign_for(clock.today_in())
    if campaign is None or need.campaign_id != campaign.id:
        return None
    return need if not progress(need).covered else None


def prefill_offer(form, need_id) -> Need | None:
    """Fill a new offer form from the need a sponsor chose on the board: the need, its region, kind and number."""
    need = answerable_need(need_id)
    if need is None:
        return None
    form.need_id.data = str(need.id)
    form.regions.data = [need.region_code]
    form.kinds.data = [OFFER_KIND.get(need.item, "uniforms")]
    form.quantity.data = need.quantity_needed or None
    return need
