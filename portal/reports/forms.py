"""Staff forms: one allocation, an upload, the campaign year, publishing a version."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..forms import BIGINT_MAX, WholeNumberField
from .models import GROUPS, KINDS, SOURCES

REQUIRED = _l("This field is required.")


def to_year(value) -> int:
    """``coerce`` for year pickers: anything that is not a number (a file, a list) is just invalid."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(str(REQUIRED)) from None


class YearForm(FlaskForm):
    """``?year=`` on the staff pages (a GET filter: no CSRF)."""

    class Meta:
        csrf = False

    year = SelectField(_l("Campaign year"), coerce=to_year, validators=[Optional()])


class AllocationForm(FlaskForm):
    year = SelectField(_l("Campaign year"), coerce=to_year, validators=[InputRequired(REQUIRED)])
    region_code = SelectField(_l("Region"), validators=[DataRequired(REQUIRED)])
    recipient_group = SelectField(_l("Recipient group"), choices=list(GROUPS.items()), validators=[DataRequired(REQUIRED)])
    aid_kind = SelectField(_l("Kind of aid"), choices=list(KINDS.items()), validators=[DataRequired(REQUIRED)])
    source = SelectField(_l("Source"), choices=list(SOURCES.items()), validators=[DataRequired(REQUIRED)])
    children = WholeNumberField(
        _l("Number of children"),
        validators=[InputRequired(REQUIRED), NumberRange(1, 1_000_000, _l("Enter a number from 1 to 1,000,000."))],
    )
    amount = WholeNumberField(
        _l("Amount in tenge"), max=BIGINT_MAX,
        validators=[InputRequired(REQUIRED), NumberRange(0, 10**12, _l("Enter a whole amount, 0 or more."))],
    )
    items = WholeNumberField(
        _l("Number of items"), default=0,
        validators=[Optional(), NumberRange(0, 10_000_000, _l("Enter a number, 0 or more."))],
    )

    def __init__(self, *args, region_choices=(), year_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.region_code.choices = list(region_choices)
        self.year.choices = list(year_choices)


class UploadForm(FlaskForm):
    year = SelectField(_l("Campaign year"), coerce=to_year, validators=[InputRequired(REQUIRED)])
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired(_l("Choose a file to upload."))])
    replace = BooleanField(_l("Replace the lines already recorded for the regions in this file"))

    def __init__(self, *args, year_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.year.choices = list(year_choices)


class PublishForm(FlaskForm):
    title_kk = StringField(_l("Title in Kazakh"), validators=[DataRequired(REQUIRED), Length(max=200)])
    title_ru = StringField(_l("Title in Russian"), validators=[DataRequired(REQUIRED), Length(max=200)])
    title_en = StringField(_l("Title in English"), validators=[DataRequired(REQUIRED), Length(max=200)])
    methodology_kk = TextAreaField(_l("Methodology in Kazakh"), validators=[DataRequired(REQUIRED), Length(max=20000)])
    methodology_ru = TextAreaField(_l("Methodology in Russian"), validators=[DataRequired(REQUIRED), Length(max=20000)])
    methodology_en = TextAreaField(_l("Methodology in English"), validators=[DataRequired(REQUIRED), Length(max=20000)])
    change_note_kk = TextAreaField(_l("What changed, in Kazakh"), validators=[Length(max=5000)])
    change_note_ru = TextAreaField(_l("What changed, in Russian"), validators=[Length(max=5000)])
    change_note_en = TextAreaField(_l("What changed, in English"), validators=[Length(max=5000)])
    confirm = BooleanField(
        _l("I have checked the preview: the figures are correct, and a published version can never be changed."),
        validators=[DataRequired(_l("Confirm that you have checked the preview."))],
    )

    def __init__(self, *args, needs_note: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_note = needs_note

    def validate_change_note_en(self, field):
        if self.needs_note and not any(
            (f.data or "").strip() for f in (self.change_note_kk, self.change_note_ru, self.change_note_en)
        ):
            from wtforms.validators import ValidationError

            raise ValidationError(_l("Say what changed since the previous version, in at least one language."))


class DeleteForm(FlaskForm):
    """The delete button's form: ``confirm=yes`` travels with the CSRF token."""

    confirm = HiddenField(validators=[DataRequired()])


class IndicatorForm(FlaskForm):
    """A region's own inputs to the campaign indicators (what no other record holds)."""

    planned_budget = WholeNumberField(_l("Planned budget, tenge"), max=BIGINT_MAX, validators=[Optional()])
    children_identified = WholeNumberField(_l("Children identified as in need"), validators=[Optional()])
    out_of_school = WholeNumberField(_l("Appeals about children out of school not registered on the portal"),
                                     validators=[Optional()])
    back_to_school = WholeNumberField(_l("Of which: child back at school"), validators=[Optional()])

    def validate_back_to_school(self, field):
        if field.data is not None and self.out_of_school.data is not None and field.data > self.out_of_school.data:
            raise ValidationError(_l("Cannot be more than the appeals about children out of school."))

    def validate_planned_budget(self, field):
        if field.data is not None and field.data > 10_000_000_000_000:
            raise ValidationError(_l("Enter an amount in tenge."))

    def validate_children_identified(self, field):
        if field.data is not None and field.data > 10_000_000:
            raise ValidationError(_l("Enter a number from 0 to 10,000,000."))
