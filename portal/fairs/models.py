"""Fairs and events. Times are stored in UTC and shown in the local time of the fair's region."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..campaigns.models import Campaign
from ..extensions import db
from ..types import UTCDateTime
from ..i18n import available_languages, localised, to_local
from ..regions.models import Region

KINDS = {
    "school": _l("School fair"),
    "mobile": _l("Mobile fair in a remote settlement"),
    "charity": _l("Charity event"),
    # The regions' plans of events (seed: «өңірлік іс-шаралар жоспарлары») hold these too.
    "consultation": _l("Consultation for education specialists"),
    "reception": _l("Public reception day"),
}
STATUSES = {"scheduled": _l("Scheduled"), "cancelled": _l("Cancelled")}

# Fields whose change is news to a calendar subscriber: they bump the iCalendar SEQUENCE.
CALENDAR_FIELDS = (
    "title_kk", "title_ru", "title_en", "description_kk", "description_ru", "description_en",
    "offer_kk", "offer_ru", "offer_en", "venue", "address", "settlement", "starts_at", "ends_at",
    "status", "organiser", "region_code", "kind", "is_remote",
)


class Fair(db.Model):
    __tablename__ = "fair"
    __cache_area__ = "fairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"), index=True)
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16), default="school")
    settlement: Mapped[str] = mapped_column(sa.String(200), default="")  # district / settlement
    is_remote: Mapped[bool] = mapped_column(default=False)
    venue: Mapped[str] = mapped_column(sa.String(200), default="")
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    organiser: Mapped[str] = mapped_column(sa.String(200), default="")
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(sa.String(16), default="scheduled")

    title_kk: Mapped[str] = mapped_column(sa.String(200), default="")
    title_ru: Mapped[str] = mapped_column(sa.String(200), default="")
    title_en: Mapped[str] = mapped_column(sa.String(200), default="")
    description_kk: Mapped[str] = mapped_column(sa.Text, default="")
    description_ru: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    # What is on offer and the discounts.
    offer_kk: Mapped[str] = mapped_column(sa.Text, default="")
    offer_ru: Mapped[str] = mapped_column(sa.Text, default="")
    offer_en: Mapped[str] = mapped_column(sa.Text, default="")

    # iCalendar: bumped on every change a subscriber should see; the UID never changes.
    sequence: Mapped[int] = mapped_column(default=0)
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime, default=clock.now, onupdate=clock.now
    )

    region: Mapped[Region] = relationship(lazy="joined")
    campaign: Mapped[Campaign] = relationship()

    __table_args__ = (sa.Index("ix_fair_region_starts", "region_code", "starts_at"),)

    @property
    def title(self) -> str:
        return localised(self, "title")[0]

    @property
    def languages(self) -> list[str]:
        return available_languages(self, "title")

    @property
    def tz(self) -> str:
        return self.region.tz

    @property
    def local_start(self) -> dt.datetime:
        return to_local(self.starts_at, self.tz)

    @property
    def local_end(self) -> dt.datetime:
        return to_local(self.ends_at, self.tz)

    @property
    def uid(self) -> str:
        return "fair-%d@mektepke-zhol.kz" % self.id

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def is_past(self) -> bool:
        """Over: its end is behind us (a page of a past fair says so and offers no calendar entry)."""
        ends_at = self.ends_at if self.ends_at.tzinfo else self.ends_at.replace(tzinfo=clock.UTC)
        return ends_at < clock.now()

    def __repr__(self) -> str:
        return "<Fair %s %s>" % (self.id, self.region_code)
