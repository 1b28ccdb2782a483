"""Passwords: an unknown account never signs in, whatever password is typed."""
from __future__ import annotations

from models.security import hash_password, verify_password


def test_a_right_password_verifies_and_a_wrong_one_does_not():
    stored = hash_password("correct horse")
    assert verify_password(stored, "correct horse") is True
    assert verify_password(stored, "wrong horse") is False


def test_no_account_means_no_password_is_right_not_even_the_timing_dummys():
    # An unknown username is checked against a dummy hash (same timing); its password must not work.
    assert verify_password(None, "not-a-real-password") is False
    assert verify_password("not a hash", "anything") is False
