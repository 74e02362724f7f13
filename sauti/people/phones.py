"""Phone numbers: parse what people write ("0712 345 678", "254712345678") into E.164."""

from __future__ import annotations

import phonenumbers

from django.utils.translation import gettext as _

_MOBILE = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


class InvalidPhone(ValueError):
    pass


def normalise_phone(raw: str, region: str = "KE") -> str:
    text = raw.strip()
    if not text:
        raise InvalidPhone(_("The phone number is empty."))
    digits = "".join(c for c in text if c.isdigit())
    if text.startswith("00"):
        text = "+" + text[2:]
    elif digits.startswith("254") and len(digits) == 12:
        text = "+" + digits
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidPhone(_("“%(raw)s” is not a phone number.") % {"raw": raw}) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(_("“%(raw)s” is not a valid phone number.") % {"raw": raw})
    if phonenumbers.number_type(number) not in _MOBILE:
        raise InvalidPhone(_("“%(raw)s” is not a mobile number, so it cannot receive SMS.") % {"raw": raw})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str) -> str:
    """Enough to tell two numbers apart on a screen, not enough to call."""
    if len(e164) < 7:
        return "•" * len(e164)
    return e164[:4] + "•" * (len(e164) - 7) + e164[-3:]
