"""The 20 regions and the phone lines people call: national lines and each region's own."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import get_locale, gettext as _, lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..i18n import localised
from ..phones import tel_uri

LINE_KINDS = {
    "hotline": _l("Hotline"),
    "trust": _l("Trust phone"),
    "reception": _l("Public reception"),
}


class Region(db.Model):
    """One of the 17 oblasts and 3 cities; ``code`` is ISO 3166-2 (``KZ-71``)."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    name_kk: Mapped[str] = mapped_column(sa.String(120))
    name_ru: Mapped[str] = mapped_column(sa.String(120))
    name_en: Mapped[str] = mapped_column(sa.String(120))
    centre_en: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(10))
    tz: Mapped[str] = mapped_column(sa.String(40))

    lines: Mapped[list["PhoneLine"]] = relationship(
        back_populates="region", order_by="PhoneLine.position", lazy="selectin"
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


def regions_ordered() -> list[Region]:
    """All regions by code (alphabetical order differs per language and puts «Область …» under О)."""
    return list(db.session.scalars(sa.select(Region).order_by(Region.code)))


class PhoneLine(db.Model):
    """A phone number people call: national (no region) or a region's hotline, trust phone or reception."""

    __tablename__ = "phone_line"

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
    position: Mapped[int] = mapped_column(default=0)
    is_demo: Mapped[bool] = mapped_column(default=False)

    region: Mapped[Region | None] = relationship(back_populates="lines")

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
