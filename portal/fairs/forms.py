"""The staff form for a fair or event. Start and end are typed in the local time of the fair's region."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ..forms import StaffContentForm
from ..text import clean_text
from .models import KINDS, STATUSES


class FairForm(StaffContentForm):
    region_code = SelectField(_l("Region"), validators=[DataRequired(_l("Choose a region."))])
    kind = SelectField(_l("Kind"), choices=list(KINDS.items()), validators=[DataRequired()])
    status = SelectField(_l("Status"), choices=list(STATUSES.items()), validators=[DataRequired()])
    settlement = StringField(_l("District or settlement"), filters=[clean_text], validators=[Length(max=200)])
    is_remote = BooleanField(_l("Remote settlement"))
    venue = StringField(_l("Venue"), filters=[clean_text], validators=[DataRequired(_l("Enter the venue.")), Length(max=200)])
    address = StringField(_l("Address"), filters=[clean_text], validators=[Length(max=300)])
    organiser = StringField(_l("Organiser"), filters=[clean_text], validators=[Length(max=200)])
    starts_at = DateTimeLocalField(_l("Starts (local time)"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(_l("Enter the start date and time."))])
    ends_at = DateTimeLocalField(_l("Ends (local time)"), format="%Y-%m-%dT%H:%M",
                                 validators=[DataRequired(_l("Enter the end date and time."))])

    title_kk = StringField(_l("Title"), filters=[clean_text], validators=[Length(max=200)])
    description_kk = TextAreaField(_l("Description"), filters=[clean_text], validators=[Length(max=5000)])
    offer_kk = TextAreaField(_l("What is on offer, discounts"), filters=[clean_text], validators=[Length(max=5000)])
    title_ru = StringField(_l("Title"), filters=[clean_text], validators=[Length(max=200)])
    description_ru = TextAreaField(_l("Description"), filters=[clean_text], validators=[Length(max=5000)])
    offer_ru = TextAreaField(_l("What is on offer, discounts"), filters=[clean_text], validators=[Length(max=5000)])
    title_en = StringField(_l("Title"), filters=[clean_text], validators=[Length(max=200)])
    description_en = TextAreaField(_l("Description"), filters=[clean_text], validators=[Length(max=5000)])
    offer_en = TextAreaField(_l("What is on offer, discounts"), filters=[clean_text], validators=[Length(max=5000)])

    def validate_ends_at(self, field):
        start = self.starts_at.data
        if start and field.data:
            if field.data <= start:
                raise ValidationError(_l("The end must be after the start."))
            if field.data - start > dt.timedelta(days=62):
                raise ValidationError(_l("An event can last two months at most."))
