"""The kiosk: visitors take tickets (JSON API now; the touch page comes with its own issue)."""
