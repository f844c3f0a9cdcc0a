"""The one place that decides between a full page and an htmx fragment."""

from flask import make_response, render_template, request


def is_htmx() -> bool:
    """An htmx request that wants a fragment: not boosted, not a history restore."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render(full: str, fragment: str, status: int = 200, **context):
    """Render ``fragment`` for htmx and ``full`` (which includes it) otherwise; always ``Vary: HX-Request``."""
    template = fragment if is_htmx() else full
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response
