"""Forms of the price pages: the public region picker, one observation, an upload."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, ValidationError

from ..forms import DayField, WholeNumberField
from .models import ITEMS, MAX_PRICE, OUTLETS
from .services import observed_on_ok

REQUIRED = _l("This field is required.")


class PriceFilterForm(FlaskForm):
    """GET form: no CSRF token (no cookie); every combination is a plain link."""

    class Meta:
        csrf = False

    region = SelectField(_l("Region"), default="", validators=[Optional()])
    year = SelectField(_l("Campaign year"), coerce=int, validators=[Optional()])
    item = SelectField(_l("Item to compare across regions"), default="uniform_set", validators=[Optional()])

    def __init__(self, *args, regions=(), years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = [("", str(_l("Whole country")))] + list(regions)
        self.year.choices = [(y, str(y)) for y in years]
        self.item.choices = [(code, str(label)) for code, label in ITEMS.items()]


class ObservationForm(FlaskForm):
    region_code = SelectField(_l("Region"), validators=[DataRequired(REQUIRED)])
    item = SelectField(_l("Item"), choices=list(ITEMS.items()), validators=[DataRequired(REQUIRED)])
    outlet = SelectField(_l("Kind of outlet"), choices=list(OUTLETS.items()), validators=[DataRequired(REQUIRED)])
    price = WholeNumberField(
        _l("Price in tenge"),
        validators=[InputRequired(REQUIRED),
                    NumberRange(1, MAX_PRICE, _l("Enter a whole price from 1 to 10,000,000 tenge."))],
    )
    observed_on = DayField(_l("Date observed"), validators=[InputRequired(REQUIRED)])

    def __init__(self, *args, region_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.region_code.choices = list(region_choices)

    def validate_observed_on(self, field):
        if field.data is not None and not observed_on_ok(field.data):
            raise ValidationError(_l("The date must be between 2000 and today."))


class UploadForm(FlaskForm):
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired(_l("Choose a file to upload."))])


class DeleteForm(FlaskForm):
    """The delete button's form: ``confirm=yes`` travels with the CSRF token."""

    confirm = HiddenField(validators=[DataRequired()])
