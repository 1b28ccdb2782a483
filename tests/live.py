"""A live server in this process, and real Chromium (Debian's /usr/bin/chromium) driven by Playwright."""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("OKENKO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic",
                 # as a waiting-room display runs: announcements play without a tap
                 "--autoplay-policy=no-user-gesture-required"]


class LiveServer:
    """The app on a threaded werkzeug server (websockets included) in this process."""

    def __init__(self, app, port: int = 0):
        self.app = app
        self._server = make_server("127.0.0.1", port, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def live_server(demo_app):
    """Starts a server for an app built with the given settings: live_server(printer=...)."""
    servers = []

    def start(**settings) -> LiveServer:
        servers.append(LiveServer(demo_app(**settings)))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


_FUNCTION = re.compile(r"\s*(async\b|function\b|\([^)]*\)\s*=>|\w+\s*=>)")  # as Playwright tells them


def _allow_expressions_under_csp(page_class) -> None:
    """Our pages forbid eval (Content-Security-Policy), and Playwright polls a `wait_for_function`
    expression string with eval; an arrow function it compiles through the devtools protocol. So
    expressions become arrow functions, and tests keep writing `page.wait_for_function("a === b")`."""
    original = page_class.wait_for_function

    def wait_for_function(self, expression: str, *args, **kwargs):
        if not _FUNCTION.match(expression):
            expression = f"() => ({expression})"
        return original(self, expression, *args, **kwargs)

    page_class.wait_for_function = wait_for_function


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            raise RuntimeError(f"{CHROMIUM} is missing; tests/system-deps.sh installs it")
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import Page, sync_playwright
    _allow_expressions_under_csp(Page)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def portrait(browser):
    context = browser.new_context(viewport={"width": 1080, "height": 1920}, device_scale_factor=0.5,
                                  has_touch=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def landscape(browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, device_scale_factor=0.5)
    yield context.new_page()
    context.close()


class ServerProcess:
    """`okenko serve` (gunicorn, gevent worker) as a separate process: what production runs."""

    def __init__(self, env: dict[str, str], port: int | None = None):
        import subprocess
        import sys

        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "okenko.cli", "serve", "--port", str(self.port)], env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        wait_for_health(self.url, self.process)

    def stop(self) -> str:
        import signal
        self.process.send_signal(signal.SIGTERM)
        return self.process.communicate(timeout=30)[0]


def free_port() -> int:
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_health(url: str, process, seconds: float = 30) -> None:
    import time

    import requests
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {process.stdout.read()}")
        try:
            if requests.get(f"{url}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or the worker still loading the app
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def server_env(instance: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OKENKO_")}
    return env | {"OKENKO_INSTANCE_PATH": str(instance), "OKENKO_LOG_LEVEL": "warning"} | values
