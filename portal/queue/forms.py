"""Forms of the queue: a bulk action on a selection, assigning one item, forwarding one item."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, SelectField, SubmitField
from wtforms.validators import ValidationError
from wtforms.widgets import HiddenInput

from ..params import to_int
from .services import BULK_LIMIT, NATIONAL


class IdListField(Field):
    """The ticked checkboxes (``name="ids"``): ids only, each once, at most ``BULK_LIMIT``."""

    widget = HiddenInput()

    def process_formdata(self, valuelist):
        ids = [to_int(value) for value in valuelist]  # only ids an id column can hold (portal/params.py)
        self.data = sorted({ident for ident in ids if ident is not None})

    def _value(self):
        return ""


class BulkForm(FlaskForm):
    ids = IdListField()
    action = SelectField(_l("With the selected items"), validate_choice=False)
    assignee = SelectField(_l("Assign to"), validate_choice=False)
    submit = SubmitField(_l("Apply"))

    def validate_ids(self, field):
        if not field.data:
            raise ValidationError(_l("Tick at least one item in the list."))
        if len(field.data) > BULK_LIMIT:
            raise ValidationError(_l("Select at most %(count)d items at once.", count=BULK_LIMIT))

    def validate_action(self, field):
        if field.data not in {value for value, _label in field.choices if value}:
            raise ValidationError(_l("Choose an action from the list."))

    def validate_assignee(self, field):
        if self.action.data == "assign" and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose a person from the list."))


class AssignForm(FlaskForm):
    assignee = SelectField(_l("Assigned to"), validate_choice=False)
    submit = SubmitField(_l("Assign"))

    def validate_assignee(self, field):
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose a person from the list."))


class ForwardForm(FlaskForm):
    region = SelectField(_l("Forward to"), validate_choice=False)
    submit = SubmitField(_l("Forward"))

    def validate_region(self, field):
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose a region from the list."))


def forward_choices(current: set[str | None]) -> list[tuple[str, str]]:
    """The national level and every region, except where the item already is."""
    from ..regions.models import regions_ordered

    choices = [(NATIONAL, str(_l("National level")))] if None not in current else []
    return choices + [(r.code, r.label) for r in regions_ordered() if r.code not in current]


class QueueFilterForm(FlaskForm):
    """The queue's filters, shown in the appeal and offer lists' filter forms (GET, no CSRF)."""

    class Meta:
        csrf = False

    state = SelectField(_l("Queue"), validate_choice=False)
    assignee = SelectField(_l("Assigned to"), validate_choice=False)

    def apply(self, stmt, model, order: bool = True):
        """Filter ``stmt`` on ``model`` by these fields (values not in the lists are ignored); with
        ``order``, overdue first, then by due day."""
        from .services import STATES, queue_for

        queue = queue_for(model)
        state = self.state.data if self.state.data in STATES else None
        stmt = queue.with_state(stmt, state)
        assignees = {value for value, _label in self.assignee.choices}
        stmt = queue.with_assignee(stmt, self.assignee.data if self.assignee.data in assignees else None)
        return stmt.order_by(None).order_by(*queue.order()) if order else stmt
