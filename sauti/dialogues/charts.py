"""Figures and page data: the programme dashboard, the tally page, the per-priority chain, the scorecard.

Bars are drawn by monitoring's `_chart_bars.html` (server-side SVG, every figure also in a table).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from sauti.dialogues import results
from sauti.dialogues.models import (
    AttendanceRole,
    Commitment,
    CommitmentStatus,
    ConsensusRound,
    MeetingKind,
    Priority,
    Programme,
    ShowOfHands,
)
from sauti.dialogues.stats import (
    Scored,
    attendance_breakdown,
    commitments_by_status,
    days_to_fulfilment,
    median_days,
    public_commitments,
    score,
)
from sauti.insights.charts import BarChart, bar_chart
from sauti.people.models import Contact, Group

FULFILMENT_BUCKETS = ((30, "≤ 30"), (90, "31–90"), (180, "91–180"), (10_000, "> 180"))


def _months(dates: list[dt.date]) -> list[tuple[str, int]]:
    counts = Counter(d.strftime("%Y-%m") for d in dates)
    return sorted(counts.items())


def dashboard(programme: Programme) -> dict[str, Any]:
    meetings = list(programme.meetings.exclude(status="cancelled").annotate(n=Count("attendances")))
    held = [m for m in meetings if m.status == "held"]
    b = attendance_breakdown(held)
    commitments = list(Commitment.objects.filter(priority__programme=programme))
    scored = score(commitments)
    summary = results.summary(x.result for x in scored)
    sexes, ages, roles = dict(Contact.GENDER_CHOICES), dict(Contact.AGE_BANDS), dict(AttendanceRole.choices)
    kinds = dict(MeetingKind.choices)
    statuses = commitments_by_status(commitments)
    days = days_to_fulfilment(commitments)
    buckets = Counter(next(label for top, label in FULFILMENT_BUCKETS if d <= top) for d in days)
    by_month: dict[str, int] = defaultdict(int)
    for m in held:
        by_month[timezone.localtime(m.starts_at).strftime("%Y-%m")] += m.n
    return {
        "totals": {
            "meetings": len(held),
            "attendances": b.total,
            "priorities": programme.priorities.filter(status=Priority.Status.ACTIVE).count(),
            "commitments": len(commitments),
            "fulfilled": statuses[CommitmentStatus.FULFILLED],
            "kept": summary.counts[results.KEPT],
            "disputed": summary.counts[results.DISPUTED],
            "kept_pct": summary.kept_pct,
            "counted": summary.counted,
            "median_days": median_days(days),
            "peace_actions": sum(1 for m in held if m.kind == MeetingKind.PEACE_ACTION),
        },
        "charts": [
            bar_chart(
                "meetings-month",
                _("Meetings held per month"),
                _months([timezone.localtime(m.starts_at).date() for m in held]),
                value_label=_("Meetings"),
            ),
            bar_chart(
                "attendance-month",
                _("Attendance per month"),
                sorted(by_month.items()),
                value_label=_("People"),
            ),
            bar_chart(
                "meeting-kinds",
                _("Meetings by kind"),
                [(str(kinds[k]), n) for k, n in Counter(m.kind for m in held).most_common()],
                value_label=_("Meetings"),
            ),
            bar_chart(
                "by-sex",
                _("Attendance by sex"),
                [(str(sexes.get(k, _("not recorded"))), n) for k, n in sorted(b.by_sex.items())],
                value_label=_("People"),
            ),
            bar_chart(
                "by-age",
                _("Attendance by age band"),
                [(str(ages.get(k, _("not recorded"))), n) for k, n in sorted(b.by_age.items())],
                value_label=_("People"),
            ),
            bar_chart(
                "by-group",
                _("Attendance by group"),
                [(k or _("no group"), n) for k, n in sorted(b.by_group.items())],
                value_label=_("People"),
            ),
            bar_chart(
                "by-role",
                _("Attendance by role"),
                [(str(roles.get(k, k)), n) for k, n in sorted(b.by_role.items())],
                value_label=_("People"),
            ),
            bar_chart(
                "results",
                _("Commitments by result (the community's verdict counts)"),
                [(results.label(k), n) for k, n in summary.counts.items()],
                value_label=_("Commitments"),
                classes=[f"res-{k}" for k in summary.counts],
            ),
            bar_chart(
                "commitments",
                _("Commitments by the office's own status"),
                [(str(CommitmentStatus(k).label), n) for k, n in statuses.items()],
                value_label=_("Commitments"),
                classes=[f"cm-{k}" for k in statuses],
            ),
            bar_chart(
                "fulfilment",
                _("Days from commitment to fulfilment"),
                [(label, buckets.get(label, 0)) for _top, label in FULFILMENT_BUCKETS],
                value_label=_("Commitments"),
            ),
        ],
    }


@dataclass
class GroupRow:
    group: str
    positions: list[str]  # this group's position for each priority ("1", "2=", "–")
    top: str
    disagrees: bool


def _positions(ranking: list[list[str]]) -> dict[str, str]:
    out, place = {}, 1
    for tier in ranking:
        for pid in tier:
            out[pid] = f"{place}=" if len(tier) > 1 else str(place)
        place += len(tier)
    return out


def tally_view(rnd: ConsensusRound, result: dict[str, Any]) -> dict[str, Any]:
    titles: dict[str, str] = result["priorities"]
    borda, schulze = result["borda"], result["schulze"]
    order = [pid for tier in borda["ranking"] for pid in tier]
    overall = _positions(borda["ranking"])
    names = {str(g.pk): g.name for g in Group.objects.filter(pk__in=[int(k) for k in borda["groups"] if k])}
    rows = []
    for gid, g in borda["groups"].items():
        pos = _positions(g["ranking"])
        top = g["ranking"][0] if g["ranking"] else []
        rows.append(
            GroupRow(
                names.get(gid, _("no group")),
                [pos.get(pid, "–") for pid in order],
                ", ".join(titles[t] for t in top),
                pos.get(order[0]) not in ("1", "1="),
            )
        )
    top_score = max(borda["scores"].values()) or 1
    chart: BarChart = bar_chart(
        "borda",
        _("Borda points"),
        [(titles[pid], round(borda["scores"][pid])) for pid in order],
        value_label=_("Points"),
    )
    # Points as counted: half points from ties stay (62.5, not 62).
    chart.bars = [
        replace(bar, value=borda["scores"][pid], percent=round(100 * borda["scores"][pid] / top_score, 2))
        for bar, pid in zip(chart.bars, order, strict=True)
    ]
    schulze_order = [[titles[p] for p in tier] for tier in schulze["ranking"]]
    return {
        "order": [(overall[pid], titles[pid], borda["scores"][pid]) for pid in order],
        "titles": [titles[pid] for pid in order],
        "chart": chart,
        "groups": rows,
        "schulze": schulze_order,
        "agree": [t for tier in borda["ranking"] for t in tier]
        == [t for tier in schulze["ranking"] for t in tier]
        and len(borda["ranking"]) == len(schulze["ranking"]),
        "condorcet": titles.get(borda["condorcet_winner"] or ""),
        "top": [titles[pid] for pid in borda["ranking"][0]] if borda["ranking"] else [],
        "top_points": borda["scores"][borda["ranking"][0][0]] if borda["ranking"] else 0,
        "ballots": result["ballots"],
        "voters": result["voters"],
    }


@dataclass
class Step:
    key: str
    label: str
    done: bool
    when: dt.date | dt.datetime | None
    items: list[str]
    link: str = ""


def _meeting_date(m: Any) -> dt.datetime | None:
    return m.starts_at if m is not None else None


# Steps that apps above dialogues add to a priority's chain (e.g. budgets: the proposal to the next planning
# cycle and its fate), registered in their AppConfig.ready(); each returns its steps (possibly none).
CHAIN_EXTENSIONS: list[Callable[[Priority], list[Step]]] = []


def chain(priority: Priority) -> list[Step]:
    """evidence → raised → ranked → presented → response → commitment → verification → each round of
    follow-up → result (→ extensions). Steps are dated by the meeting where they happened (not when they
    were typed)."""
    return [*_chain(priority), *(step for extend in CHAIN_EXTENSIONS for step in extend(priority))]


def _chain(priority: Priority) -> list[Step]:
    cases = list(priority.cases.all())
    rounds = list(priority.rounds.filter(state=ConsensusRound.State.FROZEN).select_related("meeting"))
    ranked = []
    for r in rounds:
        pos = _positions(r.result["borda"]["ranking"]) if r.result else {}
        ranked.append(
            _("%(round)s: place %(pos)s") % {"round": r.title, "pos": pos.get(str(priority.pk), "–")}
        )
    invitations = [
        inv for r in rounds for inv in r.invitations.exclude(status="drafted").select_related("office")
    ]
    responses = sorted(
        priority.responses.select_related("office", "meeting").prefetch_related("ratings__group"),
        key=lambda r: (r.meeting.starts_at, r.pk),
    )
    commitments = list(
        priority.commitments.select_related("office", "response__meeting").prefetch_related(
            "surveys__answers"
        )
    )
    scored = score(commitments)
    answers = [a for c in commitments for s in c.surveys.all() for a in s.answers.all()]
    hands = list(
        ShowOfHands.objects.filter(commitment__in=commitments)
        .select_related("meeting")
        .order_by("meeting__starts_at")
    )
    verdict_items = [
        _("%(what)s: %(yes)d yes, %(no)d no, %(unsure)d not sure")
        % {"what": x.commitment.what, **x.verdict.as_dict()}
        for x in scored
        if x.verdict.total
    ]
    results_items = [
        _("%(what)s — %(result)s (the office says: %(claim)s, %(progress)d%%)")
        % {
            "what": x.commitment.what,
            "result": x.result_label,
            "claim": x.commitment.get_status_display(),
            "progress": x.commitment.progress,
        }
        for x in scored
    ]
    verification_dates = [a.received_at for a in answers] + [h.meeting.starts_at for h in hands]
    steps = [
        Step(
            "evidence",
            _("Evidence"),
            bool(cases),
            min((c.created_at for c in cases), default=None),
            [
                f"{c.reference} {c.title}"
                + (f" · {c.people_affected} " + _("people affected") if c.people_affected else "")
                for c in cases
            ],
        ),
        Step(
            "raised",
            _("Raised"),
            True,
            _meeting_date(priority.raised_in) or priority.created_at,
            [_("by %(group)s") % {"group": priority.raised_by.name}] if priority.raised_by else [],
        ),
        Step(
            "ranked",
            _("Ranked"),
            bool(rounds),
            (_meeting_date(rounds[0].meeting) or rounds[0].frozen_at) if rounds else None,
            ranked,
        ),
        Step(
            "presented",
            _("Presented to officials"),
            bool(invitations or responses),
            _meeting_date(responses[0].meeting)
            if responses
            else (invitations[0].sent_at if invitations else None),
            [f"{inv.official_name} — {inv.get_status_display()}" for inv in invitations],
        ),
        Step(
            "response",
            _("Response"),
            bool(responses),
            responses[0].meeting.starts_at if responses else None,
            [
                f"{timezone.localtime(r.meeting.starts_at):%d/%m/%Y} {r.official_name}: “{r.text}”"
                + "".join(f" · {g.group.name} {g.rating}/5" for g in _latest_ratings(r))
                for r in responses
            ],
        ),
        Step(
            "commitment",
            _("Commitment"),
            bool(commitments),
            min(
                (c.response.meeting.starts_at if c.response else c.created_at for c in commitments),
                default=None,
            ),
            [
                f"{c.official_name} ({c.office.name}): {c.what} — " + _("by") + f" {c.due_on:%d/%m/%Y}"
                for c in commitments
            ],
        ),
        Step(
            "verification",
            _("Community verification"),
            bool(verdict_items),
            max(verification_dates, default=None),
            verdict_items,
        ),
    ]
    follow_ups = list(
        priority.follow_ups.select_related("meeting", "owner_group").order_by("created_at", "pk")
    )
    by_meeting: dict[int | None, list[Any]] = defaultdict(list)
    for a in follow_ups:
        by_meeting[a.meeting_id].append(a)
    ordered = sorted(
        by_meeting.values(), key=lambda xs: xs[0].meeting.starts_at if xs[0].meeting else xs[0].created_at
    )
    for n, actions_ in enumerate(ordered, start=1):
        m = actions_[0].meeting
        steps.append(
            Step(
                f"follow-up-{n}",
                _("Follow-up round %(n)d") % {"n": n} + (f" — {m.title}" if m else ""),
                all(not a.is_open for a in actions_),
                m.starts_at if m else actions_[0].created_at,
                [
                    f"{a.what} — {a.owner} · {a.get_state_display()}"
                    + (f" ({a.outcome})" if a.outcome else "")
                    + ("" if not a.is_open else " · " + _("due") + f" {a.due_on:%d/%m/%Y}")
                    for a in actions_
                ],
            )
        )
    steps.append(
        Step(
            "result",
            _("Result"),
            any(x.result in results.DECIDED for x in scored),
            (
                max(verification_dates, default=None)
                or max((c.completed_on for c in commitments if c.completed_on), default=None)
            )
            if any(x.result in results.DECIDED for x in scored)
            else None,
            results_items,
        )
    )
    return steps


def _latest_ratings(response: Any) -> list[Any]:
    latest: dict[int, Any] = {}
    for r in response.ratings.all():
        latest[r.group_id] = r
    return list(latest.values())


@dataclass
class ScoreRow:
    name: str
    office: str
    counts: dict[str, int]
    total: int
    overdue: int
    kept_percent: float | None
    counted: int


def _score_rows(groups: dict[tuple[str, str], list[Scored]], today: dt.date) -> list[ScoreRow]:
    rows = []
    for (name, office), xs in sorted(groups.items()):
        s = results.summary(x.result for x in xs)
        rows.append(
            ScoreRow(
                name,
                office,
                s.counts,
                len(xs),
                sum(1 for x in xs if x.commitment.is_overdue(today)),
                s.kept_pct,
                s.counted,
            )
        )
    return rows


def scorecard(organisation_id: int | None = None) -> dict[str, Any]:
    """The public scorecard: each commitment with the office's claim, the community's verdict and the
    result under the one rule (results.py); the same figures as `sauti dialogues scorecard --json`."""
    today = timezone.localdate()
    scored = score(public_commitments(organisation_id), today)
    by_office: dict[tuple[str, str], list[Scored]] = defaultdict(list)
    by_official: dict[tuple[str, str], list[Scored]] = defaultdict(list)
    for x in scored:
        by_office[(x.commitment.office.name, "")].append(x)
        by_official[(x.commitment.official_name, x.commitment.office.name)].append(x)
    summary = results.summary(x.result for x in scored)
    return {
        "results": [(k, results.label(k)) for k in results.RESULTS],
        "offices": _score_rows(by_office, today),
        "officials": _score_rows(by_official, today),
        "chart": bar_chart(
            "scorecard",
            _("All commitments by result"),
            [(results.label(k), n) for k, n in summary.counts.items()],
            value_label=_("Commitments"),
            classes=[f"res-{k}" for k in summary.counts],
        ),
        "scored": scored,
        "summary": summary,
        "min_answers": results.MIN_ANSWERS,
        "today": today,
    }
