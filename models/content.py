"""Waiting-room displays and the enlightenment slides they rotate."""
from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from .base import Base


class Display(Base):
    """A waiting-room screen of a branch, with its own announcement settings."""

    __tablename__ = "display"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(60))
    chime: Mapped[bool] = mapped_column(Boolean, default=True)
    speech: Mapped[bool] = mapped_column(Boolean, default=True)
    recent_calls: Mapped[int] = mapped_column(Integer, default=6)
    # Loudness of chime and announcements, 0–100 %.
    volume: Mapped[int] = mapped_column(Integer, default=80, server_default="80")
    # Languages announced; empty: Czech and the ticket's language.
    spoken_languages: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # Services shown; empty: all of the branch.
    service_codes: Mapped[list[str]] = mapped_column(JSON, default=list)


class Slide(Base):
    """One piece of enlightenment content; branch_id NULL means every branch, language "" every
    language. The body is plain text: blank lines separate paragraphs (nothing is rendered as HTML)."""

    __tablename__ = "slide"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    image_url: Mapped[str] = mapped_column(String(500), default="")
    duration_s: Mapped[int] = mapped_column(Integer, default=15)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Shown only on these weekdays ("mon"…; empty: every day) and between these local times
    # ("HH:MM"; empty: all day).
    weekdays: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    time_from: Mapped[str] = mapped_column(String(5), default="", server_default="")
    time_until: Mapped[str] = mapped_column(String(5), default="", server_default="")
    # An uploaded picture (checked PNG, JPEG or WebP), kept in the database so every process serves it.
    image: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    image_type: Mapped[str] = mapped_column(String(30), default="", server_default="")
    image_sha: Mapped[str] = mapped_column(String(64), default="", server_default="")

    branch: Mapped["Branch | None"] = relationship("Branch")  # noqa: F821
