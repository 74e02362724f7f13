from __future__ import annotations

import pytest

from sauti.people.phones import InvalidPhone, mask_phone, normalise_phone


@pytest.mark.parametrize(
    "raw",
    [
        "0712 345 678",
        "0712-345-678",
        "712345678",
        "+254712345678",
        "254712345678",
        "00254712345678",
        "+254 (0)712 345678",
    ],
)
def test_it_normalises_kenyan_mobile_numbers_to_e164(raw: str) -> None:
    assert normalise_phone(raw) == "+254712345678"


def test_it_accepts_the_new_01_prefix_and_foreign_numbers_written_in_full() -> None:
    assert normalise_phone("0110 123 456") == "+254110123456"
    assert normalise_phone("+256 772 123456") == "+256772123456"


@pytest.mark.parametrize("raw", ["", "12", "hello", "0712", "020 2345678", "+254 12 345"])
def test_it_rejects_what_cannot_receive_sms(raw: str) -> None:
    with pytest.raises(InvalidPhone):
        normalise_phone(raw)


def test_masking_keeps_only_the_country_code_and_last_digits() -> None:
    assert mask_phone("+254712345678") == "+254••••••678"
