"""The `okenko` command: database, demo data and servers."""
from __future__ import annotations

import os
import secrets
import sys
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy.engine import make_url

from config.settings import SettingsError, load_settings
from models import DomainError, StaffAccounts, utcnow
from models.db import make_engine, make_sessions
from models.migrate import current_revision, head_revision, upgrade
from models.office import Actor
from models.statistics import maintain
from printers import render, transport
from printers.address import PrinterConfigError, parse_address

from . import create_app
from .demo import seed_demo
from .extensions import socketio_of
from .history import Plan, fill
from .office_file import dumps, export_office, import_office, loads, validate
from .runtime import runtime

GUNICORN_CONF = Path(__file__).resolve().parent.parent / "config" / "gunicorn.conf.py"


def _require_current_schema(settings) -> None:
    """Refuse to serve an old schema: every request touching a new column would fail."""
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
    settings = _settings()
    upgrade(settings.effective_database_url)
    click.echo(f"database is at the newest schema: {_safe_url(settings.effective_database_url)}")


@main.command("seed-demo", help="Create or refresh the Prague demo data (idempotent).")
@click.option("--history-days", type=click.IntRange(0, 3660), default=0, show_default=True,
              help="Also fill this many past days with realistic activity (statistics to look at).")
def seed_demo_command(history_days: int = 0) -> None:
    settings = _settings()
    _seed(settings)
    if history_days:
        _seed_history(settings, history_days)


def _seed_history(settings, days: int) -> None:
    engine = make_engine(settings.effective_database_url)
    writer, _ = make_sessions(engine)
    try:
        with writer() as session, session.begin():
            written = fill(session, Plan(days=days), utcnow())
        rolled = maintain(writer, utcnow(), settings.event_retention_days, full=True)["days_rolled_up"]
    finally:
        engine.dispose()
    click.echo(f"history: {written} tickets over {days} days; {rolled} day(s) of statistics stored")


def _seed(settings) -> None:
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


@main.group("config", help="The office's configuration (branches, services, counters, topics, slides, staff) as "
                           "a TOML file.")
def config_group() -> None:
    pass


@config_group.command("export", help="Write the configuration as TOML (to standard output, or --output FILE).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None)
def config_export(output: str | None) -> None:
    with _sessions() as (writer, reader):
        with reader() as session:
            text = dumps(export_office(session))
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@config_group.command("import", help="Create or update everything in a configuration file: validated first, all or "
                                     "nothing; importing it again changes nothing.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--check", is_flag=True, help="Only validate the file.")
def config_import(path: str, check: bool) -> None:
    try:
        data = loads(Path(path).read_text(encoding="utf-8"))
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    problems = validate(data)
    if problems:
        raise click.ClickException(f"{path}: {len(problems)} problem(s), nothing imported:\n  " + "\n  ".join(problems))
    if check:
        click.echo(f"{path} is valid")
        return
    with _sessions() as (writer, _reader):
        try:
            with writer() as session, session.begin():
                counts = import_office(session, Actor(None, "okenko config import"), data)
        except DomainError as exc:
            raise click.ClickException(f"nothing imported: {exc.message}") from exc
    click.echo("imported: " + ", ".join(f"{n} {what}" for what, n in counts.items()))


@contextmanager
def _sessions():
    settings = _settings()
    _require_current_schema(settings)
    engine = make_engine(settings.effective_database_url)
    try:
        yield make_sessions(engine)
    finally:
        engine.dispose()


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
    try:
        address = parse_address(text if text is not None else _settings().printer)
    except PrinterConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    if not address.enabled:
        raise click.ClickException("no printer: give --address or set OKENKO_PRINTER")
    return address


def _with_app(job):
    app = create_app(_settings())
    with app.test_request_context():
        return job(app)


def _sample_ticket(app, language: str):
    from okenko.runtime import SAMPLE_TICKET
    return app.extensions[SAMPLE_TICKET](language, "https://okenko.example/t/test")


ADDRESS_HELP = "tcp://HOST:PORT, usb://VID:PID, serial:///dev/ttyUSB0 or file:///PATH; default OKENKO_PRINTER"


@printer.command("test", help="Print a sample ticket.")
@click.option("--address", help=ADDRESS_HELP)
@click.option("--language", default="cs", show_default=True)
def printer_test(address: str | None, language: str) -> None:
    from printers import transport
    target = _address(address)
    data = _with_app(lambda app: render.to_escpos(_sample_ticket(app, language), profile=target.profile,
                                                  native_qr=target.native_qr))
    try:
        state = transport.send(target, data, timeout=_settings().print_timeout_s)
    except transport.PrinterError as exc:
        raise click.ClickException(f"not printed: {exc.reason}") from exc
    click.echo(f"printed {len(data)} bytes on {target} (printer: {state.state})")


@printer.command("status", help="Ask a printer how it is (online, offline, paper out…).")
@click.option("--address", help=ADDRESS_HELP)
def printer_status(address: str | None) -> None:
    target = _address(address)
    state = transport.status(target)
    click.echo(f"{target}: {state.state}{f' ({state.detail})' if state.detail else ''}")


@printer.command("preview", help="Draw a sample ticket as PNG, as it comes out of the printer.")
@click.option("--language", default="vi", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), required=True)
def printer_preview(language: str, out: str) -> None:
    _with_app(lambda app: render.to_png(_sample_ticket(app, language)).save(out))
    click.echo(f"wrote {out}")


