"""Reply templates: staff pick one on an appeal, edit it in the reply box and send it.

An appeal's reply goes out in the language the reporter wrote in, so the picker offers the templates of
that language only (``Appeal.language``; Kazakh when unknown).
"""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from .models import ReplyTemplate


def template_choices(language: str) -> list[ReplyTemplate]:
    return list(db.session.scalars(
        sa.select(ReplyTemplate).where(ReplyTemplate.language == language).order_by(ReplyTemplate.title)
    ))


def template_body(key: str, language: str) -> str | None:
    if not key or len(key) > 40:
        return None
    return db.session.scalar(
        sa.select(ReplyTemplate.body).where(ReplyTemplate.key == key, ReplyTemplate.language == language)
    )
