"""Shared form plumbing: the fields every area uses, error lists for the summary, inline validation over htmx,
a base staff form.

The fields (``DayField``, ``WholeNumberField``, ``CheckboxesField``) live here and nowhere else: an area
imports them from this module, never from another area, so a rule for typing a date or a number is the
same on every form of the site.

Inline validation re-runs the form's own ``validate()`` — the same rules as on
submit — and returns only the error slot of the field the visitor just left.
It never saves anything.
"""

from __future__ import annotations

import datetime as dt
import re

from flask import make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from jinja2 import pass_context
from wtforms import DateField, Form, IntegerField, SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from .htmx import is_htmx

CSRF_MESSAGE = _l("The form has expired. Please send it again.")


class DayField(DateField):
    """A calendar day (``<input type=date>`` sends ``YYYY-MM-DD``; people may type ``31.08.2023``).

    Only days from 1900 to 2100: a day further out is a typing error, and near the ends of
    ``datetime.date`` the next day or a time-zone shift of a filter overflows (issue 17).
    """

    earliest, latest = dt.date(1900, 1, 1), dt.date(2100, 12, 31)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, format=["%Y-%m-%d", "%d.%m.%Y"], **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not (valuelist[0] or "").strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
            if not self.earliest <= self.data <= self.latest:
                raise ValueError(self.data)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a date, for example 31.08.2023."))


# The largest value each kind of integer column holds (PostgreSQL's; SQLite holds any of them).
INTEGER_MAX = 2**31 - 1  # ``Integer``: counts of children and items, positions, per cents
BIGINT_MAX = 2**63 - 1  # ``BigInteger``: amounts in tenge

# A unit people type after the number: the tenge sign or its abbreviations, or a per cent sign.
_UNIT = re.compile(r"\s*(?:₸|тг\.?|тенге|теңге|kzt|%)$", re.IGNORECASE)
# Digits, or groups of three after a separator: a space of any kind ("12 000", NBSP, narrow NBSP), a comma
# or an apostrophe ("12,000", "12'000"). "12,5" and "12.5" are decimals, so refused, not read as 125.
_WHOLE = re.compile(r"[0-9]+|[0-9]{1,3}(?:(?:\s+|[,'’])[0-9]{3})+")


class WholeNumberField(IntegerField):
    """A whole number, 0 or more, typed the way people do: ``12 000``, ``12 000 ₸``, ``12,000``, ``15%``.

    A text input with a numeric keyboard: ``type=number`` refuses spaces and changes on scrolling.
    Negative numbers, decimals and letters get ``invalid_message``; a number the database column
    cannot hold (``max``: ``INTEGER_MAX`` unless the column is a ``BigInteger``) gets ``too_large_message``,
    so it is refused here and never reaches the database. A form's own range (1 to 1,000,000 items)
    stays a validator of that form, with its own message.
    """

    widget = TextInput()

    def __init__(self, *args, max=INTEGER_MAX, invalid_message=None, too_large_message=None, **kwargs):
        kwargs["render_kw"] = {"inputmode": "numeric", **(kwargs.get("render_kw") or {})}
        super().__init__(*args, **kwargs)
        self.max = max
        self.invalid_message = invalid_message or _l("Enter a whole number.")
        self.too_large_message = too_large_message or _l("This number is too large.")

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        if not isinstance(valuelist[0], str):  # a file sent under this name
            raise ValueError(self.invalid_message)
        text = _UNIT.sub("", valuelist[0].strip()).strip()
        if not text:
            return
        if not _WHOLE.fullmatch(text):
            raise ValueError(self.invalid_message)
        digits = re.sub(r"[^0-9]", "", text).lstrip("0") or "0"
        if len(digits) > len(str(self.max)) or int(digits) > self.max:
            raise ValueError(self.too_large_message)
        self.data = int(digits)


