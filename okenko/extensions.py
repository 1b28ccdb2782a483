"""Flask extensions, created unbound and initialised by the app factory."""
from flask_babel import Babel
from flask_socketio import SocketIO

babel = Babel()


def make_socketio(app, message_queue: str, channel: str) -> SocketIO:
    """One Socket.IO server per app (tests build many apps in one process)."""
    return SocketIO(app, async_mode=async_mode(), message_queue=message_queue or None, channel=channel,
                    cors_allowed_origins=[])


def socketio_of(app) -> SocketIO:
    return app.extensions["socketio"]


def async_mode() -> str:
    """gevent under gunicorn's gevent worker (it patched the standard library before loading us),
    threading otherwise (dev server, tests, CLI). Never left to auto-detection: an installed
    eventlet would be picked silently and break websockets."""
    try:
        from gevent import monkey
    except ImportError:
        return "threading"
    return "gevent" if monkey.is_module_patched("socket") else "threading"
