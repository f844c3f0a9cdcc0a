"""The staff form for a news article."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from ..extensions import db
from ..i18n import LANGUAGES
from ..forms import StaffContentForm
from ..text import clean_text
from .models import STATUSES, News


class NewsForm(StaffContentForm):
    region_code = SelectField(_l("Region"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=list(STATUSES.items()), validators=[DataRequired()])
    published_at = DateTimeLocalField(
        _l("Publication date and time (local time)"), format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(_l("Enter the date and time."))],
    )
    slug = StringField(
        _l("Web address (optional)"), filters=[clean_text],
        validators=[Optional(), Length(max=100),
                    Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=_l("Use lowercase Latin letters, digits and dashes."))],
    )

    title_kk = StringField(_l("Title"), filters=[clean_text], validators=[Length(max=200)])
    summary_kk = TextAreaField(_l("Summary"), filters=[clean_text], validators=[Length(max=500)])
    body_kk = TextAreaField(_l("Text (Markdown)"), filters=[clean_text], validators=[Length(max=50_000)])
    title_ru = StringField(_l("Title"), filters=[clean_text], validators=[Length(max=200)])
    summary_ru = TextAreaField(_l("Summary"), filters=[clean_text], validators=[Length(max=500)])
    body_ru = TextAreaField(_l("Text (Markdown)"), filters=[clean_text], validators=[Length(max=50_000)])
    title_en = StringField(_l("Title"), filters=[clean_text], validators=[Length(max=200)])
    summary_en = TextAreaField(_l("Summary"), filters=[clean_text], validators=[Length(max=500)])
    body_en = TextAreaField(_l("Text (Markdown)"), filters=[clean_text], validators=[Length(max=50_000)])

    def __init__(self, *args, news_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.news_id = news_id

    def validate_slug(self, field):
        if field.data:
            clash = db.session.scalar(sa.select(News.id).where(News.slug == field.data, News.id != (self.news_id or 0)))
            if clash:
                raise ValidationError(_l("Another article already uses this address."))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for lang in LANGUAGES:
            title, body = getattr(self, f"title_{lang}"), getattr(self, f"body_{lang}")
            if body.data and not title.data:
                title.errors.append(_l("Add a title in this language, or leave its text empty."))
                ok = False
            if title.data and not body.data:
                body.errors.append(_l("Write the text in this language, or leave its title empty."))
                ok = False
        return ok
