"""The self-check page, its answer page, and the published aggregates."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from ..campaigns.models import current_campaign
from ..extensions import db, limiter
from ..http import FormPage
from ..regions.models import Region, national_lines, regions_ordered
from ..site.routes import sitemap_exclude
from . import bp
from .forms import ANSWERS, QUESTIONS, ReadyForm
from .services import help_items, next_fairs, public_figures, record_tallies


def _form(formdata=None, csrf=True) -> ReadyForm:
    choices = [(r.code, r.label) for r in regions_ordered()]
    if formdata is not None:
        return ReadyForm(formdata=formdata, region_choices=choices, meta={"csrf": csrf})
    return ReadyForm(region_choices=choices)


def _private(body: str, status: int = 200):
    """Answers about a family: never kept by a shared cache or the back/forward cache."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


# The empty questionnaire is rendered once and filled in per visitor with a CSRF token.
PAGE = FormPage("ready/index.html", areas=("regions",))


@bp.route("", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def check():
    """The questions; a valid answer goes to the answer page, counted only when the visitor asked."""
    if request.method != "POST":
        return _private(PAGE.render(lambda: {"form": _form(), "questions": QUESTIONS}))
    form = _form()
    if form.validate_on_submit():
        answers = form.answers()
        if form.count.data and answers:
            # Once per visitor session: sending the form again (or 30 times a minute) adds nothing.
            if session.get("ready_counted"):
                flash(_("Your answers were already counted during this visit, so they were not added again."))
            else:
                record_tallies(form.region.data, answers)
                db.session.commit()
                session["ready_counted"] = True
                flash(_("Thank you. Your answers were added to the anonymous counts of your region."))
        return redirect(url_for(".result", region=form.region.data, **answers), code=303)
    return _private(render_template("ready/index.html", form=form, questions=QUESTIONS), 422)


@bp.get("/result")
@sitemap_exclude
def result():
    """What help the family may get in their region, whom to call, the next fair, how to ask anonymously."""
    form = _form(request.args, csrf=False)
    if not form.validate():
        return redirect(url_for(".check"))
    answers = form.answers()
    region = db.session.get(Region, form.region.data)
    return _private(
        render_template(
            "ready/result.html",
            region=region,
            answers=answers,
            questions=QUESTIONS,
            answer_labels=ANSWERS,
            items=help_items(answers),
            fairs=next_fairs(region.code),
            national=national_lines(),
        )
    )


@bp.get("/figures")
def figures():
    """How families answered, per region, for the current campaign: counted answers only, small counts hidden."""
    campaign = current_campaign()
    data = public_figures(campaign) if campaign else None
    regions = {r.code: r for r in regions_ordered()}
    return render_template(
        "ready/figures.html", campaign=campaign, data=data, regions=regions, questions=QUESTIONS, answers=ANSWERS
    )
