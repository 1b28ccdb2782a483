"""An appointment as an iCalendar file (RFC 5545), for the visitor's own calendar."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Alarm, Calendar, Event

from models.appointments import AppointmentView
from models.codes import display_code
from models.org import localized

REMINDER = -timedelta(hours=1)  # time to get to the office


def appointment_ics(view: AppointmentView, url: str, language: str) -> bytes:
    """Same UID for the life of the appointment; SEQUENCE grows with each move or cancellation, so a
    calendar that imported an earlier file replaces it (or, for METHOD:CANCEL, removes it)."""
    cancelled = view.status == "cancelled"
    with force_locale(language):
        service = localized(view.service_names, language)
        branch = localized(view.branch_names, language)
        code = display_code(view.code)
        event = Event()
        event.add("uid", f"{view.code}@okenko")
        event.add("dtstamp", datetime.now(UTC))
        event.add("sequence", view.revision)
        event.add("dtstart", view.start)
        event.add("dtend", view.end)
        event.add("summary", f"{service} – {branch}")
        event.add("location", view.branch_address or branch)
        event.add("description", _("Appointment code: %(code)s. Check in at the kiosk with this code when you "
                                   "arrive. To change or cancel: %(url)s", code=code, url=url))
        event.add("url", url)
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        if not cancelled:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{service} – {code}")
            alarm.add("trigger", REMINDER)
            event.add_component(alarm)
    calendar = Calendar()
    calendar.add("prodid", "-//Okénko//appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    calendar.add_component(event)
    return calendar.to_ical()
