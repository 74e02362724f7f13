"""An organisation's impact over a reporting period the donor chooses: what it counts and how (issue 18).

Read-only; every figure is computed by the rule of the app that owns the records (people reached:
`dialogues.reach.reach_figures`, listed by `people_reached`; a commitment kept: `dialogues.results` through `dialogues.stats.score`;
trust: `trust.stats`), and `records(...)` lists exactly the rows a figure counts, so a figure links to them.
No identities: people are counted and listed by number, never by name or phone.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, F, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sauti.dialogues import reach, results
from sauti.dialogues import stats as dialogue_stats
from sauti.dialogues.models import (
    Commitment,
    Meeting,
    OutcomeKind,
    Programme,
    ProgrammeOutcome,
    ShowOfHands,
    VerificationAnswer,
)
from sauti.monitoring.models import CaseEvent, Status
from sauti.people.models import Contact, Organisation
from sauti.trust import stats as trust_stats
from sauti.trust.models import TrustAnswer, TrustResponse, TrustSurvey, TrustWave

PEOPLE, SESSIONS, ACTIVITIES = "people", "sessions", "activities"
COMMITMENTS, VERIFIED, CASES = "commitments", "verified", "cases"
WOMEN_LEADERS, GROUPS_FORMED, TRUST = "women_leaders", "groups_formed", "trust"
FIGURES = (PEOPLE, SESSIONS, ACTIVITIES, COMMITMENTS, VERIFIED, CASES, WOMEN_LEADERS, GROUPS_FORMED, TRUST)
MAX_ROWS = 500


def figure_label(key: str) -> str:
    return {
        PEOPLE: _("People reached (unique)"),
        SESSIONS: _("Dialogue sessions held"),
        ACTIVITIES: _("Activities held (peace actions)"),
        COMMITMENTS: _("Commitments won from officials"),
        VERIFIED: _("Commitments the community verified as kept"),
        CASES: _("Cases resolved"),
        WOMEN_LEADERS: _("Women in leadership positions"),
        GROUPS_FORMED: _("Groups formed"),
        TRUST: _("Trust survey answers"),
    }[key]


@dataclass(frozen=True)
class Period:
    since: dt.date
    until: dt.date
    programme_ids: tuple[int, ...] = ()  # empty: every programme of the organisation

    def query(self) -> str:
        params: list[tuple[str, str]] = [("since", self.since.isoformat()), ("until", self.until.isoformat())]
        params += [("programme", str(pk)) for pk in self.programme_ids]
        return urlencode(params)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int
    url: str  # the records it counts


@dataclass(frozen=True)
class TrustLine:
    survey: TrustSurvey
    item: str
    cells: list[tuple[TrustWave, trust_stats.Estimate | None]]


@dataclass
class Report:
    organisation: Organisation
    period: Period
    programmes: list[Programme]
    figures: list[Figure]
    by_sex: dict[str, int]
    by_segment: dict[str, int]
    months: list[dict[str, object]]
    trust: list[TrustLine]
    trust_waves: list[tuple[TrustWave, int]] = field(default_factory=list)

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


@contextmanager
def _no_gc() -> Iterator[None]:
    """Many small per-person objects trigger full collections that walk the heap (see dialogues/reach.py)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def programmes_of(organisation: Organisation, period: Period) -> list[Programme]:
    qs = Programme.objects.filter(organisation=organisation)
    if period.programme_ids:
        qs = qs.filter(pk__in=period.programme_ids)
    return list(qs.order_by("title"))


def records_url(organisation: Organisation, period: Period, key: str) -> str:
    return reverse("impact:impact_records", args=[organisation.slug, key]) + "?" + period.query()


