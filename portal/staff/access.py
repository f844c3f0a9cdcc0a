"""The one rule of staff access, in one place.

* A national admin sees and edits everything.
* A regional coordinator sees their own region's records and national records
  (those without a region), and edits only their own region's.
* An analyst (ministry, children's ombudsman, auditors) only reads dashboards and aggregate
  exports: every view refuses them unless it declares ``analyst=True``, so a new view never
  shows them an appeal text or a sponsor's contact data by default.

``scoped()`` applies the rule to queries, ``get_for_staff()`` / ``can_edit()`` to
single records. A model whose records belong to several regions (e.g. an offer
for two regions) defines ``staff_scope(stmt, region_code)`` and ``staff_regions()``.

Every staff view declares its rule with ``@access_rule(...)``; the access-matrix
test walks the URL map and fails for a staff route without one.
"""

from __future__ import annotations

from functools import wraps

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from ..extensions import db


def access_rule(model=None, write: bool = False, admin_only: bool = False, public: bool = False,
                analyst: bool = False):
    """Declare who may use a staff view and, for ``<int:id>`` routes, which model the id refers to.

    ``public``: no sign-in (login page). ``admin_only``: national admins only.
    ``model`` + ``write``: the view loads ``model`` by id via ``get_for_staff(..., write=write)``.
    ``analyst``: read-only analysts may use it too (aggregates only).
    """

    def decorate(view):
        view.access = {"model": model, "write": write, "admin_only": admin_only, "public": public,
                       "analyst": analyst}
        if public:
            return view

        @wraps(view)
        def guarded(*args, **kwargs):
            from .auth import require_signed_in

            refusal = require_signed_in()
            if refusal is not None:
                return refusal
            if admin_only and not current_user.is_admin:
                abort(403)
            if current_user.is_analyst and not analyst:
                abort(403)
            return view(*args, **kwargs)

        guarded.access = view.access
        return guarded

    return decorate


def region_of(obj) -> set[str | None]:
    """Regions a record belongs to: ``{None}`` for national records."""
    if hasattr(obj, "staff_regions"):
        return set(obj.staff_regions()) or {None}
    return {getattr(obj, "region_code", None)}


def scoped(stmt, model, staff=None):
    """Restrict a SELECT on ``model`` to what the staff member may see."""
    staff = staff or current_user
    if staff.is_admin:
        return stmt
    if hasattr(model, "staff_scope"):
        return model.staff_scope(stmt, staff.region_code)
    return stmt.where(sa.or_(model.region_code == staff.region_code, model.region_code.is_(None)))


def can_view(obj, staff=None) -> bool:
    staff = staff or current_user
    if staff.is_admin:
        return True
    regions = region_of(obj)
    return staff.region_code in regions or regions == {None}


def can_edit(obj, staff=None) -> bool:
    staff = staff or current_user
    if staff.is_admin:
        return True
    return staff.region_code in region_of(obj)


def can_create_for(region_code: str | None, staff=None) -> bool:
    """May this staff member create a record for ``region_code`` (None: national)?"""
    staff = staff or current_user
    return staff.is_admin or (region_code is not None and region_code == staff.region_code)


def get_for_staff(model, ident, write: bool = False):
    """Load a record: 404 when the staff member may not see it, 403 when they may not change it."""
    obj = db.session.get(model, ident)
    if obj is None or not can_view(obj):
        abort(404)
    if write and not can_edit(obj):
        abort(403)
    return obj


def region_choices(staff=None, national_label=None) -> list[tuple[str, str]]:
    """Regions a staff member may pick in a form: theirs only, or all (plus national) for admins."""
    from ..regions.models import regions_ordered

    staff = staff or current_user
    regions = regions_ordered()
    if not staff.is_admin:
        return [(r.code, r.label) for r in regions if r.code == staff.region_code]
    choices = [(r.code, r.label) for r in regions]
    if national_label is not None:
        choices.insert(0, ("", str(national_label)))
    return choices
