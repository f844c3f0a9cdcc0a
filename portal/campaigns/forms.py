"""The back office's campaign-year form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..forms import DayField, WholeNumberField

NEED_YEAR = _l("Enter the year, for example 2027.")
NEED_DAY = _l("Enter a date, for example 31.08.2023.")


class CampaignForm(FlaskForm):
    year = WholeNumberField(_l("Year"), invalid_message=NEED_YEAR, too_large_message=NEED_YEAR,
                            validators=[InputRequired(NEED_YEAR), NumberRange(1990, 2200, NEED_YEAR)])
    starts_on = DayField(_l("First day"), validators=[InputRequired(NEED_DAY)])
    ends_on = DayField(_l("Last day"), validators=[InputRequired(NEED_DAY)])
    slogan_kk = StringField(_l("Slogan in Kazakh"), validators=[Optional(), Length(max=200)])
    slogan_ru = StringField(_l("Slogan in Russian"), validators=[Optional(), Length(max=200)])
    slogan_en = StringField(_l("Slogan in English"), validators=[Optional(), Length(max=200)])
    message_kk = TextAreaField(_l("Message in Kazakh"), validators=[Optional(), Length(max=600)])
    message_ru = TextAreaField(_l("Message in Russian"), validators=[Optional(), Length(max=600)])
    message_en = TextAreaField(_l("Message in English"), validators=[Optional(), Length(max=600)])
    copy_needs = BooleanField(_l("Copy the previous year's open needs"))
    copy_plans = BooleanField(_l("Start each region's plan of events from the previous year's"))

    def texts(self) -> dict:
        return {name: self[name].data or "" for name in
                ("slogan_kk", "slogan_ru", "slogan_en", "message_kk", "message_ru", "message_en")}
