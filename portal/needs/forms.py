"""Staff form of a published need, and the public board's region filter."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from ..forms import WholeNumberField
from .models import ITEMS

MAX_QUANTITY = 1_000_000


class NeedForm(FlaskForm):
    region_code = SelectField(_l("Region"), validate_choice=False)
    item = SelectField(_l("Item"), choices=list(ITEMS.items()), validate_choice=False)
    size_band = StringField(
        _l("Size band (optional)"),
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[Length(max=60, message=_l("Please keep this under %(max)d characters."))],
    )
    quantity_total = WholeNumberField(
        _l("Number needed in all"),
        validators=[
            InputRequired(_l("Enter a whole number.")),
            NumberRange(1, MAX_QUANTITY, message=_l("Enter a number from 1 to 1,000,000.")),
        ],
    )
    quantity_needed = WholeNumberField(
        _l("Number still needed"),
        validators=[
            InputRequired(_l("Enter a whole number.")),
            NumberRange(0, MAX_QUANTITY, message=_l("Enter a number from 0 to 1,000,000.")),
        ],
    )
    covered = BooleanField(_l("Covered: nothing more is needed"))

    def __init__(self, *args, region_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.region_code.choices = list(region_choices)

    def validate_region_code(self, field):
        if field.data not in {code for code, _label in self.region_code.choices}:
            raise ValidationError(_l("Choose a region from the list."))

    def validate_item(self, field):
        if field.data not in ITEMS:
            raise ValidationError(_l("Choose an item from the list."))

    def validate_quantity_needed(self, field):
        total = self.quantity_total.data
        if field.data is not None and total is not None and field.data > total:
            raise ValidationError(_l("The number still needed cannot be larger than the number needed in all."))
