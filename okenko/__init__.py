"""Okénko: queue and appointment kiosk system for residence offices."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, request

from config.settings import Settings, load_settings



def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings()
    app = Flask(__name__, instance_path=settings.instance_path, instance_relative_config=True)
    _configure(app, settings)
    _init_runtime(app, settings)
    _init_extensions(app, settings)
    _register_blueprints(app)
    if settings.proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix
        n = settings.proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)
    return app


def _configure(app: Flask, settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        JSON_SORT_KEYS=False,
        BABEL_DEFAULT_LOCALE="cs",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(settings.instance_path) / "translations"),
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
        OKENKO_SETTINGS=settings,
    )
    app.json.sort_keys = False
    app.json.ensure_ascii = False


def _init_runtime(app: Flask, settings: Settings) -> None:
    from .runtime import Runtime
    Runtime.create(settings).install(app)


def _select_locale() -> str:
    """Staff pages and API messages: ?lang=, else the browser's preference. Visitor pages choose
    explicitly with force_locale (the visitor's or the ticket's language)."""
    from .i18n import DEFAULT, LANGUAGES
    if request.args.get("lang") in LANGUAGES:
        return request.args["lang"]
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT)


def _init_extensions(app: Flask, settings: Settings) -> None:
    from .extensions import babel
    from .i18n import compile_catalogs
    compile_catalogs(Path(settings.instance_path) / "translations")
    babel.init_app(app, locale_selector=_select_locale)
    from .accounts import init_accounts
    from .limits import init_limits
    init_accounts(app)
    init_limits(app, settings.message_queue, settings.message_queue_channel)
    _init_realtime(app, settings)


def _init_realtime(app: Flask, settings: Settings) -> None:
    from counter.events import CounterNamespace
    from display.events import DisplayNamespace
    from kiosk.events import TicketNamespace

    from .extensions import make_socketio
    from .realtime import Relay
    socketio = make_socketio(app, settings.message_queue, settings.message_queue_channel)
    for namespace in (DisplayNamespace(), TicketNamespace(), CounterNamespace()):
        socketio.on_namespace(namespace)
    app.extensions["okenko.relay"] = Relay(app, socketio)
    from .sweeper import install_sweeper
    install_sweeper(app, settings.appointment_sweep_s)


def _register_blueprints(app: Flask) -> None:
    from counter.api import bp as counter_api
    from display.api import bp as display_api
    from display.routes import bp as display_pages
    from kiosk.api import bp as kiosk_api
    from kiosk.booking import bp as booking_pages
    from kiosk.booking_api import bp as booking_api
    from kiosk.routes import bp as kiosk_pages

    from counter.appointments import bp as staff_appointments
    from counter.reception import bp as reception_pages
    from counter.routes import bp as counter_pages

    from . import accounts, health
    from .api import directory, openapi
    from .api.errors import register_error_handlers

    for blueprint in (health.bp, openapi.bp, directory.bp, kiosk_api, booking_api, kiosk_pages, booking_pages, counter_api, display_api,
                      display_pages, accounts.bp, counter_pages, reception_pages, staff_appointments):
        app.register_blueprint(blueprint)
    register_error_handlers(app)
