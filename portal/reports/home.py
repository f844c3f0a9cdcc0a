"""Key figures of the latest published report on the home page."""

from __future__ import annotations

from ..pages.home import home_section


@home_section("figures")
def key_figures(campaign):
    """The newest real report (a demo one only when there is no real one), or nothing."""
    from .routes import published_reports

    reports = published_reports()
    if not reports:
        return None
    real = [r for r in reports if not r.is_demo]
    report = (real or reports)[0]
    return {"report": report, "version": report.latest}
