"""The 20 regions and their directory: phone lines, public receptions, campaign headquarters, plans.

National records have no region (``region_code`` is ``None``) and are kept by national admins;
a coordinator keeps their own region's (``portal/staff/access.py``). Regional numbers change every
year and are entered by staff in ``/staff/regions/``.
"""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from flask_babel import get_locale, gettext as _, lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..extensions import db
from ..i18n import localised
from ..phones import tel_uri
from ..types import UTCDateTime

LINE_KINDS = {
    "hotline": _l("Hotline"),
    "trust": _l("Trust phone"),
    "reception": _l("Public reception"),
}
# Languages a line answers in (shown in the language's own name, like the language switcher).
LINE_LANGUAGES = ("kk", "ru", "en")


class Region(db.Model):
    """One of the 17 oblasts and 3 cities; ``code`` is ISO 3166-2 (``KZ-71``)."""

    __tablename__ = "region"
    __cache_area__ = "regions"

    code: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    name_kk: Mapped[str] = mapped_column(sa.String(120))
    name_ru: Mapped[str] = mapped_column(sa.String(120))
    name_en: Mapped[str] = mapped_column(sa.String(120))
    centre_en: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(10))
    tz: Mapped[str] = mapped_column(sa.String(40))

    lines: Mapped[list["PhoneLine"]] = relationship(
        back_populates="region", order_by="(PhoneLine.position, PhoneLine.id)", lazy="selectin"
    )
    receptions: Mapped[list["Reception"]] = relationship(
        back_populates="region", order_by="(Reception.position, Reception.id)", lazy="select"
    )
    headquarters: Mapped[list["Headquarters"]] = relationship(
        back_populates="region", order_by="(Headquarters.position, Headquarters.id)", lazy="select"
    )

    @property
    def name(self) -> str:
        """Name in the current language."""
        return getattr(self, "name_%s" % (get_locale() or "kk").language, self.name_kk)

    @property
    def label(self) -> str:
        """Name for pickers; cities say they are cities (Almaty the city vs Almaty Region)."""
        if self.kind == "city":
            return _("%(name)s (city)", name=self.name)
        return self.name

    def __repr__(self) -> str:
        return "<Region %s>" % self.code


REGION_CODE = re.compile(r"[A-Z]{2}-[0-9A-Z]{1,3}")


def region_by_code(code: str | None) -> Region | None:
    """The region with this ISO code, or ``None`` for anything else (typed URLs, made-up parameters)."""
    if not code or not REGION_CODE.fullmatch(code):
        return None
    return db.session.get(Region, code)


def regions_ordered() -> list[Region]:
    """All regions by code (alphabetical order differs per language and puts «Область …» under О)."""
    return list(db.session.scalars(sa.select(Region).order_by(Region.code)))


