"""A campaign year's public figures, and the same figures year over year.

Everything here is already published elsewhere: the totals of the year's newest report
(real before demo) and the national response figures (appeals and offers), so nothing is
counted twice and no small count appears that the report or response page would hide.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from .models import Campaign


@dataclass
class YearFigures:
    campaign: Campaign
    report: object | None  # reports.models.Report
    version: object | None  # its latest ReportVersion
    response: dict | None  # national response figures

    @property
    def totals(self) -> dict:
        return dict(self.version.totals) if self.version is not None else {}

    @property
    def is_demo(self) -> bool:
        return bool(self.report is not None and self.report.is_demo)

    @property
    def has_any(self) -> bool:
        return bool(self.totals) or bool(self.response and (self.response["appeals"] or self.response["offers"]))


def year_reports(campaign: Campaign) -> list:
    """The campaign's published reports: the real one first, then the demo one."""
    from ..reports.models import Report, ReportVersion

    return list(db.session.scalars(
        sa.select(Report)
        .where(Report.campaign_id == campaign.id, sa.exists().where(ReportVersion.report_id == Report.id))
        .order_by(Report.is_demo, Report.id.desc())
    ))


def year_figures(campaign: Campaign) -> YearFigures:
    from ..needs.response import response_figures

    reports = year_reports(campaign)
    report = reports[0] if reports else None
    return YearFigures(campaign, report, report.latest if report else None, response_figures(campaign)["national"])


def series(campaigns: list[Campaign]) -> list[YearFigures]:
    """Figures of each year that has any, oldest first: shown as a series once two years have them."""
    return [f for f in (year_figures(c) for c in campaigns) if f.has_any]
