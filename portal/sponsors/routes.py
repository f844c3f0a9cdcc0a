"""The sponsor wall: an overview of every region, or one region's sponsors page by page.

``/<lang>/sponsors``: per region, and for "Across Kazakhstan, wherever needed", how many
sponsors there are and the first ``WALL_FIRST`` of them (oldest first), with a link to all.

``?region=<code>`` (``KZ-71``) or ``?region=national`` ("wherever needed": offers naming no
region): that group's sponsors, ``WALL_PER_PAGE`` a page, ``?page=<n>``. An unknown region
shows the overview; a page that is not a number, or below 1, shows the first page; a page past
the end shows the last one. Never an error page for a bad query string.

htmx swaps ``#sponsor-wall`` (region filter, page links); without JavaScript the same URLs load
the whole page. The view is the same for every anonymous visitor (page cache: ``sponsors.index``).
"""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from .. import clock
from ..http import cacheable, valid_until
from ..htmx import render
from ..offers.models import KINDS
from ..offers.services import (
    WALL_FIRST,
    WALL_PER_PAGE,
    active_price_pledges,
    wall_count,
    wall_page,
    wall_summary,
)
from ..regions.models import regions_ordered
from ..staff.listing import page_number
from . import bp

NATIONAL = "national"  # ?region= value of the sponsors "wherever needed"


def chosen_region(codes) -> str:
    """The ``?region=`` asked for, when it is a region code or ``national``; else "" (every region)."""
    raw = request.args.get("region", "", type=str).strip()
    if raw.lower() == NATIONAL:
        return NATIONAL
    return raw.upper() if raw.upper() in codes else ""


@bp.get("")
# Changes when staff approve a sponsor or a pledge (generations) and when a pledge starts or ends:
# pledges run by whole days, so the page is kept until midnight at most.
@cacheable("offers", "regions", ttl=3600, params=("region", "page"))
def index():
    """Sponsors per region (or one region's, page by page), and where school goods are cheaper."""
    regions = regions_ordered()
    labels = {r.code: r.label for r in regions}
    region = chosen_region(labels)
    groups, pagination, national_total, group_label = [], None, 0, None
    if not region:
        summary = wall_summary(WALL_FIRST)
        # Regions in code order, then "wherever needed" (None).
        groups = [summary[code] for code in [*labels, None] if code in summary]
    else:
        code = None if region == NATIONAL else region
        pagination = wall_page(code, page_number(), WALL_PER_PAGE)
        group_label = labels[code] if code else _("Across Kazakhstan, wherever needed")
        if code is not None:  # those helping "wherever needed" help this region too: say so
            national_total = wall_count(None)

    pledges = active_price_pledges(region if region not in ("", NATIONAL) else None)
    valid_until(clock.next_midnight())  # pledges start and end by the day (clock.today_in)
    if region == NATIONAL:
        pledges = [p for p in pledges if p.region_code is None]
    pledge_groups = []
    for pledge in pledges:
        if not pledge_groups or pledge_groups[-1][0] != pledge.region_code:
            pledge_groups.append((pledge.region_code, labels.get(pledge.region_code), []))
        pledge_groups[-1][2].append(pledge)

    return render(
        "sponsors/index.html",
        "sponsors/_wall.html",
        regions=regions,
        labels=labels,
        region=region,
        national=NATIONAL,
        groups=groups,
        pagination=pagination,
        group_label=group_label,
        national_total=national_total,
        pledge_groups=pledge_groups,
        kinds=KINDS,
    )