class PhoneLine(db.Model):
    """A phone number people call: national (no region) or a region's hotline, trust phone or reception."""

    __tablename__ = "phone_line"
    __cache_area__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str | None] = mapped_column(sa.ForeignKey("region.code"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    number: Mapped[str] = mapped_column(sa.String(40))
    title_kk: Mapped[str] = mapped_column(sa.String(200), default="")
    title_ru: Mapped[str] = mapped_column(sa.String(200), default="")
    title_en: Mapped[str] = mapped_column(sa.String(200), default="")
    hours_kk: Mapped[str] = mapped_column(sa.String(120), default="")
    hours_ru: Mapped[str] = mapped_column(sa.String(120), default="")
    hours_en: Mapped[str] = mapped_column(sa.String(120), default="")
    free_of_charge: Mapped[bool] = mapped_column(default=False)
    # Space-separated language codes the operators answer in ("kk ru"); empty: not stated.
    languages: Mapped[str] = mapped_column(sa.String(20), default="")
    position: Mapped[int] = mapped_column(default=0)
    is_demo: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    region: Mapped[Region | None] = relationship(back_populates="lines")

    @property
    def language_codes(self) -> list[str]:
        return [code for code in (self.languages or "").split() if code in LINE_LANGUAGES]

    @property
    def kind_label(self) -> str:
        return str(LINE_KINDS.get(self.kind, self.kind))

    @property
    def title(self) -> str:
        return localised(self, "title")[0]

    @property
    def hours(self) -> str:
        return localised(self, "hours")[0]

    @property
    def tel(self) -> str:
        return tel_uri(self.number)


def national_lines() -> list[PhoneLine]:
    return list(
        db.session.scalars(
            sa.select(PhoneLine).where(PhoneLine.region_code.is_(None)).order_by(PhoneLine.position)
        )
    )


class Reception(db.Model):
    """A public reception office: where a family can come in person (address, hours, settlement)."""

    __tablename__ = "reception"
    __cache_area__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str | None] = mapped_column(sa.ForeignKey("region.code"), index=True)
    title_kk: Mapped[str] = mapped_column(sa.String(200), default="")
    title_ru: Mapped[str] = mapped_column(sa.String(200), default="")
    title_en: Mapped[str] = mapped_column(sa.String(200), default="")
    settlement: Mapped[str] = mapped_column(sa.String(200), default="")
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    hours_kk: Mapped[str] = mapped_column(sa.String(120), default="")
    hours_ru: Mapped[str] = mapped_column(sa.String(120), default="")
    hours_en: Mapped[str] = mapped_column(sa.String(120), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    position: Mapped[int] = mapped_column(default=0)
    is_demo: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    region: Mapped[Region | None] = relationship(back_populates="receptions")

    @property
    def title(self) -> str:
        return localised(self, "title")[0]

    @property
    def hours(self) -> str:
        return localised(self, "hours")[0]

    @property
    def tel(self) -> str:
        return tel_uri(self.phone) if self.phone else ""


class Headquarters(db.Model):
    """A campaign headquarters or organising committee («ұйымдастыру комитеті, штаб»): who, and how to reach them."""

    __tablename__ = "headquarters"
    __cache_area__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str | None] = mapped_column(sa.ForeignKey("region.code"), index=True)
    name_kk: Mapped[str] = mapped_column(sa.String(200), default="")
    name_ru: Mapped[str] = mapped_column(sa.String(200), default="")
    name_en: Mapped[str] = mapped_column(sa.String(200), default="")
    head: Mapped[str] = mapped_column(sa.String(200), default="")  # who leads it (name, post)
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    position: Mapped[int] = mapped_column(default=0)
    is_demo: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    region: Mapped[Region | None] = relationship(back_populates="headquarters")

    @property
    def name(self) -> str:
        return localised(self, "name")[0]

    @property
    def tel(self) -> str:
        return tel_uri(self.phone) if self.phone else ""


class RegionPlan(db.Model):
    """A region's approved plan of events for a campaign year: a short summary; the events are its fairs."""

    __tablename__ = "region_plan"
    __cache_area__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"), index=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"), index=True)
    approved_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    summary_kk: Mapped[str] = mapped_column(sa.Text, default="")
    summary_ru: Mapped[str] = mapped_column(sa.Text, default="")
    summary_en: Mapped[str] = mapped_column(sa.Text, default="")
    is_demo: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    region: Mapped[Region] = relationship()
    campaign = relationship("Campaign")

    __table_args__ = (sa.UniqueConstraint("region_code", "campaign_id", name="uq_region_plan_region_campaign"),)

    @property
    def summary(self) -> str:
        return localised(self, "summary")[0]

    @property
    def summary_lang(self) -> str | None:
        return localised(self, "summary")[1]


def regions_without_numbers() -> list[Region]:
    """Regions that publish no phone number at all (the staff start page names them)."""
    have = sa.select(PhoneLine.region_code).where(PhoneLine.region_code.is_not(None)).distinct()
    return list(db.session.scalars(sa.select(Region).where(Region.code.not_in(have)).order_by(Region.code)))
