"""Daily per-region tallies of self-check answers: no row per visitor, no time finer than the day."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class ReadyTally(db.Model):
    """How many counted visitors of a region gave an answer to a question on a day."""

    __tablename__ = "ready_tally"
    __cache_area__ = "ready"

    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True, index=True)
    question: Mapped[str] = mapped_column(sa.String(24), primary_key=True)
    answer: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return "<ReadyTally %s %s %s=%s: %s>" % (self.region_code, self.day, self.question, self.answer, self.count)
