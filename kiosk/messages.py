"""Everything the kiosk page says, sent to the page in every language it offers, so switching
language is instant. Placeholders in {braces} are filled in by the page."""
from __future__ import annotations

from flask_babel import force_locale, lazy_gettext as _l, ngettext

KIOSK_MESSAGES = {
    "choose_language": _l("Choose your language"),
    "choose_service": _l("What do you need help with?"),
    "back": _l("Back"),
    "start_again": _l("Start again"),
    "closed": _l("Closed now. Opens {time}."),
    "closed_today": _l("Closed now."),
    "no_counter": _l("Not available now: nobody is serving it at the moment."),
    "issuing": _l("Printing your ticket…"),
    "your_number": _l("Your number"),
    "take_ticket": _l("Please take your ticket."),
    "screen_only": _l("Please remember your number or take a photo of this screen."),
    "print_again": _l("Print again"),
    "scan_to_follow": _l("Scan the code to follow your turn on your phone."),
    "done": _l("Done"),
    "server_down": _l("We cannot issue a ticket right now. Please try again in a moment or ask at "
                      "the reception."),
    "try_again": _l("Try again"),
    # The server sheds load (503): the kiosk waits and tries again, and says so.
    "server_busy": _l("Many people are taking tickets right now. Please wait a moment, we are trying again…"),
    "still_here": _l("Are you still there?"),
    "more_time": _l("I need more time"),
    "no_services": _l("No service is available right now. Please ask at the reception."),
    "service_refused": _l("This service cannot take more visitors now. Please ask at the reception."),
    # Checking in an appointment.
    "have_appointment": _l("I have an appointment"),
    "appointment_title": _l("Check in your appointment"),
    "appointment_code": _l("Appointment code"),
    "appointment_hint": _l("Type the code from your confirmation, or hold its QR code under the scanner."),
    "delete": _l("Delete the last character"),
    "check_in": _l("Check in"),
    "take_normal_ticket": _l("Take a normal ticket"),
    "refused_not_found": _l("We cannot find this code. Please check it and try again."),
    "refused_wrong_branch": _l("Your appointment is at another office: {branch}."),
    "refused_cancelled": _l("This appointment was cancelled."),
    "refused_already_checked_in": _l("This appointment is already checked in. Your number is {ticket}."),
    "refused_not_today": _l("Your appointment is on {date}. Please come back that day."),
    "refused_too_early": _l("You are early. Check-in opens at {time}."),
    "refused_too_late": _l("The time to check in for this appointment has passed."),
    # Help for those who need it (EN 301 549 §5).
    "assist_tools": _l("Accessibility and help"),
    "read_aloud": _l("Read aloud"),
    "bigger_text": _l("Bigger text"),
    "high_contrast": _l("High contrast"),
    "call_staff": _l("Call staff"),
    "staff_called": _l("A staff member has been called and will come to you. Please wait here."),
    "can_book": _l("You can book an appointment for it."),
    "practice_note": _l("Practice only: nothing is recorded."),
}


# Texts that show a number: the page gets every count's form (CLDR plural rules differ by language).
COUNTS = range(1, 61)


def _plural_messages() -> dict[str, dict[str, str]]:
    return {"returning": {str(count): ngettext("This screen returns to the start in {seconds} second.",
                                               "This screen returns to the start in {seconds} seconds.", count)
                          for count in COUNTS}}


def messages_for(languages: list[str]) -> dict[str, dict]:
    out = {}
    for language in languages:
        with force_locale(language):
            out[language] = {key: str(text) for key, text in KIOSK_MESSAGES.items()} | _plural_messages()
    return out
