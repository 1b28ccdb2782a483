"""Okénko: queue and appointment kiosk system for residence offices.

The app factory is the one place where the core meets the feature packages (kiosk, display,
counter, admin): features import the core, the core never imports them, and `create_app` composes both.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from config.settings import Settings, load_settings

from . import accounts, health, home, pairing
from .api import directory, openapi
from .api.errors import register_error_handlers
from .api.guards import install_input_guards
from .extensions import babel, make_socketio
from .headers import install_security_headers
from .i18n import DEFAULT, LANGUAGES, compile_catalogs
from .limits import confine_limit_hooks, init_limits
from .realtime import Relay
from .runtime import Runtime
from .shedding import LoadShedder
from .sweeper import install_sweeper


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings()
    app = Flask(__name__, instance_path=settings.instance_path, instance_relative_config=True)
    install_input_guards(app)
    _configure(app, settings)
    run = Runtime.create(settings)
    run.install(app)
    features = _features()
    _init_extensions(app, settings, features)
    _register_blueprints(app, features)
    confine_limit_hooks(app)
    if settings.max_in_flight:
        app.wsgi_app = shedder = LoadShedder(app.wsgi_app, settings.max_in_flight)
        # A kiosk tap waiting for its batch (models/group_commit.py) is queued, not worked on.
        run.queue.issuing.while_waiting = shedder.set_aside
    install_security_headers(app)
    if settings.proxies:
        n = settings.proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)
    return app


def _configure(app: Flask, settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        BABEL_DEFAULT_LOCALE="cs",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(settings.instance_path) / "translations"),
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
        OKENKO_SETTINGS=settings,
    )
    app.json.sort_keys = False
    app.json.ensure_ascii = False


def _features():
    """The feature packages' parts. Imported here, when an app is built, not when `okenko` is:
    the features import the core, so importing them at the top would be a cycle."""
    import admin.api
    import admin.routes
    import admin.slides
    import counter.appointments
    import counter.api
    import counter.events
    import counter.help
    import counter.reception
    import counter.routes
    import display.api
    import display.events
    import display.routes
    import kiosk.api
    import kiosk.assist
    import kiosk.booking
    import kiosk.booking_api
    import kiosk.events
    import kiosk.practice
    import kiosk.routes
    import stats.api
    import stats.board
    import stats.routes
    return _Features(
        namespaces=(display.events.DisplayNamespace(), kiosk.events.TicketNamespace(),
                    counter.events.CounterNamespace(), stats.board.BoardNamespace()),
        ticket_status=kiosk.events.ticket_status_message,
        blueprints=(kiosk.api.bp, kiosk.booking_api.bp, kiosk.routes.bp, kiosk.booking.bp, counter.api.bp,
                    display.api.bp, display.routes.bp, counter.routes.bp, counter.reception.bp,
                    counter.appointments.bp, admin.api.bp, admin.routes.bp, admin.slides.bp,
                    stats.api.bp, stats.routes.bp, stats.board.bp, stats.board.api,
                    kiosk.assist.bp, kiosk.practice.bp, counter.help.bp),
        installers=(stats.board.install,),
    )


@dataclass(frozen=True)
class _Features:
    namespaces: tuple            # Socket.IO namespaces
    ticket_status: Callable[[str], dict]  # what a phone hears about its ticket
    blueprints: tuple
    installers: tuple = ()       # (app, socketio) -> None: parts that watch the bus, e.g. the board


def _select_locale() -> str:
    """Staff pages and API messages: ?lang=, else the browser's preference. Visitor pages choose
    explicitly with force_locale (the visitor's or the ticket's language)."""
    if request.args.get("lang") in LANGUAGES:
        return request.args["lang"]
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT)


def _init_extensions(app: Flask, settings: Settings, features: _Features) -> None:
    compile_catalogs(Path(settings.instance_path) / "translations")
    babel.init_app(app, locale_selector=_select_locale)
    accounts.init_accounts(app)
    init_limits(app, settings.message_queue, settings.message_queue_channel)
    socketio = make_socketio(app, settings.message_queue, settings.message_queue_channel)
    for namespace in features.namespaces:
        socketio.on_namespace(namespace)
    app.extensions["okenko.relay"] = Relay(app, socketio, features.ticket_status)
    for install in features.installers:
        install(app, socketio)
    install_sweeper(app, settings.appointment_sweep_s)


def _register_blueprints(app: Flask, features: _Features) -> None:
    for blueprint in (health.bp, openapi.bp, directory.bp, accounts.bp, home.bp, pairing.bp, *features.blueprints):
        app.register_blueprint(blueprint)
    register_error_handlers(app)
