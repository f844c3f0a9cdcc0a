"""The staff form for a fair or event. Start and end are typed in the local time of the fair's region."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ..i18n import LANGUAGES
from ..i18n_text import clean_text
from .models import KINDS, STATUSES


def _strip(value):
    return clean_text(value) if isinstance(value, str) else value


class FairForm(FlaskForm):
    class Meta:
        locales = False

    region_code = SelectField(_l("Region"), validators=[DataRequired(_l("Choose a region."))])
    kind = SelectField(_l("Kind"), choices=list(KINDS.items()), validators=[DataRequired()])
    status = SelectField(_l("Status"), choices=list(STATUSES.items()), validators=[DataRequired()])
    settlement = StringField(_l("District or settlement"), filters=[_strip], validators=[Length(max=200)])
    is_remote = BooleanField(_l("Remote settlement"))
    venue = StringField(_l("Venue"), filters=[_strip], validators=[DataRequired(_l("Enter the venue.")), Length(max=200)])
    address = StringField(_l("Address"), filters=[_strip], validators=[Length(max=300)])
    organiser = StringField(_l("Organiser"), filters=[_strip], validators=[Length(max=200)])
    starts_at = DateTimeLocalField(_l("Starts (local time)"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(_l("Enter the start date and time."))])
    ends_at = DateTimeLocalField(_l("Ends (local time)"), format="%Y-%m-%dT%H:%M",
                                 validators=[DataRequired(_l("Enter the end date and time."))])

    title_kk = StringField(_l("Title"), filters=[_strip], validators=[Length(max=200)])
    description_kk = TextAreaField(_l("Description"), filters=[_strip], validators=[Length(max=5000)])
    offer_kk = TextAreaField(_l("What is on offer, discounts"), filters=[_strip], validators=[Length(max=5000)])
    title_ru = StringField(_l("Title"), filters=[_strip], validators=[Length(max=200)])
    description_ru = TextAreaField(_l("Description"), filters=[_strip], validators=[Length(max=5000)])
    offer_ru = TextAreaField(_l("What is on offer, discounts"), filters=[_strip], validators=[Length(max=5000)])
    title_en = StringField(_l("Title"), filters=[_strip], validators=[Length(max=200)])
    description_en = TextAreaField(_l("Description"), filters=[_strip], validators=[Length(max=5000)])
    offer_en = TextAreaField(_l("What is on offer, discounts"), filters=[_strip], validators=[Length(max=5000)])

    def __init__(self, *args, region_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.region_code.choices = region_choices

    def validate_region_code(self, field):
        if field.data not in {code for code, _label in self.region_code.choices}:
            raise ValidationError(_l("Choose a region from the list."))

    def validate_title_kk(self, field):
        if not any(getattr(self, f"title_{lang}").data for lang in LANGUAGES):
            raise ValidationError(_l("Write the title in at least one language."))

    def validate_ends_at(self, field):
        start = self.starts_at.data
        if start and field.data:
            if field.data <= start:
                raise ValidationError(_l("The end must be after the start."))
            if field.data - start > dt.timedelta(days=62):
                raise ValidationError(_l("An event can last two months at most."))
