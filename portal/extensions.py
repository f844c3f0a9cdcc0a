"""Flask extensions, created once and bound to the app in ``create_app``."""

import sqlalchemy as sa
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints so Alembic migrations work the same on SQLite and PostgreSQL.
    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True)
csrf = CSRFProtect()
babel = Babel()
login = LoginManager()


from . import ratelimit  # noqa: E402  (registers the sqlite:// limiter store before the limiter reads the URI)


def _limiter_key():
    return ratelimit.client_token()


# Storage from RATELIMIT_STORAGE_URI: a SQLite file in instance/ shared by the workers of one machine
# by default, redis://… with several machines (portal/ratelimit.py).
limiter = Limiter(key_func=_limiter_key, default_limits=[], headers_enabled=False)


@limiter.request_filter
def _reads_are_not_limited() -> bool:
    """Every limit in the portal is on a write (``methods=["POST"]``): a page view skips the limiter."""
    from flask import request

    return request.method in ("GET", "HEAD", "OPTIONS")
