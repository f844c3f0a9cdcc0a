"""The sponsor wall, filterable by region (htmx swaps the wall, a plain GET reloads the page)."""

from __future__ import annotations

from flask import request

from ..htmx import render
from ..offers.models import KINDS
from ..offers.services import active_price_pledges, wall_sponsors
from ..regions.models import regions_ordered
from . import bp


@bp.get("")
def index():
    """Sponsors grouped by region, and where school goods are cheaper."""
    regions = regions_ordered()
    labels = {r.code: r.label for r in regions}
    region = request.args.get("region", "")
    if region not in labels:
        region = ""
    grouped = wall_sponsors()
    if region:
        grouped = {code: entries for code, entries in grouped.items() if code in (region, None)}
    sponsor_groups = [(code, labels[code], grouped[code]) for code in labels if code in grouped]
    if None in grouped:
        sponsor_groups.append((None, None, grouped[None]))

    pledges = active_price_pledges(region or None)
    pledge_groups = []
    for pledge in pledges:
        if not pledge_groups or pledge_groups[-1][0] != pledge.region_code:
            pledge_groups.append((pledge.region_code, labels.get(pledge.region_code), []))
        pledge_groups[-1][2].append(pledge)

    return render(
        "sponsors/index.html",
        "sponsors/_wall.html",
        regions=regions,
        region=region,
        sponsor_groups=sponsor_groups,
        pledge_groups=pledge_groups,
        kinds=KINDS,
    )
