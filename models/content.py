"""Waiting-room displays and the enlightenment slides they rotate."""
from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

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
    # Services shown; empty: all of the branch.
    service_codes: Mapped[list[str]] = mapped_column(JSON, default=list)


class Slide(Base):
    """One piece of enlightenment content; branch_id NULL means every branch."""

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
