"""Flask extensions, created once and bound to the app in ``create_app``."""

import sqlalchemy as sa
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

# The limiter lives with its key function and its store (portal/ratelimit.py); bound in create_app like the others.
from .ratelimit import limiter  # noqa: F401


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
