"""What a trust survey says by SMS and on a USSD screen: one statement at a time, answered 1–5. Every text is
GSM-7 in both languages (tests/test_sms_texts.py) and a statement fits one USSD screen."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from sauti.messaging.segments import GSM7_BASIC
from sauti.trust.models import TrustItem

SCREEN = 160


def gsm(text: str) -> str:
    return "".join(ch if ch in GSM7_BASIC and ch not in "\r" else " " for ch in text).strip()


def introduction(n: int) -> str:
    return _(
        "Trust survey: %(n)s short statements. Reply to each with one number: 1 strongly disagree, "
        "5 strongly agree. Anonymous. STOP to stop."
    ) % {"n": n}


def scale() -> str:
    return _("Reply 1 (disagree) to 5 (agree)")


def statement(items: Sequence[TrustItem], index: int, note: str = "") -> str:
    """Statement `index` (from 0) with its number and the scale, cut to one screen."""
    head = f"{index + 1}/{len(items)} "
    tail = "\n" + scale()
    if note:
        head = note + "\n" + head
    text = gsm(items[index].text())
    room = SCREEN - len(head) - len(tail)
    if len(text) > room:
        text = text[: max(room - 2, 0)].rstrip() + ".."
    return head + text + tail


def one_number() -> str:
    return _("Please reply with one number from 1 to 5.")


def thanks() -> str:
    return _("Thank you! Your answers are counted anonymously.")


def none_open() -> str:
    return _("No trust survey is open now.")
