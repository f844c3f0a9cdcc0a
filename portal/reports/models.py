"""Aid allocations recorded by staff, and the reports published from them.

An ``Allocation`` is one line of what a region gave: to which recipient group, of
which kind, from which source, to how many children, worth how many tenge. A
``Report`` is the public, citable series for one campaign year; each publication is
a ``ReportVersion`` whose figures, texts and files (``ReportFile``, stored as bytes
with their SHA-256) are frozen: the ORM refuses to change or delete them.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..campaigns.models import Campaign
from ..extensions import db
from ..i18n import localised, to_local
from ..recipients import GROUPS
from ..regions.models import Region
from ..types import UTCDateTime

KINDS = {
    "uniform": _l("School uniform"),
    "shoes": _l("Shoes"),
    "backpack": _l("Backpack"),
    "stationery": _l("Stationery"),
    "money": _l("Money"),
    "other": _l("Other help"),
}
SOURCES = {
    "sponsors": _l("Sponsors"),
    "local_budget": _l("Local budget"),
    "other": _l("Other sources"),
}
DIMENSIONS = {"recipient_group": GROUPS, "aid_kind": KINDS, "source": SOURCES}

FILE_NAMES = ("data.csv", "data.json", "data.xlsx", "datapackage.json")
# Stored beside those four only by a version that carries indicators (issue 16); older versions generate them.
INDICATOR_FILES = ("indicators.csv", "indicators.json")
MEDIA_TYPES = {
    "indicators.csv": "text/csv; charset=utf-8",
    "indicators.json": "application/json",
    "data.csv": "text/csv; charset=utf-8",
    "data.json": "application/json",
    "data.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "datapackage.json": "application/json",
}


class Allocation(db.Model):
    """One line of aid given in a region during a campaign year (in-kind help at its estimated value)."""

    __tablename__ = "report_allocation"
    __cache_area__ = "reports"
    __table_args__ = (
        sa.CheckConstraint("children >= 0", name="children_not_negative"),
        sa.CheckConstraint("amount >= 0", name="amount_not_negative"),
        sa.CheckConstraint("items >= 0", name="items_not_negative"),
        sa.Index("ix_report_allocation_campaign_region", "campaign_id", "is_demo", "region_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"), index=True)
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"), index=True)
    recipient_group: Mapped[str] = mapped_column(sa.String(24))
    aid_kind: Mapped[str] = mapped_column(sa.String(16))
    source: Mapped[str] = mapped_column(sa.String(16))
    children: Mapped[int] = mapped_column(default=0)
    amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)  # whole tenge
    items: Mapped[int] = mapped_column(default=0)
    # Which upload (or form entry) the line came from: "replace" deletes older lines of the same regions.
    batch: Mapped[str] = mapped_column(sa.String(32), default="", index=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)

    campaign: Mapped[Campaign] = relationship()
    region: Mapped[Region] = relationship()

    @property
    def group_label(self) -> str:
        return str(GROUPS.get(self.recipient_group, self.recipient_group))

    @property
    def kind_label(self) -> str:
        return str(KINDS.get(self.aid_kind, self.aid_kind))

    @property
    def source_label(self) -> str:
        return str(SOURCES.get(self.source, self.source))


class Report(db.Model):
    """The published report series of one campaign year (real or demo)."""

    __tablename__ = "report"
    __cache_area__ = "reports"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "is_demo", name="uq_report_campaign_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"))
    title_kk: Mapped[str] = mapped_column(sa.String(200), default="")
    title_ru: Mapped[str] = mapped_column(sa.String(200), default="")
    title_en: Mapped[str] = mapped_column(sa.String(200), default="")
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)

    campaign: Mapped[Campaign] = relationship()
    versions: Mapped[list["ReportVersion"]] = relationship(
        back_populates="report", order_by="ReportVersion.number", lazy="selectin"
    )

    # Reports are national: no region, so coordinators may read them but only admins publish.
    region_code = None

    @property
    def title(self) -> str:
        return localised(self, "title")[0]

    @property
    def latest(self) -> "ReportVersion | None":
        return self.versions[-1] if self.versions else None

    def version(self, number: int) -> "ReportVersion | None":
        return next((v for v in self.versions if v.number == number), None)


class ReportVersion(db.Model):
    """Version N of a report: figures, methodology, change note and files, frozen at publication."""

    __tablename__ = "report_version"
    __cache_area__ = "reports"
    __table_args__ = (sa.UniqueConstraint("report_id", "number", name="uq_report_version_report_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id"), index=True)
    number: Mapped[int]
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    threshold: Mapped[int] = mapped_column(default=10)
    title_kk: Mapped[str] = mapped_column(sa.String(200), default="")
    title_ru: Mapped[str] = mapped_column(sa.String(200), default="")
    title_en: Mapped[str] = mapped_column(sa.String(200), default="")
    methodology_kk: Mapped[str] = mapped_column(sa.Text, default="")
    methodology_ru: Mapped[str] = mapped_column(sa.Text, default="")
    methodology_en: Mapped[str] = mapped_column(sa.Text, default="")
    change_note_kk: Mapped[str] = mapped_column(sa.Text, default="")
    change_note_ru: Mapped[str] = mapped_column(sa.Text, default="")
    change_note_en: Mapped[str] = mapped_column(sa.Text, default="")
    # National totals {"children", "amount", "items", "allocations"} and the published tables
    # (national and regional totals, already suppressed) that the page shows.
    totals: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    summary: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # Keys of every cell hidden in this version: stay hidden in later versions (no differencing).
    hidden: Mapped[list] = mapped_column(sa.JSON, default=list)
    is_demo: Mapped[bool] = mapped_column(default=False)

    report: Mapped[Report] = relationship(back_populates="versions")
    files: Mapped[list["ReportFile"]] = relationship(
        back_populates="version", order_by="ReportFile.id", lazy="selectin"
    )

    @property
    def title(self) -> str:
        return localised(self, "title")[0]

    @property
    def methodology(self) -> str:
        return localised(self, "methodology")[0]

    @property
    def change_note(self) -> str:
        return localised(self, "change_note")[0]

    @property
    def published_on(self) -> dt.date:
        """Publication date on the Astana wall clock (what a citation shows)."""
        return to_local(self.published_at, "Asia/Almaty").date()

    def file(self, name: str) -> "ReportFile | None":
        return next((f for f in self.files if f.name == name), None)

    @property
    def previous(self) -> "ReportVersion | None":
        earlier = [v for v in self.report.versions if v.number < self.number]
        return earlier[-1] if earlier else None


class ReportFile(db.Model):
    """One generated file of a version: its bytes, size and SHA-256, never rewritten."""

    __tablename__ = "report_file"
    __cache_area__ = "reports"
    __table_args__ = (sa.UniqueConstraint("version_id", "name", name="uq_report_file_version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("report_version.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    media_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)

    version: Mapped[ReportVersion] = relationship(back_populates="files")


class ImmutableError(RuntimeError):
    """A published version or file was about to be changed or deleted."""


def _refuse(mapper, connection, target):
    raise ImmutableError("%s %s is published and cannot be changed" % (type(target).__name__, target.id))


for _model in (ReportVersion, ReportFile):
    sa.event.listen(_model, "before_update", _refuse)
    sa.event.listen(_model, "before_delete", _refuse)


SIGNOFF_STATUSES = {
    "draft": _l("Not submitted"),
    "submitted": _l("Submitted"),
    "checked": _l("Checked"),
    "included": _l("Included"),
}


class IndicatorSignoff(db.Model):
    """A region's inputs to the campaign's indicators and their sign-off: submitted → checked → included in version N.

    What no other record holds is entered here by the region: the planned budget, the children
    identified as in need, and the appeals about children out of school and how many ended with the
    child back at school. Everything else is counted from allocations, needs and deliveries
    (``portal/reports/indicators.py``).
    """

    __tablename__ = "report_indicator_signoff"
    __cache_area__ = "reports"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "region_code", name="uq_report_indicator_signoff_campaign_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"), index=True)
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"), index=True)
    planned_budget: Mapped[int | None] = mapped_column(sa.BigInteger)
    children_identified: Mapped[int | None]
    out_of_school: Mapped[int | None]
    back_to_school: Mapped[int | None]
    status: Mapped[str] = mapped_column(sa.String(12), default="draft")
    included_in_version: Mapped[int | None]
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    @property
    def status_label(self) -> str:
        return str(SIGNOFF_STATUSES.get(self.status, self.status))
