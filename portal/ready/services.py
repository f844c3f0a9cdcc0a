"""Self-check answers: what help they point to, and the opt-in daily tallies (an atomic upsert)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from .. import clock
from ..campaigns.models import in_period as in_campaign_period
from ..extensions import db
from ..fairs.models import Fair
from ..disclosure import PRIMARY, Figure, build_hierarchy, marker, suppress, threshold
from .forms import ANSWERS, GOODS, QUESTIONS
from .models import ReadyTally

TALLY_TZ = "Asia/Almaty"
SOURCE = "self_check"  # the fourth key of the reports' hierarchy: one source only


def record_tallies(region_code: str, answers: dict[str, str], day: dt.date | None = None) -> None:
    """Add one to each (region, day, question, answer) count in one statement; nothing else is written.

    ``INSERT … ON CONFLICT DO UPDATE SET count = count + 1`` is atomic on SQLite and PostgreSQL,
    so simultaneous visitors never lose a count and never collide on the primary key.
    """
    if not answers:
        return
    day = day or clock.today_in(TALLY_TZ)
    table = ReadyTally.__table__
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    rows = [
        {"region_code": region_code, "day": day, "question": q, "answer": a, "count": 1}
        for q, a in sorted(answers.items())
    ]
    stmt = insert(table).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.region_code, table.c.day, table.c.question, table.c.answer],
        set_={"count": table.c.count + 1},
    )
    db.session.execute(stmt)


def help_items(answers: dict[str, str]) -> list[str]:
    """Codes of the kinds of help the answers point to, in page order."""
    items = [code for code in GOODS if answers.get(code) == "no"]
    if answers.get("registered") in ("no", "unsure"):
        items.append("registration")
    if answers.get("asp") == "yes" or answers.get("large_family") == "yes":
        items.append("eligible")
    return items


def next_fairs(region_code: str, limit: int = 3) -> list[Fair]:
    """Upcoming scheduled fairs of the region, soonest first."""
    stmt = (
        sa.select(Fair)
        .where(Fair.region_code == region_code, Fair.status == "scheduled", Fair.ends_at >= clock.now())
        .order_by(Fair.starts_at, Fair.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def tally_cells(campaign) -> dict[tuple, Figure]:
    """Counts per (region, question:answer, question, source) summed over the days counted in ``campaign``."""
    stmt = (
        sa.select(ReadyTally.region_code, ReadyTally.question, ReadyTally.answer, sa.func.sum(ReadyTally.count))
        .where(in_campaign_period(ReadyTally.day, campaign))
        .group_by(ReadyTally.region_code, ReadyTally.question, ReadyTally.answer)
    )
    cells = {}
    for region, question, answer, total in db.session.execute(stmt):
        if question in QUESTIONS and answer in ANSWERS and total:
            cells[(region, "%s:%s" % (question, answer), question, SOURCE)] = Figure(children=int(total))
    return cells


def public_figures(campaign) -> dict:
    """Published self-check figures with the reports' primary and complementary suppression.

    Cells are keyed like the report hierarchy: region, "question:answer" (the group),
    question (the kind), one source. Totals by "question:answer" are the national
    answers, totals by question the national number of answers to it.
    """
    limit = threshold()
    cells = tally_cells(campaign)
    regions = sorted({key[0] for key in cells})
    # The page shows every answer of every question, zeros too: the zeros are published figures
    # and take part in the suppression ("<10" beside true zeros would say what one family answered).
    for region in regions:
        for q in QUESTIONS:
            for a in ANSWERS:
                cells.setdefault((region, "%s:%s" % (q, a), q, SOURCE), Figure())
    figures = build_hierarchy(cells)
    hidden = suppress(figures, limit, published_zeros=[key for key, fig in figures.items() if not fig.children])

    def shown(key):
        fig = figures.get(key)
        status = hidden.get(key)
        if status:
            return {"value": None, "mark": marker(status, limit)}
        return {"value": fig.children if fig is not None else 0, "mark": None}

    national = {
        q: {a: shown((None, "%s:%s" % (q, a), None, None)) for a in ANSWERS} for q in QUESTIONS
    }
    by_region = {
        r: {q: {a: shown((r, "%s:%s" % (q, a), q, SOURCE)) for a in ANSWERS} for q in QUESTIONS}
        for r in regions
    }
    return {
        "threshold": limit,
        "national": national,
        "by_region": by_region,
        "answers_counted": figures.get((None, None, None, None), Figure()).children,
        "any_hidden": bool(hidden),
        "primary_mark": marker(PRIMARY, limit),
    }
