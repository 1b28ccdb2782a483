"""Waiting-room displays (the snapshot API now; the page and realtime layer come next)."""
