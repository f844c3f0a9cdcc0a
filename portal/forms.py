"""Shared form plumbing: error lists for the summary, inline validation over htmx, a base staff form.

Inline validation re-runs the form's own ``validate()`` — the same rules as on
submit — and returns only the error slot of the field the visitor just left.
It never saves anything.
"""

from __future__ import annotations

import datetime as dt

from flask import make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from jinja2 import pass_context
from wtforms import DateField, Form
from wtforms.validators import ValidationError
from wtforms.widgets import ListWidget

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
