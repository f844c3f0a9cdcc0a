"""The self-check form: about eight plain questions, a region, and the opt-in to be counted."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField
from wtforms.validators import ValidationError

ANSWERS = {"yes": _l("Yes"), "no": _l("No"), "unsure": _l("Not sure")}

# (code, question). Order is the order on the page.
QUESTIONS = {
    "uniform": _l("Does your child have a school uniform that fits?"),
    "shoes": _l("Does your child have shoes for school?"),
    "sportswear": _l("Does your child have sportswear for physical education?"),
    "backpack": _l("Does your child have a backpack?"),
    "stationery": _l("Does your child have notebooks, pens and other stationery?"),
    "registered": _l("Is your child registered at a school for this school year?"),
    "asp": _l("Does your family receive targeted social assistance (ASP)?"),
    "large_family": _l("Are there four or more children under 18 in your family?"),
}
# Things a child should have; a "no" means the family may ask for that help.
GOODS = ("uniform", "shoes", "sportswear", "backpack", "stationery")


class ReadyForm(FlaskForm):
    region = SelectField(_l("Your region"), validate_choice=False)
    uniform = RadioField(QUESTIONS["uniform"], choices=list(ANSWERS.items()), validate_choice=False)
    shoes = RadioField(QUESTIONS["shoes"], choices=list(ANSWERS.items()), validate_choice=False)
    sportswear = RadioField(QUESTIONS["sportswear"], choices=list(ANSWERS.items()), validate_choice=False)
    backpack = RadioField(QUESTIONS["backpack"], choices=list(ANSWERS.items()), validate_choice=False)
    stationery = RadioField(QUESTIONS["stationery"], choices=list(ANSWERS.items()), validate_choice=False)
    registered = RadioField(QUESTIONS["registered"], choices=list(ANSWERS.items()), validate_choice=False)
    asp = RadioField(QUESTIONS["asp"], choices=list(ANSWERS.items()), validate_choice=False)
    large_family = RadioField(QUESTIONS["large_family"], choices=list(ANSWERS.items()), validate_choice=False)
    count = BooleanField(
        _l("Count my answers anonymously (only the number of answers per region and day is kept)")
    )

    def __init__(self, *args, region_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = [("", _l("Choose a region"))] + list(region_choices)

    def validate_region(self, field):
        if field.data not in {code for code, _label in self.region.choices if code}:
            raise ValidationError(_l("Choose your region from the list."))

    def answers(self) -> dict[str, str]:
        """``{question: answer}`` for the questions answered (unknown values are ignored)."""
        result = {}
        for code in QUESTIONS:
            value = self[code].data
            if value in ANSWERS:
                result[code] = value
        return result