def _meetings(programmes: Sequence[Programme], period: Period) -> QuerySet[Meeting]:
    # Local midnights rather than `starts_at__date`: the same meetings, without SQLite calling a Python
    # function per meeting (~1 s of the report's page at 2,000 meetings on a loaded machine).
    return Meeting.objects.filter(
        programme__in=[p.pk for p in programmes],
        status=Meeting.Status.HELD,
        starts_at__gte=timezone.make_aware(dt.datetime.combine(period.since, dt.time.min)),
        starts_at__lt=timezone.make_aware(
            dt.datetime.combine(period.until + dt.timedelta(days=1), dt.time.min)
        ),
    )


def _sessions_q(kinds: frozenset[str]) -> Q:
    return Q(kind__in=sorted(kinds))


def _commitments(programmes: Sequence[Programme], period: Period) -> QuerySet[Commitment]:
    return Commitment.objects.filter(
        priority__programme__in=[p.pk for p in programmes],
        created_at__date__gte=period.since,
        created_at__date__lte=period.until,
    )


def _verified(programmes: Sequence[Programme], period: Period) -> list[dialogue_stats.Scored]:
    """Commitments the community judged kept (the one rule of dialogues/results.py) with its verdict given in
    the period: an answer to a verification question or a show of hands dated inside it."""
    within = Q(created_at__date__gte=period.since, created_at__date__lte=period.until)
    answered = VerificationAnswer.objects.filter(
        received_at__date__gte=period.since, received_at__date__lte=period.until
    ).values("survey__commitment_id")
    hands = ShowOfHands.objects.filter(within).values("commitment_id")
    candidates = list(
        Commitment.objects.filter(priority__programme__in=[p.pk for p in programmes])
        .filter(Q(pk__in=answered) | Q(pk__in=hands))
        .select_related("office", "priority__programme")
    )
    return [s for s in dialogue_stats.score(candidates) if s.result == results.KEPT]


def _cases(
    organisation: Organisation, programmes: Sequence[Programme], period: Period
) -> QuerySet[CaseEvent]:
    """Cases whose status became resolved in the period (of the chosen programmes' priorities, when chosen)."""
    events = CaseEvent.objects.filter(
        case__organisation=organisation,
        kind=CaseEvent.Kind.STATUS,
        to_status=Status.RESOLVED,
        at__date__gte=period.since,
        at__date__lte=period.until,
    )
    if period.programme_ids:
        events = events.filter(case__priorities__programme__in=[p.pk for p in programmes])
    return events


def _outcomes(programmes: Sequence[Programme], period: Period, kind: str) -> QuerySet[ProgrammeOutcome]:
    return ProgrammeOutcome.objects.filter(
        programme__in=[p.pk for p in programmes],
        kind=kind,
        achieved_on__gte=period.since,
        achieved_on__lte=period.until,
    )


def _waves(programmes: Sequence[Programme], period: Period) -> list[TrustWave]:
    """The waves open during the period: started by its end, and not followed by another wave before its start."""
    waves = list(
        TrustWave.objects.filter(survey__programme__in=[p.pk for p in programmes])
        .select_related("survey")
        .order_by("survey_id", "starts_on", "pk")
    )
    chosen = []
    for i, wave in enumerate(waves):
        following = waves[i + 1] if i + 1 < len(waves) and waves[i + 1].survey_id == wave.survey_id else None
        if wave.starts_on <= period.until and (following is None or following.starts_on > period.since):
            chosen.append(wave)
    return chosen


