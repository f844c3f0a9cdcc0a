"""Forms of the appeal path: the appeal, keeping the receipt, checking it, adding information."""

from __future__ import annotations

from flask import g
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, ValidationError

from ..phones import normalise_kz_phone
from ..regions.models import regions_ordered
from . import receipts
from .models import CATEGORIES
from ..text import has_refused_characters as has_control_characters, normalise as clean_text

MESSAGE_MIN = 20
MESSAGE_MAX = 5000
FOLLOW_UP_MIN = 2
SETTLEMENT_MAX = 200
NO_REGION_CHOICE = "none"

NOT_FOUND_MESSAGE = _l("We found no appeal with this code. Please check the code, or send a new report.")
MISMATCH_MESSAGE = _l("These digits do not match the end of your code. Please look at the code again and copy it carefully.")
CONTROL_MESSAGE = _l("The text contains invisible control characters that cannot be saved. Please remove them or type the text again.")


def _check_text(field, minimum: int, maximum: int, too_short, too_long):
    text = clean_text(field.data)
    if has_control_characters(text):
        raise ValidationError(CONTROL_MESSAGE)
    if len(text) < minimum:
        raise ValidationError(too_short)
    if len(text) > maximum:
        raise ValidationError(too_long)
    field.data = text


class AppealForm(FlaskForm):
    category = RadioField(
        _l("What is your report about?"),
        choices=list(CATEGORIES.items()),
        validators=[InputRequired(message=_l("Choose what your report is about."))],
        validate_choice=False,
    )
    region = SelectField(_l("Region"), validate_choice=False, default=NO_REGION_CHOICE)
    settlement = StringField(_l("Town, village or school"))
    message = TextAreaField(
        _l("What happened?"), validators=[InputRequired(message=_l("Please describe what happened."))]
    )
    callback_phone = StringField(_l("Phone number for a call back"))
    nonce = HiddenField()
    send_anyway = SubmitField(_l("Send it anyway"))
    submit = SubmitField(_l("Send the report"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = [(NO_REGION_CHOICE, str(_l("I prefer not to say")))] + [
            (r.code, r.label) for r in regions_ordered()
        ]

    def preselect(self, category: str | None) -> None:
        """``?category=<code>`` from links elsewhere on the site (unknown codes are ignored)."""
        if category in CATEGORIES:
            self.category.data = category

    def validate_category(self, field):
        if field.data not in CATEGORIES:
            raise ValidationError(_l("Choose one of the listed subjects."))

    def validate_region(self, field):
        if field.data in (None, ""):
            field.data = NO_REGION_CHOICE
        if field.data not in {code for code, _label in field.choices}:
            raise ValidationError(_l("Choose a region from the list, or “I prefer not to say”."))

    def validate_settlement(self, field):
        text = clean_text(field.data)
        if has_control_characters(text):
            raise ValidationError(CONTROL_MESSAGE)
        if len(text) > SETTLEMENT_MAX:
            raise ValidationError(_l("Please keep this under %(count)d characters.", count=SETTLEMENT_MAX))
        field.data = text

    def validate_message(self, field):
        _check_text(
            field, MESSAGE_MIN, MESSAGE_MAX,
            _l("Please describe what happened in at least %(count)d characters.", count=MESSAGE_MIN),
            _l("Please keep your report under %(count)d characters.", count=MESSAGE_MAX),
        )

    def validate_callback_phone(self, field):
        text = clean_text(field.data)
        field.data = text
        if not text:
            return
        message = _l("Enter a Kazakhstan phone number, for example +7 701 123 45 67, or leave this empty.")
        if len(text) > 30 or has_control_characters(text):
            raise ValidationError(message)
        number = normalise_kz_phone(text)
        if number is None:
            raise ValidationError(message)
        field.data = number

    @property
    def region_code(self) -> str | None:
        return None if self.region.data in (None, "", NO_REGION_CHOICE) else self.region.data

    def appeal_fields(self) -> dict:
        return {
            "category": self.category.data,
            "region_code": self.region_code,
            "settlement": self.settlement.data or "",
            "message": self.message.data,
            "callback_phone": self.callback_phone.data or "",
            # The page's language, so that staff reply in it (portal/queue/templates.py).
            "language": g.get("lang") or "",
        }


class ConfirmForm(FlaskForm):
    """The reporter types back the end of the code, to show they kept it."""

    nonce = HiddenField()
    last_digits = StringField(_l("The last five digits of your code"))
    submit = SubmitField(_l("I have kept my code"))

    def validate_last_digits(self, field):
        digits = receipts.normalise(field.data)
        if not digits:
            raise ValidationError(_l("Type the last five digits of your code."))
        field.data = digits


class CheckForm(FlaskForm):
    code = StringField(_l("Receipt code"))
    submit = SubmitField(_l("Show my appeal"))

    def validate_code(self, field):
        code = receipts.normalise(field.data)
        if not code:
            raise ValidationError(_l("Enter the receipt code you were given."))
        if not receipts.is_well_formed(code):
            raise ValidationError(
                _l("A receipt code has %(count)d digits. Please check that you typed all of them.",
                   count=receipts.CODE_LENGTH)
            )
        if not receipts.has_valid_check_digit(code):
            raise ValidationError(
                _l("This code has a typo: a digit is wrong or two digits are swapped. Please compare it with your note.")
            )
        field.data = code


class FollowUpForm(FlaskForm):
    code = HiddenField()
    nonce = HiddenField()
    message = TextAreaField(
        _l("Add information"), validators=[InputRequired(message=_l("Please write what you want to add."))]
    )
    send_anyway = SubmitField(_l("Send it anyway"))
    submit = SubmitField(_l("Add to my appeal"))

    def validate_message(self, field):
        _check_text(
            field, FOLLOW_UP_MIN, MESSAGE_MAX,
            _l("Please write what you want to add."),
            _l("Please keep your report under %(count)d characters.", count=MESSAGE_MAX),
        )
