"""Error pages in the visitor's language; a failed request never leaves a half-done transaction."""

from flask import render_template
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db


def error_title(code: int) -> str:
    titles = {
        400: _("The request could not be understood"),
        403: _("You do not have access to this page"),
        404: _("Page not found"),
        405: _("This action is not allowed here"),
        413: _("What you sent is too large"),
        429: _("Too many requests"),
    }
    return titles.get(code, _("Something went wrong on our side"))


def error_text(code: int) -> str:
    texts = {
        400: _("Please go back, reload the page and try again."),
        403: _("If you think you should have access, contact your administrator."),
        404: _("The page may have moved, or the address has a typo."),
        405: _("Please go back and use the buttons on the page."),
        413: _("Please send a smaller file or a shorter text."),
        429: _("Please wait a minute and try again."),
    }
    return texts.get(code, _("We have been notified. Please try again in a few minutes."))


def handle_http_error(error: HTTPException):
    """Render 4xx/5xx pages from one template, in the language of the URL."""
    if error.code and error.code >= 500:
        db.session.rollback()
    response = error.get_response()
    response.data = render_template("errors/error.html", error=error)
    response.content_type = "text/html; charset=utf-8"
    response.headers["Cache-Control"] = "no-store"
    return response


def handle_unexpected(error: Exception):
    """Anything not an HTTP error: roll back, log, and show a 500 page without a traceback."""
    db.session.rollback()
    from flask import current_app

    current_app.logger.exception("unhandled error")
    return handle_http_error(InternalServerError())


def register(app) -> None:
    app.jinja_env.globals.update(error_title=error_title, error_text=error_text)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