def _trust(waves: list[TrustWave]) -> tuple[list[TrustLine], list[tuple[TrustWave, int]]]:
    rows = (
        TrustAnswer.objects.filter(response__wave__in=[w.pk for w in waves])
        .values_list("item_id", "response__wave_id")
        .annotate(n=Count("pk"), total=Sum("score"), squares=Sum(F("score") * F("score")))
        .order_by()
    )
    table = trust_stats.grouped((i, w, "", n, t, q) for i, w, n, t, q in rows)
    answers = dict(
        TrustResponse.objects.filter(wave__in=[w.pk for w in waves])
        .values_list("wave_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_survey: dict[int, list[TrustWave]] = defaultdict(list)
    for wave in waves:
        by_survey[wave.survey_id].append(wave)
    lines = []
    for survey in TrustSurvey.objects.filter(pk__in=list(by_survey)).prefetch_related("items"):
        for item in survey.items.all():
            everyone = table.get(item.pk, {}).get("", {})
            lines.append(
                TrustLine(survey, item.text(), [(w, everyone.get(w.pk)) for w in by_survey[survey.pk]])
            )
    return lines, [(w, answers.get(w.pk, 0)) for w in waves]


def build(organisation: Organisation, period: Period) -> Report:
    programmes = programmes_of(organisation, period)
    reached = reach.reach_figures(_meetings(programmes, period), organisation.pk, [p.pk for p in programmes])
    months: dict[str, Counter[str]] = defaultdict(Counter)
    for month, n in reached.first_seen.items():
        months[month][PEOPLE] += n
    for (kind, month), n in reached.meetings.items():
        if kind in reach.SESSION_KINDS:
            months[month][SESSIONS] += n
        elif kind in reach.ACTIVITY_KINDS:
            months[month][ACTIVITIES] += n
    waves = _waves(programmes, period)
    trust_lines, trust_waves = _trust(waves)
    values = {
        PEOPLE: reached.people,
        SESSIONS: sum(m[SESSIONS] for m in months.values()),
        ACTIVITIES: sum(m[ACTIVITIES] for m in months.values()),
        COMMITMENTS: _commitments(programmes, period).count(),
        VERIFIED: len(_verified(programmes, period)),
        CASES: _cases(organisation, programmes, period).values("case_id").distinct().count(),
        WOMEN_LEADERS: _outcomes(programmes, period, OutcomeKind.WOMEN_LEADERS).aggregate(n=Sum("count"))["n"]
        or 0,
        GROUPS_FORMED: _outcomes(programmes, period, OutcomeKind.GROUP_FORMED).aggregate(n=Sum("count"))["n"]
        or 0,
        TRUST: sum(n for _w, n in trust_waves),
    }
    return Report(
        organisation=organisation,
        period=period,
        programmes=programmes,
        figures=[
            Figure(key, figure_label(key), values[key], records_url(organisation, period, key))
            for key in FIGURES
        ],
        by_sex=dict(sorted(reached.by_sex.items())),
        by_segment=dict(sorted(reached.by_segment.items(), key=lambda kv: (-kv[1], kv[0]))),
        months=[
            {"month": m, **{k: months[m][k] for k in (PEOPLE, SESSIONS, ACTIVITIES)}} for m in sorted(months)
        ],
        trust=trust_lines,
        trust_waves=trust_waves,
    )


# --- The records behind each figure ----------------------------------------------------------------


@dataclass
class Records:
    columns: list[str]
    rows: list[list[tuple[str, str]]]  # (text, link or "")
    total: int


def _sex_label(code: str) -> str:
    return str(dict(Contact.GENDER_CHOICES).get(code, _("not recorded")))


def _band_label(code: str) -> str:
    return str(dict(Contact.AGE_BANDS).get(code, _("not recorded")))


def records(organisation: Organisation, period: Period, key: str) -> Records:
    """The rows `key` counts (at most MAX_ROWS shown; `total` is the figure)."""
    programmes = programmes_of(organisation, period)
    if key == PEOPLE:
        with _no_gc():
            people = reach.people_reached(
                _meetings(programmes, period), organisation.pk, [p.pk for p in programmes]
            )
        who = {"p": _("Participant"), "c": _("Group member"), "w": _("Walk-in")}
        return Records(
            [_("Person (number, never a name)"), _("Sex"), _("Age band"), _("Segments"), _("First seen")],
            [
                [
                    (f"{who[k[0]]} #{k[1:]}", ""),
                    (_sex_label(p.sex), ""),
                    (_band_label(p.age_band), ""),
                    (", ".join(sorted(p.segments)), ""),
                    (p.first_seen.isoformat() if p.first_seen else "", ""),
                ]
                for k, p in sorted(people.items())[:MAX_ROWS]
            ],
            len(people),
        )
    if key in (SESSIONS, ACTIVITIES):
        kinds = reach.SESSION_KINDS if key == SESSIONS else reach.ACTIVITY_KINDS
        meetings = _meetings(programmes, period).filter(_sessions_q(kinds)).select_related("programme")
        return Records(
            [_("Meeting"), _("Kind"), _("Date"), _("Programme"), _("Attendances")],
            [
                [
                    (m.title, reverse("dialogues:meeting", args=[m.pk])),
                    (m.get_kind_display(), ""),
                    (m.starts_at.date().isoformat(), ""),
                    (m.programme.title, ""),
                    (str(m.n), ""),
                ]
                for m in meetings.annotate(n=Count("attendances")).order_by("starts_at", "pk")[:MAX_ROWS]
            ],
            meetings.count(),
        )
    if key in (COMMITMENTS, VERIFIED):
        if key == COMMITMENTS:
            commitments = list(
                _commitments(programmes, period).select_related("office", "priority__programme")[:MAX_ROWS]
            )
            scored = dialogue_stats.score(commitments)
            total = _commitments(programmes, period).count()
        else:
            scored = _verified(programmes, period)
            total = len(scored)
        return Records(
            [_("Commitment"), _("Office"), _("By when"), _("Result"), _("Verdict (yes / no / not sure)")],
            [
                [
                    (s.commitment.what[:120], reverse("dialogues:commitment", args=[s.commitment.pk])),
                    (s.commitment.office.name, ""),
                    (s.commitment.due_on.isoformat(), ""),
                    (s.result_label, ""),
                    (f"{s.verdict.yes} / {s.verdict.no} / {s.verdict.unsure}", ""),
                ]
                for s in scored[:MAX_ROWS]
            ],
            total,
        )
    if key == CASES:
        seen: dict[int, tuple[str, dt.date]] = {}
        swahili = (get_language() or "en").startswith("sw")
        for case_id, name_en, name_sw, at in _cases(organisation, programmes, period).values_list(
            "case_id", "case__category__name_en", "case__category__name_sw", "at"
        ):
            seen[case_id] = ((name_sw if swahili and name_sw else name_en) or "", at.date())
        return Records(
            [_("Case"), _("Category"), _("Resolved on")],
            [
                [(f"#{pk}", reverse("case_detail", args=[pk])), (cat, ""), (on.isoformat(), "")]
                for pk, (cat, on) in sorted(seen.items())[:MAX_ROWS]
            ],
            len(seen),
        )
    if key in (WOMEN_LEADERS, GROUPS_FORMED):
        kind = OutcomeKind.WOMEN_LEADERS if key == WOMEN_LEADERS else OutcomeKind.GROUP_FORMED
        outcomes = (
            _outcomes(programmes, period, kind).select_related("programme").order_by("achieved_on", "pk")
        )
        return Records(
            [_("When"), _("Programme"), _("How many"), _("What")],
            [
                [
                    (o.achieved_on.isoformat(), ""),
                    (o.programme.title, reverse("dialogues:reach", args=[o.programme_id]) + "#outcomes"),
                    (str(o.count), ""),
                    (o.description, ""),
                ]
                for o in outcomes[:MAX_ROWS]
            ],
            outcomes.aggregate(n=Sum("count"))["n"] or 0,
        )
    if key == TRUST:
        _lines, waves = _trust(_waves(programmes, period))
        return Records(
            [_("Survey"), _("Wave"), _("Starts"), _("Answers")],
            [
                [
                    (w.survey.title, reverse("trust:survey", args=[w.survey_id])),
                    (w.label, ""),
                    (w.starts_on.isoformat(), ""),
                    (str(n), ""),
                ]
                for w, n in waves
            ],
            sum(n for _w, n in waves),
        )
    raise KeyError(key)
