"""A price observation: what one school item cost at one outlet of a region on one day."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..extensions import db
from ..regions.models import Region
from ..types import UTCDateTime

# The fixed list of items, in the order parents shop for them. Codes are stable (files, URLs).
ITEMS = {
    "uniform_set": _l("School uniform set"),
    "shirt_blouse": _l("Shirt or blouse"),
    "shoes": _l("School shoes"),
    "sports_kit": _l("Sports kit"),
    "backpack": _l("Backpack"),
    "notebook_12": _l("Notebook, 12 sheets"),
    "notebook_48": _l("Notebook, 48 sheets"),
    "pen": _l("Ballpoint pen"),
    "coloured_pencils": _l("Coloured pencils, 12 colours"),
    "pencil_case": _l("Pencil case"),
}
OUTLETS = {
    "market": _l("Market"),
    "shop": _l("Shop"),
    "school_fair": _l("School fair"),
    "online": _l("Online shop"),
}
MIN_PRICE = 1
MAX_PRICE = 10_000_000
# An item needs this many observations before a median is shown.
MIN_OBSERVATIONS = 3


class PriceObservation(db.Model):
    """One observed price in whole tenge; ``year`` is the campaign year (the year of ``observed_on``)."""

    __tablename__ = "price_observation"
    __cache_area__ = "prices"
    __table_args__ = (
        sa.CheckConstraint("price >= 1", name="price_positive"),
        sa.Index("ix_price_observation_year_region_item", "year", "region_code", "item"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"), index=True)
    item: Mapped[str] = mapped_column(sa.String(24))
    outlet: Mapped[str] = mapped_column(sa.String(16))
    price: Mapped[int]  # whole tenge
    observed_on: Mapped[dt.date] = mapped_column(sa.Date)
    # Which upload (or "form") the observation came from.
    batch: Mapped[str] = mapped_column(sa.String(32), default="")
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, onupdate=clock.now)

    region: Mapped[Region] = relationship()

    @property
    def item_label(self) -> str:
        return str(ITEMS.get(self.item, self.item))

    @property
    def outlet_label(self) -> str:
        return str(OUTLETS.get(self.outlet, self.outlet))

    def __repr__(self) -> str:
        return "<PriceObservation %s %s %s %s>" % (self.id, self.region_code, self.item, self.price)
