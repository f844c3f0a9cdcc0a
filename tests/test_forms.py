"""The shared form fields (portal/forms.py): every whole number on every form is typed and refused alike.

The forms are found by walking the package, not listed here: a new form with a number field is
checked as soon as it exists, and a form that reads numbers with another field fails.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict
from wtforms import DecimalField, FloatField, Form, IntegerField
from wtforms.fields.core import UnboundField

import portal
from portal.extensions import db
from portal.forms import BIGINT_MAX, INTEGER_MAX, WholeNumberField
from tests.conftest import LANGS


def _portal_forms() -> list[type[Form]]:
    for module in pkgutil.walk_packages(portal.__path__, "portal."):
        importlib.import_module(module.name)
    found, todo = [], list(Form.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("portal.") and cls not in found:
            found.append(cls)
    return sorted(found, key=lambda cls: (cls.__module__, cls.__name__))


def _number_fields(form_class) -> dict[str, UnboundField]:
    fields = {}
    for name in dir(form_class):
        value = getattr(form_class, name, None)
        if isinstance(value, UnboundField) and issubclass(value.field_class, (IntegerField, DecimalField, FloatField)):
            fields[name] = value
    return fields


FORMS = [cls for cls in _portal_forms() if _number_fields(cls)]
NUMBER_FIELDS = [(cls, name) for cls in FORMS for name in sorted(_number_fields(cls))]
IDS = [f"{cls.__module__.removeprefix('portal.')}.{cls.__name__}.{name}" for cls, name in NUMBER_FIELDS]


def _field(cls, name, value):
    """The bound field ``name`` of a ``cls`` form sent with ``value`` (no CSRF; nothing validated beyond parsing)."""
    form = cls(formdata=MultiDict({name: value}), meta={"csrf": False})
    return form[name]


def test_the_walk_finds_the_forms_with_numbers():
    names = {f"{cls.__module__}.{cls.__name__}" for cls in FORMS}
    assert {"portal.offers.forms.OfferForm", "portal.reports.forms.AllocationForm", "portal.prices.forms.ObservationForm",
            "portal.needs.forms.NeedForm", "portal.reports.forms.IndicatorForm"} <= names


@pytest.mark.parametrize(("cls", "name"), NUMBER_FIELDS, ids=IDS)
def test_every_number_field_is_the_shared_one(cls, name):
    assert issubclass(_number_fields(cls)[name].field_class, WholeNumberField)


ACCEPTED = {
    "12000": 12000,
    "12 000": 12000,
    "12\u00a0000": 12000,  # no-break space, as a locale's number formatting writes it
    "12\u202f000": 12000,  # narrow no-break space
    " 1 200 000 ": 1200000,
    "12,000": 12000,
    "12 000 ₸": 12000,
    "12000тг": 12000,
    "0": 0,
}
REFUSED = ["-5", "12,5", "12.5", "1 20", "abc", "12abc", "+5", "١٢", "5-", "½"]


@pytest.mark.parametrize(("cls", "name"), NUMBER_FIELDS, ids=IDS)
def test_every_number_field_reads_numbers_as_people_type_them(app, cls, name):
    with app.test_request_context("/en/"):
        for typed, number in ACCEPTED.items():
            field = _field(cls, name, typed)
            assert (field.data, field.process_errors) == (number, []), typed
        empty = _field(cls, name, "  ")
        assert empty.data is None and not empty.process_errors


@pytest.mark.parametrize(("cls", "name"), NUMBER_FIELDS, ids=IDS)
def test_every_number_field_refuses_what_is_not_a_whole_number(app, cls, name):
    with app.test_request_context("/en/"):
        for typed in REFUSED:
            field = _field(cls, name, typed)
            assert field.data is None and len(field.process_errors) == 1, typed
            assert str(field.process_errors[0]) == str(field.invalid_message), typed


@pytest.mark.parametrize(("cls", "name"), NUMBER_FIELDS, ids=IDS)
def test_every_number_field_refuses_what_its_column_cannot_hold(app, cls, name):
    with app.test_request_context("/en/"):
        limit = _field(cls, name, "1").max
        assert limit in (INTEGER_MAX, BIGINT_MAX)
        assert _field(cls, name, str(limit)).data == limit
        for typed in (str(limit + 1), "9" * 40, "9" * 5000):
            field = _field(cls, name, typed)
            assert field.data is None, typed
            assert [str(e) for e in field.process_errors] == [str(field.too_large_message)], typed


def _integer_columns() -> dict[str, set[type]]:
    """Column name → the integer types of the columns with that name, over every model."""
    columns: dict[str, set[type]] = {}
    for mapper in db.Model.registry.mappers:
        for column in mapper.columns:
            if isinstance(column.type, sa.Integer):
                columns.setdefault(column.name, set()).add(type(column.type))
    return columns


@pytest.mark.parametrize(("cls", "name"), NUMBER_FIELDS, ids=IDS)
def test_a_number_beyond_a_plain_integer_goes_only_into_a_big_integer_column(app, cls, name):
    """A field accepting more than ``INTEGER_MAX`` stores into ``BigInteger`` columns only (PostgreSQL refuses it)."""
    with app.test_request_context("/en/"):
        limit = _field(cls, name, "1").max
    if limit > INTEGER_MAX:
        kinds = _integer_columns().get(name, set())
        assert kinds and all(issubclass(kind, sa.BigInteger) for kind in kinds), (name, kinds)


@pytest.mark.parametrize(("lang", "whole", "large"), [
    ("kk", "Бүтін сан енгізіңіз.", "Бұл сан тым үлкен."),
    ("ru", "Введите целое число.", "Это число слишком большое."),
    ("en", "Enter a whole number.", "This number is too large."),
])
def test_refusals_are_said_in_the_visitors_language(client, lang, whole, large):
    from tests.test_offers import form_token, offer_data

    for typed, message in (("12,5", whole), ("9" * 30, large)):
        response = client.post(f"/{lang}/offer", data=offer_data(form_token(client, lang), quantity=typed))
        assert response.status_code == 422
        assert message in response.get_data(as_text=True), typed


def test_a_count_too_large_for_its_column_is_refused_not_stored(app, staff_client):
    """The indicator form has no range of its own for this count: the field keeps it out of the database."""
    from portal.reports.models import IndicatorSignoff

    coordinator = staff_client("coordinator", "KZ-71")
    data = {"KZ-71-planned_budget": "5 000 000", "KZ-71-children_identified": "300",
            "KZ-71-out_of_school": "3 000 000 000", "KZ-71-back_to_school": "9", "region": "KZ-71"}
    response = coordinator.post("/staff/reports/indicators/submit?year=2023", data=data)
    assert response.status_code in (400, 422)
    assert "This number is too large." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IndicatorSignoff)) == 0


@pytest.mark.parametrize("lang", LANGS)
def test_spaced_thousands_are_saved_from_the_offer_form(app, client, lang):
    from portal.offers.models import Offer
    from tests.test_offers import form_token, offer_data

    response = client.post(f"/{lang}/offer", data=offer_data(form_token(client, lang), value_tenge="1\u202f200\u00a0000 ₸"))
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(Offer.value_tenge)) == 1_200_000