class CheckboxesField(SelectMultipleField):
    """Several checkboxes; unknown values get our own translated message, not WTForms' English one."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, invalid_message=None, **kwargs):
        super().__init__(*args, validate_choice=False, **kwargs)
        self.invalid_message = invalid_message

    def pre_validate(self, form):
        known = {str(value) for value, *_ in (self.choices or [])}
        if any(value not in known for value in self.data or []):
            self.data = [value for value in self.data if value in known]
            raise ValidationError(self.invalid_message or _l("Choose from the list."))



def first_control_id(field) -> str:
    """The id the error summary links to: a radio or checkbox group's first control, not its fieldset.

    GOV.UK's error summary does the same, so following the link puts focus where the visitor can answer.
    """
    if isinstance(field.widget, ListWidget):
        first = next(iter(field), None)
        if first is not None:
            return first.id
    return field.id


def form_errors(form) -> list[tuple[str | None, str]]:
    """``(control id, first message)`` for each field with an error, in form order; CSRF errors without a field."""
    errors = []
    for field in form:
        if not field.errors:
            continue
        if field.name == "csrf_token":
            errors.append((None, str(CSRF_MESSAGE)))
        else:
            message = field.errors[0] if isinstance(field.errors, list) else next(iter(field.errors.values()))[0]
            errors.append((first_control_id(field), message))
    return errors


def focus(field) -> None:
    """Render ``field`` with ``autofocus`` (a radio or checkbox group: its first option) — no JavaScript needed."""
    if isinstance(field.widget, ListWidget):
        field.option_widget = _Autofocus(field.option_widget)
    else:
        field.render_kw = {**(field.render_kw or {}), "autofocus": True}


class _Autofocus:
    """A group's option widget that puts ``autofocus`` on the first option it renders."""

    def __init__(self, widget):
        self.widget, self.done = widget, False

    def __call__(self, field, **kwargs):
        if not self.done:
            self.done = True
            kwargs["autofocus"] = True
        return self.widget(field, **kwargs)


@pass_context
def page_has_errors(context) -> bool:
    """True on a page answering a failed form: its title then starts with "Error:" (GOV.UK's pattern).

    Looks at every form the template was given, so no page has to remember to say it.
    """
    if request.method != "POST":
        return False
    return any(isinstance(value, Form) and value.errors for value in context.values())


def failed_status(form) -> int:
    """Status of a form sent back to the visitor: 400 when its CSRF token was refused, else 422.

    Views that check CSRF in their form (to keep a slow-network visitor's text when the session
    expired) still answer a refused token with 400, like every other POST route; the body is the
    form again, filled in, saying it expired. Call after the form (or its token field) was validated.
    """
    field = getattr(form, "csrf_token", None)
    return 400 if field is not None and field.errors else 422


def declared_fields(form_class) -> frozenset[str]:
    """Names of the fields a form class declares (without building one)."""
    from wtforms.fields.core import UnboundField

    return frozenset(name for name in dir(form_class) if isinstance(getattr(form_class, name, None), UnboundField))


def is_inline_validation(form_class) -> bool:
    """True only for a request ``inline_validation`` will answer without saving (limiters' ``exempt_when``).

    The header alone is not enough: an ``X-Validate-Field`` naming no field of the form is a
    submission, so it is saved and must be counted like one.
    """
    name = request.headers.get("X-Validate-Field")
    return is_htmx() and bool(name) and name in declared_fields(form_class)


def inline_validation(form):
    """The htmx response for "check this field" requests, or ``None`` for a real submission."""
    name = request.headers.get("X-Validate-Field")
    if not (is_htmx() and name and name in form._fields):
        return None
    form.validate()
    response = make_response(render_template("macros/_field_error.html", field=form[name]))
    response.vary.add("HX-Request")
    response.headers["Cache-Control"] = "no-store"
    return response


class StaffContentForm(FlaskForm):
    """Base of staff forms for content written in kk/ru/en for one region (news, fairs).

    The region list is what ``portal.staff.access.region_choices`` allows this staff member,
    and the title must be written in at least one language.
    """

    class Meta:
        locales = False

    def __init__(self, *args, region_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.region_code.choices = region_choices

    def validate_region_code(self, field):
        if field.data not in {code for code, _label in self.region_code.choices}:
            raise ValidationError(_l("Choose a region from the list."))

    def validate_title_kk(self, field):
        from .i18n import LANGUAGES

        if not any(getattr(self, f"title_{lang}").data for lang in LANGUAGES):
            raise ValidationError(_l("Write the title in at least one language."))


def init_app(app) -> None:
    app.jinja_env.globals["form_errors"] = form_errors
    app.jinja_env.globals["page_has_errors"] = page_has_errors
    # Results fragments add an out-of-band copy of their live count only for htmx (macros/ui.html result_status).
    app.jinja_env.globals["is_htmx"] = is_htmx
