"""gunicorn settings for `okenko serve` (the production server).

One gevent process is the embedded default: greenlets carry the websockets of displays, phones and
consoles without a thread each, and measured twice the requests/s of the gthread worker here.
(gevent-websocket must NOT be installed: simple-websocket carries the websocket.) For several
processes set OKENKO_MESSAGE_QUEUE=redis://… and put a sticky-session proxy in front (see
config/nginx.conf.example).
"""
import os

bind = os.environ.get("OKENKO_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("OKENKO_WORKERS", "1"))
worker_class = "gevent"
worker_connections = int(os.environ.get("OKENKO_WORKER_CONNECTIONS", "2000"))
# Websockets and phone pages keep connections open; idle keep-alive is cheap with gevent.
keepalive = 5
timeout = 60
graceful_timeout = 20
accesslog = os.environ.get("OKENKO_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("OKENKO_LOG_LEVEL", "info").lower()
# The control socket is one path per user shared by every master: several instances would clash.
control_socket_disable = True


def post_request(worker, req, environ, resp):
    """Yield to the other greenlets after every request. A keep-alive connection whose client has
    already sent its next request never blocks, so without this one connection can be served again
    and again while others wait for seconds (measured with `ab -k -c16`: issuing p99 2.4 s → ~0.1 s
    at the same rate). Imported here, in the worker, after gevent has patched it."""
    import gevent
    gevent.sleep(0)
