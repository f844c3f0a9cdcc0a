"""The access matrix, generated from the URL map: every /staff route × role × own/other/national record.

A staff view without an ``@access_rule`` fails here, so a new route cannot skip the rule.
For a route with an ``<int:…>`` id, the test makes a record of the rule's model with the
factory ``tests.factories.make_<tablename>(region_code)``; the rule loads that record and hands
it to the view (``<int:NAME_id>`` → ``NAME``), so the view itself checks nothing.

Expected outcomes (coordinator of KZ-71; "other" = KZ-47; national = no region):

| rule                     | anonymous | admin | coord. own | coord. other | coord. national |
|--------------------------|-----------|-------|------------|--------------|-----------------|
| public                   | allowed   |   —   |     —      |      —       |        —        |
| any staff (no model)     | → login   | allow |   allow    |      —       |        —        |
| admin_only               | → login   | allow |    403     |      —       |        —        |
| model, GET (read)        | → login   | allow |   allow    |     404      |      allow      |
| model, GET write / POST  | → login   | allow |   allow    |     404      |       403       |

An analyst (read only) gets 403 everywhere except on views declaring ``analyst=True``.
"""

from __future__ import annotations


import pytest
from werkzeug.routing import Rule

import tests.factories as factories
from portal import create_app
from portal.extensions import db
from tests.conftest import make_config

DENIED = {403, 404}


def staff_rules(app) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.rule.startswith("/staff")),
        key=lambda r: (r.rule, r.endpoint),
    )


@pytest.fixture(scope="module")
def url_map_app(database_url):
    return create_app(make_config(database_url))


def _rule_ids(app):
    return [f"{r.endpoint}" for r in staff_rules(app)]


def test_every_staff_route_declares_an_access_rule(url_map_app):
    missing = [
        r.endpoint for r in staff_rules(url_map_app)
        if not hasattr(url_map_app.view_functions[r.endpoint], "access")
    ]
    assert not missing, f"staff views without @access_rule: {missing}"


def test_models_of_id_routes_have_factories(url_map_app):
    for rule in staff_rules(url_map_app):
        access = url_map_app.view_functions[rule.endpoint].access
        if any(a for a in rule.arguments):
            assert access["model"] is not None, f"{rule.endpoint} takes an id but names no model"
            name = "make_" + access["model"].__tablename__
            assert hasattr(factories, name), f"tests/factories.py needs {name}() for {rule.endpoint}"
            ids = [a for a in rule.arguments if a.endswith("_id")]
            if access["arg"]:
                ids = [a for a in ids if a == access["arg"] + "_id"]
            assert len(ids) == 1, f"{rule.endpoint}: the record's URL argument is <int:NAME_id> (or access_rule(arg=NAME))"


def _methods(rule):
    return sorted(m for m in rule.methods if m in ("GET", "POST"))


def _url(rule, record_id=None):
    values = {arg: record_id for arg in rule.arguments}
    return rule.build(values, append_unknown=False)[1] if values else rule.rule


def _call(client, method, url):
    return client.get(url) if method == "GET" else client.post(url, data={})


def _expect(access, method, who, where):
    """True: allowed; an int: that status; "login": redirect to sign-in."""
    if access["public"]:
        return "public"
    if who == "anonymous":
        return "login"
    if who == "analyst":
        return True if access.get("analyst") else 403
    if who == "admin":
        return True
    if access["admin_only"]:
        return 403
    if access["model"] is None:
        return True
    writing = access["write"] or method == "POST"
    if where == "own":
        return True
    if where == "other":
        return 404
    if getattr(access["model"], "NATIONAL_ADMINS_ONLY", False):
        return 404  # records without a region that only national admins see (appeals)
    return 403 if writing else True  # national


def _check(response, expected, label):
    status = response.status_code
    if expected == "public":
        assert status < 500 and status not in DENIED, f"{label}: {status}"
    elif expected == "login":
        assert status == 302 and "/staff/login" in response.headers["Location"], label
    elif expected is True:
        assert status not in DENIED, f"{label}: expected access, got {status}"
        assert not (status == 302 and "/staff/login" in response.headers.get("Location", "")), label
        assert status < 500, f"{label}: {status}"
    else:
        assert status == expected, f"{label}: expected {expected}, got {status}"


def test_access_matrix(app, staff_client):
    admin = staff_client("admin")
    coordinator = staff_client("coordinator", "KZ-71")
    analyst = staff_client("analyst")
    anonymous = app.test_client()
    who_all = (("anonymous", anonymous), ("admin", admin), ("coordinator", coordinator), ("analyst", analyst))
    checked = 0
    for rule in staff_rules(app):
        access = app.view_functions[rule.endpoint].access
        if rule.endpoint in ("staff.logout",):
            continue  # ends the session under test; covered in test_staff_auth
        for method in _methods(rule):
            if not rule.arguments:
                for who, client in who_all:
                    label = f"{method} {rule.rule} as {who}"
                    _check(_call(client, method, _url(rule)), _expect(access, method, who, None), label)
                    checked += 1
                continue
            model = access["model"]
            factory = getattr(factories, "make_" + model.__tablename__)
            nullable = model.__table__.c.region_code.nullable if "region_code" in model.__table__.c else False
            wheres = ["own", "other"] + (["national"] if nullable else [])
            for where in wheres:
                region = {"own": "KZ-71", "other": "KZ-47", "national": None}[where]
                with app.app_context():
                    record = factory(region_code=region)
                    db.session.commit()
                    record_id = record.id
                url = _url(rule, record_id)
                for who, client in who_all:
                    if who == "admin" and method == "POST" and where != "own":
                        continue  # one admin write per rule is enough
                    label = f"{method} {rule.rule} [{where}] as {who}"
                    _check(_call(client, method, url), _expect(access, method, who, where), label)
                    checked += 1
    assert checked > 20
