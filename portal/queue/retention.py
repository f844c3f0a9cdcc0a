"""Retention: closed appeals and declined offers are deleted once their period has passed.

An appeal counts from its last activity (the day it arrived or its latest message), an offer from
its last change. The periods are settings (``RETENTION_CLOSED_APPEAL_DAYS``,
``RETENTION_DECLINED_OFFER_DAYS``) and the privacy page states them. ``flask retention purge`` only
counts unless given ``--apply``; the audit log keeps the counts, never what was deleted.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app

from .. import clock
from ..appeals.models import Appeal, AppealMessage
from ..audit import record
from ..extensions import db
from ..offers.models import Offer
from .services import today


def periods() -> tuple[int, int]:
    config = current_app.config
    return int(config["RETENTION_CLOSED_APPEAL_DAYS"]), int(config["RETENTION_DECLINED_OFFER_DAYS"])


def _expired_appeals(cutoff: dt.date):
    last_message = (sa.select(AppealMessage.appeal_id, sa.func.max(AppealMessage.created_on).label("last_on"))
                    .group_by(AppealMessage.appeal_id).subquery())
    return (sa.select(Appeal.id).outerjoin(last_message, last_message.c.appeal_id == Appeal.id)
            .where(Appeal.status == "closed", Appeal.created_on < cutoff,
                   sa.or_(last_message.c.last_on.is_(None), last_message.c.last_on < cutoff)))


def _expired_offers(cutoff: dt.datetime):
    return sa.select(Offer.id).where(Offer.status == "declined", Offer.updated_at < cutoff)


def purge(apply: bool = False) -> dict[str, int]:
    """Count (and with ``apply`` delete) what is past its period; audited with counts only."""
    appeal_days, offer_days = periods()
    appeal_ids = list(db.session.scalars(_expired_appeals(today() - dt.timedelta(days=appeal_days))))
    offer_ids = list(db.session.scalars(_expired_offers(clock.now() - dt.timedelta(days=offer_days))))
    if apply:
        for start in range(0, len(appeal_ids), 500):
            chunk = appeal_ids[start:start + 500]
            db.session.execute(sa.delete(AppealMessage).where(AppealMessage.appeal_id.in_(chunk)))
            db.session.execute(sa.delete(Appeal).where(Appeal.id.in_(chunk)))
        for start in range(0, len(offer_ids), 500):
            for offer in db.session.scalars(sa.select(Offer).where(Offer.id.in_(offer_ids[start:start + 500]))):
                db.session.delete(offer)  # its kinds, regions and deliveries go with it (ORM cascades)
    record("retention_purge" if apply else "retention_dry_run", object_type="retention", actor="cli",
           changes={"appeals": len(appeal_ids), "offers": len(offer_ids),
                    "appeal_days": appeal_days, "offer_days": offer_days})
    db.session.commit()
    return {"appeals": len(appeal_ids), "offers": len(offer_ids)}