@main.group(help="Appointments.")
def appointments() -> None:
    pass


@appointments.command("sweep", help="Mark missed appointments as no-shows and erase expired contacts "
                      "(servers do it every minute; this is for cron).")
def appointments_sweep() -> None:
    swept = _with_app(lambda app: runtime(app).appointments.sweep())
    click.echo(f"{swept['no_show']} appointment(s) marked no-show, {swept['contacts_erased']} contact(s) erased")


@main.group(help="Staff accounts.")
def staff() -> None:
    pass


def _accounts():
    settings = _settings()
    _require_current_schema(settings)
    engine = make_engine(settings.effective_database_url)
    writer, reader = make_sessions(engine)
    return engine, StaffAccounts(writer, reader)


def _new_password(generate: bool) -> tuple[str, bool]:
    """The password from standard input (first line), or a generated one when asked or when none came."""
    typed = "" if generate or sys.stdin.isatty() else sys.stdin.readline().rstrip("\r\n")
    return (typed, False) if typed else (secrets.token_urlsafe(15), True)


def _account_change(job) -> None:
    engine, accounts = _accounts()
    try:
        job(accounts)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        engine.dispose()


ROLES = ["admin", "coordinator", "counsellor", "interpreter", "receptionist"]


@staff.command("create", help="Create a staff account. The password is read from standard input; "
               "without one (or with --generate) a password is generated and printed once.")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--branch", "branches", multiple=True, metavar="CODE",
              help="A branch the person works at (repeat; admins and coordinators work at all).")
@click.option("--languages", default="", help="Languages the person speaks, comma-separated: vi,ru")
@click.option("--name", "display_name", default="", help="Name shown to colleagues.")
@click.option("--generate", is_flag=True, help="Generate the password even if standard input has one.")
def staff_create(username: str, role: str, branches: tuple[str, ...], languages: str, display_name: str,
                 generate: bool) -> None:
    password, generated = _new_password(generate)
    spoken = [code.strip() for code in languages.split(",") if code.strip()]
    _account_change(lambda accounts: accounts.create(username, role, password, display_name=display_name,
                                                     branches=branches, languages=spoken))
    click.echo(f"created {username} ({role})")
    if generated:
        click.echo(f"password (shown only now): {password}")


@staff.command("set-password", help="Set a new password and sign the person out everywhere (every earlier "
               "session and token stops working). Read from standard input, or generated and printed once.")
@click.argument("username")
@click.option("--generate", is_flag=True, help="Generate the password even if standard input has one.")
def staff_set_password(username: str, generate: bool) -> None:
    password, generated = _new_password(generate)
    ended = []
    _account_change(lambda accounts: ended.append(accounts.set_password(accounts.find(username), password)))
    click.echo(f"new password set for {username}; {ended[0]} session(s) ended")
    if generated:
        click.echo(f"password (shown only now): {password}")


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":  # pragma: no cover
    main()
