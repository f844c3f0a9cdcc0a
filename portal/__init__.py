"""«Мектепке жол» public portal: the application factory."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from . import errors, forms, http, i18n, navigation, ratelimit, security
from . import params
from .config import Defaults
from .database import configure_engine, normalise_url
from .extensions import babel, csrf, db, limiter, migrate
from .staff import auth as staff_auth
from .staff import listing as staff_listing


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config → extensions → blueprints → request hooks → CLI → error handlers."""
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,
    )
    load_config(app, test_config)

    i18n.check_catalogues(app)
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    http.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    ratelimit.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    params.init_app(app)  # the bounded <int:…> converter, before any blueprint's rules
    navigation.init_app(app)
    forms.init_app(app)
    staff_auth.init_app(app)
    staff_listing.init_app(app)
    security.init_app(app)

    import_models()
    register_blueprints(app)
    register_hooks(app)
    http.check(app)  # every model declares its cache area; every @cacheable area is some model's

    from . import cli

    cli.register(app)
    errors.register(app)
    return app


def load_config(app: Flask, test_config: dict | None) -> None:
    """Defaults → instance/config.py → FLASK_* env and DATABASE_URL → test mapping; then require a secret."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = os.environ["RATELIMIT_STORAGE_URI"]
    if test_config:
        app.config.from_mapping(test_config)

    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
            app.instance_path, "portal.sqlite3"
        )
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = ratelimit.default_storage_uri(app.instance_path)

    if not app.config.get("SECRET_KEY"):
        key_file = Path(app.instance_path) / "secret_key"
        if key_file.is_file():
            app.config["SECRET_KEY"] = key_file.read_text().strip()
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError(
            "No SECRET_KEY: run `make setup` (writes instance/secret_key once) or set FLASK_SECRET_KEY."
        )


def register_hooks(app: Flask) -> None:
    """Every app-wide request hook of ours, here only, in the order it runs.

    The extensions' own (Flask-WTF's CSRF check and Flask-Limiter's limits before, Flask-Limiter's and
    Flask-Login's after) were added by their ``init_app``; ours go around them. Blueprint hooks stay with
    their views.
    """
    by_extensions = app.before_request_funcs.get(None, [])
    elsewhere = [
        getattr(hook, "__qualname__", repr(hook))
        for hook in by_extensions + app.after_request_funcs.get(None, [])
        if getattr(getattr(hook, "func", hook), "__module__", "").startswith("portal.")
    ]
    if elsewhere:  # its place in the order would depend on which init_app ran first
        raise RuntimeError("App-wide request hooks are registered in portal.register_hooks only: %s" % elsewhere)
    app.before_request_funcs[None] = [
        security.refuse_untrusted_host,  # a forged Host is a bare 400 before anything builds a URL from it
        security.refuse_invalid_utf8,  # a form that is not UTF-8 is refused before anything reads it
        security.allow_declared_upload_size,  # before the CSRF check reads the body
        http.limit_page_views,  # a render past the page-view limit is a 429 before any work
        staff_auth.set_staff_language,  # so a refusal by the extensions (CSRF) speaks the staff member's language
        *by_extensions,
        params.replace_nul,
        security.refuse_unexpected_bodies,
    ]
    # Flask runs these last-registered first: security headers on every response, http.finish (encoding, 304) last.
    app.after_request_funcs[None] = [http.finish, *app.after_request_funcs.get(None, []), security.set_headers]


def import_models() -> None:
    """Every model, so Alembic and ``db.metadata`` see the whole schema."""
    from .appeals import models as _appeals  # noqa: F401
    from .audit import models as _audit  # noqa: F401
    from .campaigns import models as _campaigns  # noqa: F401
    from .fairs import models as _fairs  # noqa: F401
    from .news import models as _news  # noqa: F401
    from .needs import models as _needs  # noqa: F401
    from .offers import models as _offers  # noqa: F401
    from .ready import models as _ready  # noqa: F401
    from .regions import models as _regions  # noqa: F401
    from .reports import models as _reports  # noqa: F401
    from .prices import models as _prices  # noqa: F401
    from .staff import models as _staff  # noqa: F401
    from .queue import models as _queue  # noqa: F401


def register_blueprints(app: Flask) -> None:
    from . import queue
    from .appeals import bp as appeals_bp
    from .appeals.staff import staff_bp as appeals_staff_bp
    from .audit.routes import bp as audit_bp
    from .campaigns.routes import bp as campaigns_bp
    from .campaigns.staff import staff_bp as campaigns_staff_bp
    from .fairs import bp as fairs_bp, ics_bp as fairs_ics_bp
    from .fairs.staff import staff_bp as fairs_staff_bp
    from .news import bp as news_bp
    from .news.staff import staff_bp as news_staff_bp
    from .needs import bp as needs_bp
    from .needs.staff import staff_bp as needs_staff_bp
    from .offers import bp as offers_bp
    from .offers.staff import staff_bp as offers_staff_bp
    from .opendata import bp as opendata_bp
    from .pages import bp as pages_bp
    from .posters import bp as posters_bp
    from .ready import bp as ready_bp
    from .ready.staff import staff_bp as ready_staff_bp
    from .regions.routes import bp as regions_bp
    from .regions.staff import staff_bp as regions_staff_bp
    from .reports import bp as reports_bp, files_bp as report_files_bp
    from .reports.staff import staff_bp as reports_staff_bp
    from .prices import bp as prices_bp
    from .prices.staff import staff_bp as prices_staff_bp
    from .site import bp as site_bp
    from .sponsors import bp as sponsors_bp
    from .staff import bp as staff_bp

    app.register_blueprint(site_bp)
    app.register_blueprint(pages_bp)
    app.register_blueprint(appeals_bp)
    app.register_blueprint(appeals_staff_bp)
    app.register_blueprint(offers_bp)
    app.register_blueprint(sponsors_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(news_staff_bp)
    app.register_blueprint(fairs_staff_bp)
    app.register_blueprint(offers_staff_bp)
    app.register_blueprint(fairs_bp)
    app.register_blueprint(fairs_ics_bp)
    app.register_blueprint(news_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(report_files_bp)
    app.register_blueprint(opendata_bp)
    app.register_blueprint(reports_staff_bp)
    app.register_blueprint(prices_bp)
    app.register_blueprint(prices_staff_bp)
    app.register_blueprint(ready_bp)
    app.register_blueprint(ready_staff_bp)
    app.register_blueprint(posters_bp)
    app.register_blueprint(needs_bp)
    app.register_blueprint(needs_staff_bp)
    app.register_blueprint(regions_bp)
    app.register_blueprint(regions_staff_bp)
    app.register_blueprint(campaigns_bp)
    app.register_blueprint(campaigns_staff_bp)
    queue.init_app(app)
