"""Intervention topics: the funders' categories a counsellor may record, anonymously, at "finish".

A managed list (administration, config file), not a constant: a topic is retired, never deleted,
so the statistics of past years keep their categories.
"""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base
from .org import localized


class Topic(Base):
    __tablename__ = "topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    # {"cs": "Bydlení", "en": "Housing", …}
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    def name(self, language: str) -> str:
        return localized(self.names, language) or self.code


def active_topics(session: Session) -> list[Topic]:
    return list(session.execute(
        select(Topic).where(Topic.active.is_(True)).order_by(Topic.sort_order, Topic.code)).scalars())
