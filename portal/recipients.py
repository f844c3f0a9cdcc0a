"""Who the campaign helps: the groups of children that reports count and deliveries name.

Codes are an aggregate (a delivery reached "orphans" of a school, never a named child). The reports
(``portal/reports/``: allocations, published versions, uploads) and the offers' deliveries
(``portal/offers/``) both use them, so the codes live here and neither area imports the other for them.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

GROUPS = {
    "low_income": _l("Low-income family"),
    "large_family": _l("Large family"),
    "orphan": _l("Orphan"),
    "without_parental_care": _l("Child without parental care"),
    "other": _l("Other recipients"),
}
# Help whose group was not recorded (deliveries from before groups were asked) counts here.
UNSTATED = "other"
