"""Shared form plumbing: error lists for the summary, inline validation over htmx, fast form pages.

Inline validation re-runs the form's own ``validate()`` — the same rules as on
submit — and returns only the error slot of the field the visitor just left.
It never saves anything.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app, make_response, render_template, request, session
from flask_wtf.csrf import generate_csrf
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

from .htmx import is_htmx

CSRF_MESSAGE = _l("The form has expired. Please send it again.")


def form_errors(form) -> list[tuple[str | None, str]]:
    """``(field id, first message)`` for each field with an error, in form order; CSRF errors without a field."""
    errors = []
    for field in form:
        if not field.errors:
            continue
        if field.name == "csrf_token":
            errors.append((None, str(CSRF_MESSAGE)))
        else:
            message = field.errors[0] if isinstance(field.errors, list) else next(iter(field.errors.values()))[0]
            errors.append((field.id, message))
    return errors


def failed_status(form) -> int:
    """Status of a form sent back to the visitor: 400 when its CSRF token was refused, else 422.

    Views that check CSRF in their form (to keep a slow-network visitor's text when the session
    expired) still answer a refused token with 400, like every other POST route; the body is the
    form again, filled in, saying it expired. Call after the form (or its token field) was validated.
    """
    field = getattr(form, "csrf_token", None)
    return 400 if field is not None and field.errors else 422


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


class FormPage:
    """The GET of a public form page, rendered once and then only filled in for each visitor.

    Building a form (its choices come from the database) and rendering its macros costs about
    ten times what serving a page from the page cache does, yet two visitors' copies of the
    empty form differ only in a few tokens: the CSRF token of their session and the form's own
    one-time token. So the page is rendered with placeholders where those go, kept per language,
    query string and generation of the data ``areas`` it shows (the page cache's generations, so a
    staff change to a region or a need shows at once), and each GET fills in fresh values.

    The page cache's switch and TTL apply. A visitor with flashed messages or a staff session gets
    a normal render (those pages show things the shared copy must not hold).
    """

    def __init__(self, template: str, areas: tuple[str, ...], max_entries: int = 256):
        self.template = template
        self.areas = areas
        self.max_entries = max_entries
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()
        self.marker = "formpage%s" % secrets.token_hex(8)

    def render(self, build: Callable[[], dict], **fresh: Callable[[], str]) -> str:
        """``build()`` gives the template context (with ``form``); ``fresh``: hidden field → a new value per visitor."""
        cache = current_app.extensions.get("page_cache")
        if cache is None or not cache.enabled or "_flashes" in session or "_user_id" in session:
            return self._render(build(), fresh, None)
        try:
            generations = cache.store.current()
        except Exception:  # generations unreadable: render as if there were no cache
            return self._render(build(), fresh, None)
        snapshot = tuple(generations.get(area, 0) for area in self.areas)
        key = (request.host_url, request.path, request.query_string)  # absolute links come from the host
        entry = self.entries.get(key)
        if entry is None or entry[0] != snapshot or entry[1] < time.monotonic():
            shell = self._render(build(), fresh, self.marker)
            entry = (snapshot, time.monotonic() + cache.ttl, shell)
            with self.lock:
                self.entries[key] = entry
                self.entries.move_to_end(key)
                while len(self.entries) > self.max_entries:
                    self.entries.popitem(last=False)
        html = entry[2]
        if self._placeholder("csrf_token") in html:
            html = html.replace(self._placeholder("csrf_token"), generate_csrf())
        for name, make in fresh.items():
            html = html.replace(self._placeholder(name), make())
        return html

    def _placeholder(self, name: str) -> str:
        return "%s-%s" % (self.marker, name)

    def _render(self, context: dict, fresh: dict, marker: str | None) -> str:
        form = context["form"]
        for name, make in fresh.items():
            form[name].data = make() if marker is None else self._placeholder(name)
        if marker is not None and "csrf_token" in form:
            form.csrf_token.current_token = self._placeholder("csrf_token")
        return render_template(self.template, **context)


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
