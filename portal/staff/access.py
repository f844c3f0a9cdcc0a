"""The one rule of staff access, in one place.

* A national admin sees and edits everything.
* A regional coordinator sees their own region's records and national records
  (those without a region), and edits only their own region's.
* An analyst (ministry, children's ombudsman, auditors) only reads dashboards and aggregate
  exports: every view refuses them unless it declares ``analyst=True``, so a new view never
  shows them an appeal text or a sponsor's contact data by default.

``scoped()`` applies the rule to queries, ``can_view()`` / ``can_edit()`` to
single records. A model whose records belong to several regions (e.g. an offer
for two regions) defines ``staff_scope(stmt, region_code)`` and ``staff_regions()``.

Every staff view declares its rule with ``@access_rule(...)`` and the view's body never
checks it again. A rule naming a ``model`` also loads the record its route points at and
hands it to the view in place of the id, by one convention: the URL argument
``<int:NAME_id>`` arrives as the parameter ``NAME``::

    @staff_bp.post("/<int:offer_id>/status")
    @access_rule(model=Offer, write=True)
    def change_status(offer: Offer): ...

``arg="NAME"`` names the argument when a route has more than one ``…_id``. The
access-matrix test walks the URL map, fails for a staff route without a rule, and
checks every id route for its 404 and 403.
"""

from __future__ import annotations

from functools import wraps

import sqlalchemy as sa
from flask import abort, request
from flask_login import current_user

from ..extensions import db


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def access_rule(model=None, write: bool = False, admin_only: bool = False, public: bool = False,
                analyst: bool = False, arg: str | None = None):
    """Declare who may use a staff view and, for id routes, load the record it guards.

    ``public``: no sign-in (login page). ``admin_only``: national admins only.
    ``analyst``: read-only analysts may use it too (aggregates only).
    ``model``: the route's ``<int:NAME_id>`` (``NAME`` = ``arg`` when given) is loaded and passed
    to the view as ``NAME``: 404 when the staff member may not see the record, 403 when they may
    not change it and the view writes. ``write``: every method writes (a delete confirmation,
    an admin's edit page); otherwise only a POST does, so a GET may show a record read-only.

    Checks run in this order: signed in, ``admin_only``, analyst, then the record.
    ``view.access`` keeps the declaration for the access-matrix test and the navigation.
    """

    def decorate(view):
        view.access = {"model": model, "write": write, "admin_only": admin_only, "public": public,
                       "analyst": analyst, "arg": arg}
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
            if model is not None:
                name = arg or _record_arg(view, kwargs)
                writing = write or request.method not in SAFE_METHODS
                kwargs[name] = _load(model, kwargs.pop(name + "_id"), writing)
            return view(*args, **kwargs)

        guarded.access = view.access
        return guarded

    return decorate


def _record_arg(view, kwargs) -> str:
    """``NAME`` of the route's one ``<int:NAME_id>`` argument."""
    names = [key[:-3] for key in kwargs if key.endswith("_id")]
    if len(names) != 1:
        raise TypeError(f"{view.__qualname__}: the route needs one <int:NAME_id>, or access_rule(arg=...)")
    return names[0]


def _load(model, ident, write: bool):
    """The record, when this staff member may see it (else 404) and, for a write, change it (else 403)."""
    obj = db.session.get(model, ident)
    if obj is None or not can_view(obj):
        abort(404)
    if write and not can_edit(obj):
        abort(403)
    return obj


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
