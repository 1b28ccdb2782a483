"""Outside texts are cut to their column's length before they are looked up or stored."""
from __future__ import annotations

from models import Appointment, Branch, Ticket
from models.fields import APPOINTMENT_REFERENCE, fit


def test_texts_are_cut_to_their_columns_length():
    assert fit("b" * 41, Branch.code) == "b" * 40
    assert fit("t" * 100, Ticket.token) == "t" * 40
    assert fit("c" * 250, Appointment.contact) == "c" * 200
    assert fit("short", Branch.code) == "short"


def test_a_scanned_appointment_link_fits_whole():
    link = "https://okenko.example/a/ACDEFH34"
    assert fit(link, APPOINTMENT_REFERENCE) == link
    assert fit("x" * 150, APPOINTMENT_REFERENCE) == "x" * 100
