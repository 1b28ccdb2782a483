"""The per-app runtime: settings, database engine, sessions and the queue engine."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from config.settings import Settings
from models import AppointmentBook, EventBus, InterpreterDesk, PrintLog, QueueEngine, StaffAccounts
from models.help import HelpDesk
from models.db import make_engine, make_sessions
from models.slot_cache import LocalGenerations, RedisGenerations, SlotCache

EXTENSION = "okenko"
# app.extensions key of the kiosk's sample ticket, (language, status link) -> printers.render.TicketPrint:
# `okenko printer test|preview` prints it without the core importing the kiosk package.
SAMPLE_TICKET = "okenko.sample_ticket"


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    writer: sessionmaker[Session]
    reader: sessionmaker[Session]
    queue: QueueEngine
    appointments: AppointmentBook
    accounts: StaffAccounts
    interpreters: InterpreterDesk
    printing: PrintLog
    help: HelpDesk
    # Devices whose liveness this process wrote, and when (time.monotonic): see okenko.devices.mark_seen.
    seen_written: dict[int, float] = field(default_factory=dict)

    @classmethod
    def create(cls, settings: Settings) -> "Runtime":
        engine = make_engine(settings.effective_database_url, echo=settings.sql_echo)
        writer, reader = make_sessions(engine)
        queue = QueueEngine(writer, reader, EventBus())
        book = AppointmentBook(queue, timedelta(days=settings.contact_retention_days), _slot_cache(settings))
        accounts = StaffAccounts(writer, reader, session_max_age=timedelta(seconds=settings.staff_token_max_age_s),
                                 clock=lambda: queue.clock())
        return cls(settings, engine, writer, reader, queue, book, accounts, InterpreterDesk(queue), PrintLog(queue),
                   HelpDesk(queue))

    def install(self, app: Flask) -> None:
        app.extensions[EXTENSION] = self


def _slot_cache(settings: Settings) -> SlotCache:
    """Several processes share a Redis: a booking on one must invalidate the others' cached slots."""
    if settings.message_queue.startswith(("redis://", "rediss://")):
        return SlotCache(RedisGenerations(settings.message_queue, settings.message_queue_channel))
    return SlotCache(LocalGenerations())


def runtime(app: Flask | None = None) -> Runtime:
    return (app or current_app).extensions[EXTENSION]


def queue() -> QueueEngine:
    return runtime().queue


def appointments() -> AppointmentBook:
    return runtime().appointments


def accounts() -> StaffAccounts:
    return runtime().accounts


def interpreters() -> InterpreterDesk:
    return runtime().interpreters


def print_log() -> PrintLog:
    return runtime().printing


def help_desk() -> HelpDesk:
    return runtime().help
