"""Reply templates in the back office: national admins write them in kk, ru and en; every staff member
picks one on an appeal (``portal/appeals/staff.py``) and edits it before sending."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from ..audit import record, snapshot
from ..extensions import db
from ..staff.access import access_rule
from ..text import clean_text
from . import bp
from .models import ReplyTemplate

LANGUAGES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


class TemplateForm(FlaskForm):
    key = StringField(_l("Short name"), validators=[InputRequired(message=_l("Give the template a short name."))])
    language = SelectField(_l("Language"), choices=list(LANGUAGES.items()), validate_choice=False)
    title = StringField(_l("Title"), filters=[clean_text],
                        validators=[InputRequired(message=_l("Give the template a title.")), Length(max=120)])
    body = TextAreaField(_l("Text of the reply"), filters=[clean_text],
                         validators=[InputRequired(message=_l("Write the text of the reply.")), Length(max=5000)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, template=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._template = template

    def validate_key(self, field):
        field.data = (field.data or "").strip().lower()
        if not _KEY.match(field.data):
            raise ValidationError(_l("Use Latin letters, digits and hyphens (up to 40), for example: received."))

    def validate_language(self, field):
        if field.data not in LANGUAGES:
            raise ValidationError(_l("Choose a language from the list."))
        other = db.session.scalar(sa.select(ReplyTemplate).where(
            ReplyTemplate.key == self.key.data, ReplyTemplate.language == field.data))
        if other is not None and other is not self._template:
            raise ValidationError(_l("This template already exists in this language."))


@bp.get("/templates/")
@access_rule(admin_only=True)
def list_templates():
    """Reply templates, grouped by short name, in the three languages."""
    templates = db.session.scalars(sa.select(ReplyTemplate).order_by(ReplyTemplate.key, ReplyTemplate.language))
    return render_template("staff/queue/templates.html", templates=list(templates), languages=LANGUAGES)


@bp.route("/templates/new", methods=["GET", "POST"])
@access_rule(admin_only=True)
def new_template():
    """Write a reply template in one language."""
    form = TemplateForm()
    if form.validate_on_submit():
        template = ReplyTemplate(key=form.key.data, language=form.language.data, title=form.title.data,
                                 body=form.body.data)
        db.session.add(template)
        record("create", template)
        db.session.commit()
        flash(_("The template has been saved."))
        return redirect(url_for("queue_staff.list_templates"), code=303)
    return render_template("staff/queue/template_form.html", form=form, template=None), 422 if form.errors else 200


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
@access_rule(model=ReplyTemplate, admin_only=True)
def edit_template(template: ReplyTemplate):
    """Change a reply template."""
    form = TemplateForm(obj=template, template=template)
    if form.validate_on_submit():
        before = snapshot(template)
        form.populate_obj(template)
        record("update", template, before=before)
        db.session.commit()
        flash(_("The template has been saved."))
        return redirect(url_for("queue_staff.list_templates"), code=303)
    return render_template("staff/queue/template_form.html", form=form, template=template), 422 if form.errors else 200


@bp.post("/templates/<int:template_id>/delete")
@access_rule(model=ReplyTemplate, admin_only=True)
def delete_template(template: ReplyTemplate):
    """Delete a reply template (replies already sent keep their text)."""
    record("delete", template, before=snapshot(template), changes={"key": [template.key, None]})
    db.session.delete(template)
    db.session.commit()
    flash(_("The template has been deleted."))
    return redirect(url_for("queue_staff.list_templates"), code=303)
