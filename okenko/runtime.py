"""The per-app runtime: settings, database engine, sessions and the queue engine."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from config.settings import Settings
from models import AppointmentBook, EventBus, QueueEngine
from models.db import make_engine, make_sessions

EXTENSION = "okenko"


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    writer: sessionmaker[Session]
    reader: sessionmaker[Session]
    queue: QueueEngine
    appointments: AppointmentBook

    @classmethod
    def create(cls, settings: Settings) -> "Runtime":
        engine = make_engine(settings.effective_database_url, echo=settings.sql_echo)
        writer, reader = make_sessions(engine)
        queue = QueueEngine(writer, reader, EventBus())
        book = AppointmentBook(queue, timedelta(days=settings.contact_retention_days))
        return cls(settings, engine, writer, reader, queue, book)

    def install(self, app: Flask) -> None:
        app.extensions[EXTENSION] = self


def runtime(app: Flask | None = None) -> Runtime:
    return (app or current_app).extensions[EXTENSION]


def queue() -> QueueEngine:
    return runtime().queue


def appointments() -> AppointmentBook:
    return runtime().appointments
