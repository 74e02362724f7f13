"""People reached counted in the database (`reach.reach_figures`, issue 18 at scale) equals a straightforward count
over every attendance, and `people_reached`, on a varied organisation: people in several segments, merged people
(a chain, a merged record that still has attendances, a root that never attended itself), group members with
and without the phone of a participant, walk-ins, people whose sex or age band changed since they signed in,
meetings with and without segment and ward, and periods that cut through months."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import pytest

from sauti.core import crypto
from sauti.dialogues import reach
from sauti.dialogues.models import Attendance, Meeting, Participant, Programme
from sauti.impact import report
from sauti.people.models import Contact
from sauti.places.models import Ward
from tests.dialogues.conftest import Dialogue

UTC = dt.UTC


@dataclass
class _P:
    sex: str = ""
    band: str = ""
    first: dt.datetime | None = None
    segments: set[str] = field(default_factory=set)
    wards: set[str] = field(default_factory=set)
    fill: list[tuple[int, str, str]] = field(default_factory=list)  # contacts: (id, gender, band)


def straightforward(meetings: Iterable[Meeting], org_id: int, programme_ids: list[int]) -> reach.ReachFigures:
    """The rule written out one attendance at a time (module docstring of sauti/dialogues/reach.py)."""
    meetings = list(meetings)

    def root(p: Participant) -> Participant:
        while p.merged_into_id is not None:
            p = Participant.objects.get(pk=p.merged_into_id)
        return p

    own: dict[int, set[str]] = {}
    for member in Participant.objects.filter(organisation_id=org_id):
        keys = set(member.segments.filter(programme_id__in=programme_ids).values_list("key", flat=True))
        own.setdefault(root(member).pk, set()).update(keys)
    atts = sorted(Attendance.objects.filter(meeting__in=meetings), key=lambda a: a.pk)
    roots = {a.pk: root(a.participant) for a in atts if a.participant}
    by_phone = {r.phone_hash: r for r in roots.values() if r.phone_hash}
    people: dict[tuple[str, int], _P] = {}
    out = reach.ReachFigures()
    for a in atts:
        m = a.meeting
        out.roles[a.role] += 1
        if a.participant is not None:
            r = roots[a.pk]
            key, base = ("p", r.pk), (r.sex, r.age_band)
        elif a.contact is not None:
            c = a.contact
            r2 = by_phone.get(c.phone_hash) if c.phone_hash else None
            key = ("p", r2.pk) if r2 else ("c", c.pk)
            base = (r2.sex, r2.age_band) if r2 else (c.gender, c.age_band)
        else:
            key, base = ("w", a.pk), (a.sex, a.age_band)
        p = people.setdefault(key, _P(sex=base[0], band=base[1]))
        if a.contact is not None and a.participant is None:
            p.fill.append((a.contact.pk, a.contact.gender, a.contact.age_band))
        p.first = m.starts_at if p.first is None else min(p.first, m.starts_at)
        if m.ward is not None:
            p.wards.add(m.ward.name)
        if m.segment not in ("", "mixed", "cross_learning") and not (key[0] == "p" and own.get(key[1])):
            p.segments.add(m.segment)
    officials = {a.meeting_id for a in atts if a.role in ("police", "official")}
    out.meetings_with_officials = len(officials)
    for m in meetings:
        out.meetings[(m.kind, m.starts_at.astimezone(UTC).strftime("%Y-%m"))] += 1
    for (kind, pk), p in people.items():
        for _cid, gender, band in sorted(p.fill):
            p.sex = p.sex or gender
            p.band = p.band or band
        segments = (own.get(pk, set()) | p.segments) if kind == "p" else p.segments
        out.people += 1
        out.identified += kind != "w"
        out.by_sex[p.sex] += 1
        out.by_age_band[p.band] += 1
        for s in segments or {""}:
            out.by_segment[s] += 1
        for w in p.wards:
            out.by_ward[w] += 1
        assert p.first is not None
        out.first_seen[p.first.astimezone(UTC).strftime("%Y-%m")] += 1
    return out


def from_people_reached(people: dict[str, reach._Person]) -> dict[str, Counter[str]]:
    return {
        "by_sex": Counter(p.sex for p in people.values()),
        "by_age_band": Counter(p.age_band for p in people.values()),
        "by_segment": Counter(s for p in people.values() for s in (p.segments or {""})),
        "by_ward": Counter(w for p in people.values() for w in p.wards),
        "first_seen": Counter(p.first_seen.strftime("%Y-%m") for p in people.values() if p.first_seen),
    }


def _at(day: str, hh: int = 10, mm: int = 0) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hh, minute=mm, tzinfo=UTC)


def _person(org_id: int, n: int, sex: str = "", band: str = "", phone: bool = True) -> Participant:
    p = Participant(organisation_id=org_id, sex=sex, age_band=band)
    p.phone_hash = crypto.lookup_hash(f"+2547100{n:05d}") if phone else ""
    p.name_hash = crypto.lookup_hash(f"person {n}")
    p.save()
    return p


@pytest.fixture
def varied(dia: Dialogue) -> tuple[Programme, Programme]:
    w = dia.world
    org = w.umoja.pk
    first = dia.programme
    second = Programme.objects.create(
        organisation=w.umoja, title="Second", starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2026, 1, 1)
    )
    seg1 = {s.key: s for s in reach.ensure_default_segments(first)}
    seg2 = {s.key: s for s in reach.ensure_default_segments(second)}
    wards = list(Ward.objects.order_by("code")[:2])

    def meeting(
        prog: Programme,
        starts: dt.datetime,
        kind: str = "community_police",
        status: str = "held",
        **extra: object,
    ) -> Meeting:
        return Meeting.objects.create(
            programme=prog, kind=kind, title=f"M {starts}", starts_at=starts, ends_at=starts + dt.timedelta(hours=2),
            status=status, **extra,
        )  # fmt: skip

    # 22:30 UTC on 31 March is 1 April in Nairobi: a local-date period and a UTC month disagree there.
    m1 = meeting(first, _at("2025-03-31", 22, 30), segment="youth", ward=wards[0])
    m2 = meeting(first, _at("2025-04-15"), kind="peace_action", ward=wards[1])
    m3 = meeting(first, _at("2025-05-02"))
    m4 = meeting(first, _at("2025-05-20"), segment="women")
    m5 = meeting(second, _at("2025-04-10"), segment="elders", ward=wards[0])
    planned = meeting(first, _at("2025-04-20"), status="planned")
    people = [
        _person(org, 0, "f", "18_24"),
        _person(org, 1, "m", "25_35"),
        _person(org, 2, "", "", phone=True),  # blanks filled from a group member with the same phone
        _person(org, 3, "f", "36_59", phone=False),
        _person(org, 4, "m", "60_plus"),  # merged into 5, which is merged into 6: a chain
        _person(org, 5, "", "u18", phone=False),
        _person(org, 6, "f", "", phone=False),  # the root: never signed in itself
        _person(org, 7, "x", "18_24"),
    ]
    p0, p1, p2, p3, p4, p5, p6, p7 = people
    Participant.objects.filter(pk=p4.pk).update(merged_into=p5, phone_hash="")
    Participant.objects.filter(pk=p5.pk).update(merged_into=p6)
    p0.segments.set([seg1["youth"], seg1["women"], seg2["business"]])  # several segments in two programmes
    p4.segments.set([seg1["police"]])  # a merged record's segment counts for its root
    p3.segments.set([seg2["men"]])  # a segment of the other programme only
    # Signed in with one sex / age band, corrected since: the person's current record counts.
    # A group member with p2's phone is p2; one with another phone and one without are people of their own.
    contact_same = Contact.objects.create(
        organisation=w.umoja, gender="m", age_band="25_35", phone_hash=p2.phone_hash
    )
    contact_other = Contact.objects.create(
        organisation=w.umoja, gender="f", age_band="", phone_hash=crypto.lookup_hash("+254799999999")
    )
    contact_nophone = Contact.objects.create(organisation=w.umoja, gender="", age_band="60_plus")
    rows = [
        (m1, p0, None, "f", "18_24", "member"),
        (m2, p0, None, "f", "18_24", "leader"),
        (m5, p0, None, "m", "25_35", "member"),
        (m1, p1, None, "f", "u18", "police"),
        (m3, p1, None, "m", "25_35", "member"),
        (m2, p2, None, "", "", "member"),
        (m4, p3, None, "f", "36_59", "official"),
        (m5, p3, None, "f", "36_59", "member"),
        (m3, p4, None, "m", "60_plus", "member"),
        (m4, p5, None, "", "u18", "member"),
        (m5, p7, None, "x", "18_24", "member"),
        (planned, p7, None, "x", "18_24", "member"),
        (m1, None, contact_same, "", "", "member"),
        (m4, None, contact_same, "", "", "member"),
        (m3, None, contact_other, "", "", "member"),
        (m1, None, contact_nophone, "", "", "member"),
        (m5, None, contact_nophone, "", "", "member"),
        (m1, None, None, "f", "18_24", "member"),
        (m2, None, None, "m", "", "police"),
        (m3, None, None, "", "36_59", "guest"),
        (m4, None, None, "f", "25_35", "member"),
    ]
    Attendance.objects.bulk_create(
        Attendance(meeting=m, participant=p, contact=c, sex=sex, age_band=band, role=role)
        for m, p, c, sex, band, role in rows
    )
    Participant.objects.filter(pk=p1.pk).update(sex="f", age_band="u18")  # changed after signing in
    return first, second


PERIODS = [
    (None, None),
    (dt.date(2025, 4, 1), None),  # keeps the meeting of 22:30 UTC on 31 March (1 April in Nairobi)
    (dt.date(2025, 3, 1), dt.date(2025, 3, 31)),  # and this one does not
    (dt.date(2025, 4, 2), dt.date(2025, 5, 10)),
    (dt.date(2025, 4, 12), dt.date(2025, 4, 16)),
    (dt.date(2025, 5, 21), None),  # nobody
]


@pytest.mark.parametrize(("since", "until"), PERIODS)
def test_counted_in_the_database_equals_the_straightforward_count(
    varied: tuple[Programme, Programme], since: dt.date | None, until: dt.date | None
) -> None:
    first, second = varied
    for programmes in ([first], [first, second], [second]):
        meetings = Meeting.objects.filter(programme__in=programmes, status="held")
        if since:
            meetings = meetings.filter(starts_at__date__gte=since)
        if until:
            meetings = meetings.filter(starts_at__date__lte=until)
        ids = [p.pk for p in programmes]
        fast = reach.reach_figures(meetings, first.organisation_id, ids)
        slow = straightforward(meetings, first.organisation_id, ids)
        assert fast == slow, (programmes, since, until)
        people = reach.people_reached(meetings, first.organisation_id, ids)
        assert fast.people == len(people)
        assert fast.identified == sum(1 for k in people if not k.startswith("w"))
        for name, counts in from_people_reached(people).items():
            assert +getattr(fast, name) == +counts, name


def test_the_dataset_exercises_every_rule(varied: tuple[Programme, Programme]) -> None:
    first, second = varied
    meetings = Meeting.objects.filter(programme__in=[first, second], status="held")
    f = reach.reach_figures(meetings, first.organisation_id, [first.pk, second.pk])
    # p0, p1, p2 (+ its group member), p3, p6 (root of 4 and 5), p7; two other members; four walk-ins.
    assert (f.people, f.identified) == (12, 8)
    assert f.by_sex == Counter({"f": 7, "m": 2, "x": 1, "": 2})
    assert f.by_segment["police"] == 1 and f.by_segment["business"] == 1 and f.by_segment["men"] == 1
    assert f.first_seen["2025-03"] == 5  # the 22:30 UTC meeting of 31 March: p0, p1, p2, a member, a walk-in
    assert f.roles == Counter({"member": 15, "police": 2, "official": 1, "leader": 1, "guest": 1})
    assert f.meetings_with_officials == 3


@pytest.mark.parametrize(("since", "until"), PERIODS[:3])
def test_the_indicators_and_the_report_agree_with_the_records(
    varied: tuple[Programme, Programme], since: dt.date | None, until: dt.date | None
) -> None:
    first, _second = varied
    period = report.Period(since or dt.date(2024, 1, 1), until or dt.date(2026, 1, 1))
    built = report.build(first.organisation, period)
    listed = report.records(first.organisation, period, report.PEOPLE)
    assert built.figure(report.PEOPLE).value == listed.total
    assert sum(built.by_sex.values()) == listed.total
    # The report's period is local days (22:30 UTC on 31 March is 1 April in Nairobi).
    dated = Meeting.objects.filter(
        programme__organisation=first.organisation,
        status="held",
        starts_at__date__gte=period.since,
        starts_at__date__lte=period.until,
    )
    held = built.figure(report.SESSIONS).value + built.figure(report.ACTIVITIES).value
    assert held == dated.count()
    result = reach.indicators(first, since=since, until=until)
    meetings = Meeting.objects.filter(programme=first, status="held")
    if since:
        meetings = meetings.filter(starts_at__date__gte=since)
    if until:
        meetings = meetings.filter(starts_at__date__lte=until)
    people = reach.people_reached(meetings, first.organisation_id, [first.pk])
    expected = from_people_reached(people)
    assert result["unique_people"] == len(people)
    assert result["by_sex"] == dict(sorted((k or "unknown", n) for k, n in expected["by_sex"].items()))
    assert result["by_segment"] == dict(
        sorted((k or "unknown", n) for k, n in expected["by_segment"].items())
    )
    assert result["by_ward"] == dict(sorted(expected["by_ward"].items()))
    assert (result["progress"][-1]["people"] if result["progress"] else 0) == len(people)


def test_a_persons_own_segment_is_never_replaced_by_the_sessions(varied: tuple[Programme, Programme]) -> None:
    """A man recorded in "men" who comes to a women's session on a group list is still counted in "men" only,
    and a cross-learning or mixed session names a kind of session, not a group of people."""
    first, second = varied
    org = first.organisation_id
    men = first.segments.get(key="men")
    p8 = _person(org, 8, "m", "25_35")
    p8.segments.set([men])
    p9 = _person(org, 9, "f", "18_24")  # no segment of her own
    member = Contact.objects.create(
        organisation_id=org, gender="m", age_band="25_35", phone_hash=p8.phone_hash
    )
    women = Meeting.objects.get(programme=first, segment="women")
    cross = Meeting.objects.create(
        programme=first, kind="community_police", title="Cross", status="held", segment="cross_learning",
        starts_at=_at("2025-05-25"), ends_at=_at("2025-05-25", 12),
    )  # fmt: skip
    mixed = Meeting.objects.create(
        programme=first, kind="community_police", title="Mixed", status="held", segment="mixed",
        starts_at=_at("2025-05-26"), ends_at=_at("2025-05-26", 12),
    )  # fmt: skip
    Attendance.objects.bulk_create(
        [
            Attendance(
                meeting=Meeting.objects.get(programme=first, starts_at=_at("2025-05-02")), participant=p8
            ),
            Attendance(meeting=women, contact=member, role="member"),
            Attendance(meeting=cross, participant=p9, role="member"),
            Attendance(meeting=mixed, participant=p9, role="member"),
            Attendance(meeting=cross, sex="m", role="member"),
        ]
    )
    meetings = Meeting.objects.filter(programme__in=[first, second], status="held")
    ids = [first.pk, second.pk]
    fast = reach.reach_figures(meetings, org, ids)
    assert fast == straightforward(meetings, org, ids)
    people = reach.people_reached(meetings, org, ids)
    assert people[f"p{p8.pk}"].segments == {"men"}
    assert people[f"p{p9.pk}"].segments == set()
    assert "cross_learning" not in fast.by_segment and "mixed" not in fast.by_segment
    for name, counts in from_people_reached(people).items():
        assert +getattr(fast, name) == +counts, name
