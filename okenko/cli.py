"""The `okenko` command: database, demo data and servers."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from config.settings import SettingsError, load_settings

GUNICORN_CONF = Path(__file__).resolve().parent.parent / "config" / "gunicorn.conf.py"


def _require_current_schema(settings) -> None:
    """Refuse to serve an old schema: every request touching a new column would fail."""
    from models.migrate import current_revision, head_revision
    try:
        current = current_revision(settings.effective_database_url)
    except Exception as exc:  # unreachable database: say so in words
        raise click.ClickException(f"cannot reach the database: {exc}") from exc
    if current != head_revision():
        raise click.ClickException(f"the database schema is at {current or 'nothing'}, this version needs "
                                   f"{head_revision()}: run `okenko db upgrade` first")


def _settings():
    try:
        return load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group(help="Okénko: queue and appointment kiosk system.")
def main() -> None:
    pass


@main.group(help="Database schema.")
def db() -> None:
    pass


@db.command("upgrade", help="Create or migrate the database named by OKENKO_DATABASE_URL.")
def db_upgrade() -> None:
    from models.migrate import upgrade
    settings = _settings()
    upgrade(settings.effective_database_url)
    click.echo(f"database is at the newest schema: {_safe_url(settings.effective_database_url)}")


@main.command("seed-demo", help="Create or refresh the Prague demo data (idempotent).")
def seed_demo_command() -> None:
    _seed(_settings())


def _seed(settings) -> None:
    from models.db import make_engine, make_sessions
    from okenko.demo import seed_demo
    engine = make_engine(settings.effective_database_url)
    writer, _ = make_sessions(engine)
    try:
        with writer() as session, session.begin():
            printed = seed_demo(session, os.environ.get("OKENKO_DEMO_SECRET") or None)
    finally:
        engine.dispose()
    click.echo("demo data is in place: 3 branches, 4 services, counters, staff, devices, slides")
    if printed:
        click.echo("New secrets (shown only now; set OKENKO_DEMO_SECRET to choose one yourself):")
        for what, secret in printed:
            click.echo(f"  {what}: {secret}")


@main.command(help="Production server: gunicorn with config/gunicorn.conf.py.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    _require_current_schema(_settings())  # fail early, in words
    command = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "--bind", f"{host}:{port}",
               "okenko:create_app()"]
    click.echo(f"Okénko serves on http://{host}:{port}/")
    os.execv(sys.executable, command)


@main.command(help="Development server with reloading and debugging.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def run(host: str, port: int) -> None:
    from okenko import create_app
    from okenko.extensions import socketio_of
    _require_current_schema(_settings())
    app = create_app(_settings())
    socketio_of(app).run(app, host=host, port=port, debug=True, allow_unsafe_werkzeug=True)


@main.command(help="Newcomer's start: upgrade the database, seed the demo data, serve.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.pass_context
def demo(ctx: click.Context, host: str, port: int) -> None:
    ctx.invoke(db_upgrade)
    ctx.invoke(seed_demo_command)
    ctx.invoke(serve, host=host, port=port)


@main.group(help="Ticket printers: test print, status, preview.")
def printer() -> None:
    pass


def _address(text: str | None):
    from printers.address import PrinterConfigError, parse_address
    try:
        address = parse_address(text if text is not None else _settings().printer)
    except PrinterConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    if not address.enabled:
        raise click.ClickException("no printer: give --address or set OKENKO_PRINTER")
    return address


def _with_app(job):
    from okenko import create_app
    app = create_app(_settings())
    with app.test_request_context():
        return job(app)


ADDRESS_HELP = "tcp://HOST:PORT, usb://VID:PID, serial:///dev/ttyUSB0 or file:///PATH; default OKENKO_PRINTER"


@printer.command("test", help="Print a sample ticket.")
@click.option("--address", help=ADDRESS_HELP)
@click.option("--language", default="cs", show_default=True)
def printer_test(address: str | None, language: str) -> None:
    from kiosk.printing import sample_ticket
    from printers import render, transport
    target = _address(address)
    data = _with_app(lambda app: render.to_escpos(sample_ticket(language, "https://okenko.example/t/test"),
                                                  profile=target.profile, native_qr=target.native_qr))
    try:
        state = transport.send(target, data, timeout=_settings().print_timeout_s)
    except transport.PrinterError as exc:
        raise click.ClickException(f"not printed: {exc.reason}") from exc
    click.echo(f"printed {len(data)} bytes on {target} (printer: {state.state})")


@printer.command("status", help="Ask a printer how it is (online, offline, paper out…).")
@click.option("--address", help=ADDRESS_HELP)
def printer_status(address: str | None) -> None:
    from printers import transport
    target = _address(address)
    state = transport.status(target)
    click.echo(f"{target}: {state.state}{f' ({state.detail})' if state.detail else ''}")


@printer.command("preview", help="Draw a sample ticket as PNG, as it comes out of the printer.")
@click.option("--language", default="vi", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), required=True)
def printer_preview(language: str, out: str) -> None:
    from kiosk.printing import sample_ticket
    from printers import render
    _with_app(lambda app: render.to_png(sample_ticket(language, "https://okenko.example/t/test")).save(out))
    click.echo(f"wrote {out}")


@main.group(help="Appointments.")
def appointments() -> None:
    pass


@appointments.command("sweep", help="Mark missed appointments as no-shows and erase expired contacts "
                      "(servers do it every minute; this is for cron).")
def appointments_sweep() -> None:
    from okenko.runtime import runtime
    swept = _with_app(lambda app: runtime(app).appointments.sweep())
    click.echo(f"{swept['no_show']} appointment(s) marked no-show, {swept['contacts_erased']} contact(s) erased")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url
    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":  # pragma: no cover
    main()
