"""The one rule that turns an office's claim and the community's verdict into a commitment's result (issue 15).

Pure: no database. `verdicts_for(commitments)` (in actions-free queries below) gathers the counts; every page,
the public scorecard, the programme dashboard, the chain, exports, the API and `sauti dialogues scorecard`
call `result_of` and `summary`, so the figures agree everywhere.

The rule (docs/decisions.md, "Issue 15"):

1. The community's verdict is every answer to a verification question (SMS, USSD or web: yes / no / unsure)
   plus every show of hands recorded at a follow-up meeting (yes / no / unsure counts), added up.
2. The verdict *counts* once at least MIN_ANSWERS people answered yes or no. Then the community decides:
   - yes share of yes + no at least KEPT_SHARE (2/3) → **kept**, whatever the office claims;
   - yes share at most NOT_KEPT_SHARE (1/3) → **disputed** if the office claims it done (fulfilled or
     partly fulfilled), otherwise **not_kept** once the due date has passed or the office admits it broken
     or withdrawn, otherwise **in_progress** (the community agrees it is not done yet, and there is time);
   - in between (the community is split) → **disputed**.
3. Without enough answers the office's word is not enough to call a commitment kept:
   a claim of fulfilled / partly fulfilled → **unverified**; broken or withdrawn → **not_kept**;
   agreed / in progress → **in_progress**.
4. The kept percentage is kept ÷ (kept + disputed + not_kept), shown with one decimal as counted
   (62.5, not 62); "counted" is that denominator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

MIN_ANSWERS = 3
KEPT_SHARE = Fraction(2, 3)
NOT_KEPT_SHARE = Fraction(1, 3)

KEPT, DISPUTED, NOT_KEPT, IN_PROGRESS, UNVERIFIED = (
    "kept",
    "disputed",
    "not_kept",
    "in_progress",
    "unverified",
)
RESULTS = (KEPT, DISPUTED, NOT_KEPT, IN_PROGRESS, UNVERIFIED)
DECIDED = (KEPT, DISPUTED, NOT_KEPT)
LABELS = {
    KEPT: _("Kept (the community confirms)"),
    DISPUTED: _("Disputed by the community"),
    NOT_KEPT: _("Not kept"),
    IN_PROGRESS: _("In progress"),
    UNVERIFIED: _("Claimed, not yet verified"),
}
CLAIMS_DONE = ("fulfilled", "partly_fulfilled")
ADMITS_BROKEN = ("broken", "withdrawn")


@dataclass(frozen=True)
class Verdict:
    yes: int = 0
    no: int = 0
    unsure: int = 0

    def __add__(self, other: Verdict) -> Verdict:
        return Verdict(self.yes + other.yes, self.no + other.no, self.unsure + other.unsure)

    @property
    def total(self) -> int:
        return self.yes + self.no + self.unsure

    @property
    def counts(self) -> bool:
        return self.yes + self.no >= MIN_ANSWERS

    def as_dict(self) -> dict[str, int]:
        return {"yes": self.yes, "no": self.no, "unsure": self.unsure}


def result_of(official_status: str, verdict: Verdict, due_on: dt.date, today: dt.date) -> str:
    """The result of one commitment (see the module docstring for the rule)."""
    if verdict.counts:
        share = Fraction(verdict.yes, verdict.yes + verdict.no)
        if share >= KEPT_SHARE:
            return KEPT
        if share > NOT_KEPT_SHARE:
            return DISPUTED
        if official_status in CLAIMS_DONE:
            return DISPUTED
        if official_status in ADMITS_BROKEN or due_on < today:
            return NOT_KEPT
        return IN_PROGRESS
    if official_status in CLAIMS_DONE:
        return UNVERIFIED
    if official_status in ADMITS_BROKEN:
        return NOT_KEPT
    return IN_PROGRESS


def label(result: str) -> str:
    return str(LABELS[result])


@dataclass(frozen=True)
class Summary:
    counts: dict[str, int]
    counted: int
    kept_pct: float | None

    def as_dict(self) -> dict[str, object]:
        return {"kept_pct": self.kept_pct, "counted": self.counted, **self.counts}


def percent(part: int, whole: int) -> float | None:
    """One decimal, as counted: 5 of 8 → 62.5."""
    return round(100 * part / whole, 1) if whole else None


def summary(results: Iterable[str]) -> Summary:
    counts = dict.fromkeys(RESULTS, 0)
    for r in results:
        counts[r] += 1
    counted = sum(counts[r] for r in DECIDED)
    return Summary(counts, counted, percent(counts[KEPT], counted))
