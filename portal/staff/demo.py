"""Demo staff accounts for local runs. They can sign in only where ALLOW_DEMO_LOGIN is set (``make run`` sets it)."""

import sqlalchemy as sa

from ..extensions import db
from ..seeding import demo_loader
from .models import StaffUser
from .passwords import hash_password

DEMO_PASSWORD = "demo-password-2023"
# Fixed so a developer can add it to an authenticator app once; `flask staff demo-code` prints the current code.
# 32 base32 characters (160 bits): PyOTP refuses secrets under 112 bits (the old 16-character one crashed sign-in).
DEMO_TOTP_SECRET = "MEKTEPKEZHOLDEMOMEKTEPKEZHOLDEMO"
DEMO_ACCOUNTS = (
    ("admin@demo.mektepke-zhol.kz", "admin", None, "Demo administrator"),
    ("astana@demo.mektepke-zhol.kz", "coordinator", "KZ-71", "Demo coordinator, Astana"),
    ("mangystau@demo.mektepke-zhol.kz", "coordinator", "KZ-47", "Demo coordinator, Mangystau"),
    ("analyst@demo.mektepke-zhol.kz", "analyst", None, "Demo analyst"),
)


@demo_loader
def load_demo_staff() -> int:
    added = 0
    for email, role, region, name in DEMO_ACCOUNTS:
        existing = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email))
        if existing is not None:
            if existing.is_demo and existing.totp_secret != DEMO_TOTP_SECRET:
                existing.totp_secret = DEMO_TOTP_SECRET  # a demo account seeded with the old, too short secret
            continue
        db.session.add(StaffUser(
            email=email, role=role, region_code=region, name=name, language="ru", is_demo=True,
            password_hash=hash_password(DEMO_PASSWORD), totp_secret=DEMO_TOTP_SECRET, totp_enabled=True,
        ))
        added += 1
    return added
