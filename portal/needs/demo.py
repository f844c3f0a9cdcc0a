"""Demo needs of the demo's current campaign for a few regions (labelled as demo data wherever shown)."""

import sqlalchemy as sa

from ..campaigns.demo import demo_campaign
from ..extensions import db
from ..seeding import demo_loader
from .models import Need

DEMO_NEEDS = [
    ("KZ-61", "uniforms", "122–134", 120, 45),
    ("KZ-61", "shoes", "30–34", 80, 80),
    ("KZ-61", "backpacks", "", 150, 0),
    ("KZ-47", "stationery", "", 200, 60),
    ("KZ-47", "outerwear", "140–158", 40, 25),
    ("KZ-71", "sportswear", "", 60, 12),
]


@demo_loader
def load_demo_needs() -> int:
    campaign = demo_campaign()
    have = {
        tuple(row)
        for row in db.session.execute(
            sa.select(Need.region_code, Need.item).where(Need.is_demo.is_(True), Need.campaign_id == campaign.id)
        )
    }
    added = 0
    for region, item, band, total, needed in DEMO_NEEDS:
        if (region, item) in have:
            continue
        db.session.add(
            Need(
                campaign_id=campaign.id, region_code=region, item=item, size_band=band,
                quantity_total=total, quantity_needed=needed, covered=needed == 0, is_demo=True,
            )
        )
        added += 1
    return added
