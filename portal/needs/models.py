"""Aggregated needs a region publishes (item, size band, how many are still needed): never a child's data."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..extensions import db
from ..regions.models import Region
from ..types import UTCDateTime

ITEMS = {
    "uniforms": _l("School uniforms"),
    "shoes": _l("Shoes"),
    "sportswear": _l("Sportswear"),
    "outerwear": _l("Outerwear"),
    "backpacks": _l("Backpacks"),
    "stationery": _l("Stationery sets"),
}
# The offer form's kind of help for each item (a sponsor answering a need ticks it).
OFFER_KIND = {
    "uniforms": "uniforms", "shoes": "shoes", "sportswear": "uniforms", "outerwear": "uniforms",
    "backpacks": "backpacks", "stationery": "stationery",
}


class Need(db.Model):
    __tablename__ = "need"
    __cache_area__ = "needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"), index=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"), index=True)
    item: Mapped[str] = mapped_column(sa.String(16))
    size_band: Mapped[str] = mapped_column(sa.String(60), default="")
    quantity_total: Mapped[int] = mapped_column(default=0)
    quantity_needed: Mapped[int] = mapped_column(default=0)
    covered: Mapped[bool] = mapped_column(default=False)
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    region: Mapped[Region] = relationship(lazy="joined")

    @property
    def item_label(self) -> str:
        return str(ITEMS.get(self.item, self.item))

    @property
    def quantity_received(self) -> int:
        return max(0, self.quantity_total - self.quantity_needed)

    @property
    def percent(self) -> int:
        """Share of the need already met, 0–100 (100 once marked covered)."""
        if self.covered or self.quantity_total <= 0:
            return 100 if self.covered else 0
        return min(100, round(100 * self.quantity_received / self.quantity_total))

    def __repr__(self) -> str:
        return "<Need %s %s %s>" % (self.id, self.region_code, self.item)
