"""Staff forms of the regional directory: phone lines, receptions, headquarters, regional plans."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ..forms import CheckboxesField, DayField, StaffContentForm, WholeNumberField
from ..i18n import LANGUAGE_NAMES, LANGUAGES
from ..text import clean_text
from ..phones import directory_phone
from .models import LINE_KINDS, LINE_LANGUAGES

PHONE_MESSAGE = _l("Enter a Kazakhstan phone number, for example +7 7172 55 00 01 or 8 701 123 45 67.")
SHORT_PHONE_MESSAGE = _l(
    "Enter a Kazakhstan phone number, for example +7 7172 55 00 01, or a short national number such as 111."
)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _too_long(n: int):
    return Length(max=n, message=_l("Please keep this under %(max)d characters."))


def _one_language(form, name: str, message):
    if not any((getattr(form, f"{name}_{lang}").data or "").strip() for lang in LANGUAGES):
        raise ValidationError(message)


class DirectoryForm(StaffContentForm):
    """Region (or national, for admins), and the phone number rule shared by every directory form."""

    region_code = SelectField(_l("Region"), validate_choice=False)
    position = WholeNumberField(_l("Order on the page"), default=0,
                                invalid_message=_l("Enter a whole number from 0 to 999."))

    def validate_position(self, field):
        if field.data is None:
            field.data = 0
        if not 0 <= field.data <= 999:
            raise ValidationError(_l("Enter a whole number from 0 to 999."))

    def validate_title_kk(self, field):  # only forms with titles ask for one (see the subclasses)
        return None

    def check_phone(self, field, required: bool):
        """Keep the number in our display form; a short number (111) only on national lines."""
        text = clean_text(field.data or "")
        if not text:
            if required:
                raise ValidationError(PHONE_MESSAGE)
            field.data = ""
            return
        national = not self.region_code.data
        number = directory_phone(text, allow_short=national)
        if number is None:
            raise ValidationError(SHORT_PHONE_MESSAGE if national else PHONE_MESSAGE)
        field.data = number


class PhoneLineForm(DirectoryForm):
    kind = SelectField(_l("Kind of line"), choices=list(LINE_KINDS.items()), validate_choice=False)
    number = StringField(_l("Phone number"), filters=[clean_text],
                         validators=[DataRequired(PHONE_MESSAGE), _too_long(40)])
    free_of_charge = BooleanField(_l("Free of charge"))
    languages = CheckboxesField(
        _l("Languages the operators speak"), choices=[(c, LANGUAGE_NAMES[c]) for c in LINE_LANGUAGES],
    )
    title_kk = StringField(_l("What it is for"), filters=[clean_text], validators=[_too_long(200)])
    hours_kk = StringField(_l("Hours"), filters=[clean_text], validators=[_too_long(120)])
    title_ru = StringField(_l("What it is for"), filters=[clean_text], validators=[_too_long(200)])
    hours_ru = StringField(_l("Hours"), filters=[clean_text], validators=[_too_long(120)])
    title_en = StringField(_l("What it is for"), filters=[clean_text], validators=[_too_long(200)])
    hours_en = StringField(_l("Hours"), filters=[clean_text], validators=[_too_long(120)])

    def validate_kind(self, field):
        if field.data not in LINE_KINDS:
            raise ValidationError(_l("Choose from the list."))

    def validate_number(self, field):
        self.check_phone(field, required=True)

    def validate_title_kk(self, field):
        _one_language(self, "title", _l("Say what the line is for in at least one language."))


class ReceptionForm(DirectoryForm):
    settlement = StringField(_l("Town or village"), filters=[clean_text],
                             validators=[DataRequired(_l("Enter the town or village.")), _too_long(200)])
    address = StringField(_l("Address"), filters=[clean_text],
                          validators=[DataRequired(_l("Enter the address.")), _too_long(300)])
    phone = StringField(_l("Phone number"), filters=[clean_text], validators=[_too_long(40)])
    title_kk = StringField(_l("Name"), filters=[clean_text], validators=[_too_long(200)])
    hours_kk = StringField(_l("Hours"), filters=[clean_text], validators=[_too_long(120)])
    title_ru = StringField(_l("Name"), filters=[clean_text], validators=[_too_long(200)])
    hours_ru = StringField(_l("Hours"), filters=[clean_text], validators=[_too_long(120)])
    title_en = StringField(_l("Name"), filters=[clean_text], validators=[_too_long(200)])
    hours_en = StringField(_l("Hours"), filters=[clean_text], validators=[_too_long(120)])

    def validate_phone(self, field):
        self.check_phone(field, required=False)

    def validate_hours_kk(self, field):
        _one_language(self, "hours", _l("Enter the opening hours in at least one language."))


class HeadquartersForm(DirectoryForm):
    head = StringField(_l("Who leads it"), filters=[clean_text], validators=[_too_long(200)])
    phone = StringField(_l("Contact line"), filters=[clean_text],
                        validators=[DataRequired(PHONE_MESSAGE), _too_long(40)])
    email = StringField(_l("E-mail"), filters=[clean_text], validators=[_too_long(254)])
    address = StringField(_l("Address"), filters=[clean_text], validators=[_too_long(300)])
    name_kk = StringField(_l("Name"), filters=[clean_text], validators=[_too_long(200)])
    name_ru = StringField(_l("Name"), filters=[clean_text], validators=[_too_long(200)])
    name_en = StringField(_l("Name"), filters=[clean_text], validators=[_too_long(200)])

    def validate_phone(self, field):
        self.check_phone(field, required=True)

    def validate_email(self, field):
        if field.data and not EMAIL.match(field.data):
            raise ValidationError(_l("Enter an e-mail address such as name@example.kz, or leave this empty."))

    def validate_name_kk(self, field):
        _one_language(self, "name", _l("Write the name in at least one language."))


class RegionPlanForm(DirectoryForm):
    campaign_id = SelectField(_l("Campaign year"), validate_choice=False)
    approved_on = DayField(_l("Approved on"))
    summary_kk = TextAreaField(_l("Plan summary"), filters=[clean_text], validators=[_too_long(3000)])
    summary_ru = TextAreaField(_l("Plan summary"), filters=[clean_text], validators=[_too_long(3000)])
    summary_en = TextAreaField(_l("Plan summary"), filters=[clean_text], validators=[_too_long(3000)])

    def validate_region_code(self, field):
        super().validate_region_code(field)
        if not field.data:
            raise ValidationError(_l("A plan belongs to a region: choose one."))

    def validate_campaign_id(self, field):
        if field.data not in {value for value, _label in field.choices or []}:
            raise ValidationError(_l("Choose a campaign year."))

    def validate_summary_kk(self, field):
        _one_language(self, "summary", _l("Write the summary in at least one language."))
