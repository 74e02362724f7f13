"""Pure SMS parts: replies to "reply with the numbers of your top 3" and to verification questions."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

_NUMBERS = re.compile(r"\d+")
_WORDS = re.compile(r"[^\W\d_]+")


class ReplyError(ValueError):
    """The reply cannot be read; the message (already in the sender's language) says why."""


def parse_top_n(text: str, count: int, max_ranks: int) -> list[int]:
    """ "3 1 5", "3,1,5", "kura 3 1 5" -> [3, 1, 5]: priority numbers, first choice first."""
    numbers = [int(n) for n in _NUMBERS.findall(text)]
    if not numbers:
        raise ReplyError(
            _("Reply with the numbers of your top %(n)d priorities, e.g. 2 5 1.") % {"n": max_ranks}
        )
    if len(numbers) > max_ranks:
        raise ReplyError(_("Please send at most %(n)d numbers.") % {"n": max_ranks})
    bad = [n for n in numbers if not 1 <= n <= count]
    if bad:
        raise ReplyError(
            _("%(bad)d is not on the list: use numbers from 1 to %(count)d.")
            % {"bad": bad[0], "count": count}
        )
    if len(set(numbers)) != len(numbers):
        raise ReplyError(_("Each number only once, please."))
    return numbers


YES = {"1", "yes", "y", "ndiyo", "ndio", "ndyo"}
NO = {"2", "no", "n", "hapana", "la"}
UNSURE = {"3", "unsure", "sijui", "sure"}


def answer_words(text: str) -> set[str]:
    words = [w.lower() for w in [*_NUMBERS.findall(text), *_WORDS.findall(text)]]
    if "not" in words and "sure" in words:
        return {"unsure"}
    return (
        {"yes" for w in words if w in YES}
        | {"no" for w in words if w in NO}
        | {"unsure" for w in words if w in UNSURE}
    )


def parse_verification(text: str) -> str:
    """ "1" / "ndiyo" → yes, "2" / "hapana" → no, "3" / "sijui" / "not sure" → unsure."""
    answers = answer_words(text)
    if len(answers) != 1:
        raise ReplyError(_("Please reply 1 for yes, 2 for no or 3 if you are not sure."))
    return answers.pop()
