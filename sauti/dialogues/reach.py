"""People reached by a programme: sign-in sheets read as people write them, and the programme's indicators.

Reading a sheet never writes; `actions.do_import_attendance` stores it. Indicators count *people*, not
attendances: one person is one participant (recognised across sessions by phone or merged by a
coordinator), one contact from a group list, or one walk-in counted without a name; a participant and a
contact with the same phone number are one person.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Min, QuerySet
from django.utils.translation import gettext as _

from sauti.dialogues.models import (
    DEFAULT_SEGMENTS,
    Attendance,
    AttendanceRole,
    Indicator,
    Meeting,
    MeetingKind,
    Participant,
    Programme,
    ProgrammeSegment,
)
from sauti.people.phones import InvalidPhone, normalise_phone

SHEET_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "names", "jina", "majina", "jina kamili"),
    "phone": (
        "phone",
        "phone number",
        "mobile",
        "tel",
        "telephone",
        "simu",
        "nambari ya simu",
        "namba ya simu",
    ),
    "sex": ("sex", "gender", "jinsia", "m/f", "f/m"),
    "age_band": ("age", "age band", "age group", "age band (years)", "umri", "kundi la umri"),
    "segment": ("segment", "group", "category", "kundi", "sehemu", "kikundi"),
}

_SEX = {
    "f": "f", "female": "f", "woman": "f", "women": "f", "w": "f", "girl": "f", "lady": "f",
    "mwanamke": "f", "wanawake": "f", "ke": "f", "kike": "f", "msichana": "f",
    "m": "m", "male": "m", "man": "m", "men": "m", "boy": "m", "mwanaume": "m", "wanaume": "m",
    "me": "m", "kiume": "m", "mvulana": "m",
    "x": "x", "other": "x", "nyingine": "x", "prefer not to say": "x",
}  # fmt: skip

# Bands as Contact.AGE_BANDS has them; a single age or a range people write falls in the band of its start.
_BANDS: tuple[tuple[int, str], ...] = (
    (0, "u18"),
    (18, "18_24"),
    (25, "25_35"),
    (36, "36_59"),
    (60, "60_plus"),
)
_AGE_WORDS = {
    "u18": "u18", "under 18": "u18", "below 18": "u18", "chini ya 18": "u18", "child": "u18", "mtoto": "u18",
    "60 and over": "60_plus", "over 60": "60_plus", "60 and above": "60_plus", "zaidi ya 60": "60_plus",
    "elder": "60_plus", "mzee": "60_plus",
}  # fmt: skip
_AGE_NUMBERS = re.compile(
    r"^(\d{1,3})\s*(?:(?:[-–—to]|hadi|mpaka)+\s*(\d{1,3})|\+|\s*and\s+(?:over|above))?$"
)

# What people write for the default segments, beside the programme's own names (matched case-blind).
_SEGMENT_WORDS: dict[str, tuple[str, ...]] = {
    "women": ("woman", "female", "mwanamke", "akina mama", "kina mama", "mama"),
    "men": ("man", "male", "mwanaume", "akina baba", "kina baba"),
    "youth": ("young people", "youths", "kijana", "vijana", "youth group"),
    "elders": ("elder", "old people", "mzee", "wazee"),
    "business": ("business", "traders", "trader", "mfanyabiashara", "wafanyabiashara", "biashara"),
    "police": ("police", "police officer", "police officers", "security", "polisi", "askari", "usalama"),
    "officials": ("official", "government", "chief", "afisa", "maafisa", "serikali", "chifu"),
    "mixed": ("mixed", "all", "wote", "mchanganyiko"),
}


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("_", " ").split())


def read_sex(text: str) -> str | None:
    """'' for a blank cell, the code for a known word, None when unreadable."""
    folded = _fold(text).rstrip(".")
    if not folded:
        return ""
    return _SEX.get(folded)


def read_age_band(text: str) -> str | None:
    folded = _fold(text).replace(" years", "").replace(" yrs", "").replace("miaka ", "")
    if not folded:
        return ""
    if folded in _AGE_WORDS:
        return _AGE_WORDS[folded]
    if folded in {code for _start, code in _BANDS}:
        return folded
    match = _AGE_NUMBERS.match(folded)
    if match is None:
        return None
    start = int(match.group(1))
    end = int(match.group(2)) if match.group(2) else None
    if start > 120 or (end is not None and (end < start or end > 120)):
        return None
    band = ""
    for lower, code in _BANDS:
        if start >= lower:
            band = code
    return band


def segment_lookup(segments: Iterable[ProgrammeSegment]) -> dict[str, ProgrammeSegment]:
    lookup: dict[str, ProgrammeSegment] = {}
    for segment in segments:
        for word in (segment.key, segment.label_en, segment.label_sw, *_SEGMENT_WORDS.get(segment.key, ())):
            lookup.setdefault(_fold(word), segment)
    return lookup


@dataclass
class SheetRow:
    line: int
    name: str = ""
    phone: str = ""
    sex: str = ""
    age_band: str = ""
    segment: ProgrammeSegment | None = None
    errors: list[str] = field(default_factory=list)


def check_sheet_rows(
    headers: list[str], rows: list[list[str]], segments: dict[str, ProgrammeSegment]
) -> list[SheetRow]:
    """Each data row read as people write it (line numbers as the spreadsheet shows them)."""
    checked: list[SheetRow] = []
    seen_phones: dict[str, int] = {}
    for offset, raw in enumerate(rows):
        values = {key: raw[i].strip() if i < len(raw) else "" for i, key in enumerate(headers) if key}
        row = SheetRow(line=offset + 2, name=" ".join(values.get("name", "").split()))
        if values.get("phone"):
            try:
                row.phone = normalise_phone(values["phone"])
            except InvalidPhone as e:
                row.errors.append(str(e))
        if not row.name and not row.phone:
            row.errors.append(_("A name or a phone number is needed."))
        sex = read_sex(values.get("sex", ""))
        if sex is None:
            row.errors.append(
                _("“%(value)s” is not a sex we know (F, M, Female, Male, Mwanamke, Mwanaume).")
                % {"value": values["sex"]}
            )
        else:
            row.sex = sex
        band = read_age_band(values.get("age_band", ""))
        if band is None:
            row.errors.append(
                _("“%(value)s” is not an age band we know (e.g. 18-24, 25-35, 36-59, 60+).")
                % {"value": values["age_band"]}
            )
        else:
            row.age_band = band
        segment_text = values.get("segment", "")
        if segment_text:
            row.segment = segments.get(_fold(segment_text))
            if row.segment is None:
                row.errors.append(
                    _("“%(value)s” is not one of this programme's segments (%(known)s).")
                    % {
                        "value": segment_text,
                        "known": ", ".join(sorted({s.label() for s in segments.values()})),
                    }
                )
        if row.phone and not row.errors:
            if row.phone in seen_phones:
                row.errors.append(
                    _("This phone number is already on line %(line)d of the file.")
                    % {"line": seen_phones[row.phone]}
                )
            else:
                seen_phones[row.phone] = row.line
        checked.append(row)
    return checked


def root(participant: Participant) -> Participant:
    seen = set()
    while participant.merged_into_id is not None and participant.pk not in seen:
        seen.add(participant.pk)
        participant = participant.merged_into  # type: ignore[assignment]
    return participant


SESSION_KINDS = frozenset(MeetingKind.values) - {MeetingKind.PEACE_ACTION}
ACTIVITY_KINDS = frozenset({MeetingKind.PEACE_ACTION})


@dataclass
class _Person:
    sex: str = ""
    age_band: str = ""
    segments: set[str] = field(default_factory=set)
    wards: set[str] = field(default_factory=set)
    first_seen: dt.date | None = None


def _roots(org_id: int) -> dict[int, int]:
    """Merged participant id → the id it was (transitively) merged into (merges are few)."""
    parent = dict(
        Participant.objects.filter(organisation_id=org_id, merged_into__isnull=False).values_list(
            "pk", "merged_into_id"
        )
    )

    def find(pk: int) -> int:
        hops = 0
        while pk in parent and hops < 1000:
            pk = parent[pk]
            hops += 1
        return pk

    return {pk: find(pk) for pk in parent}


def people_reached(
    meetings: QuerySet[Meeting], org_id: int, programme_ids: Collection[int], with_meeting_places: bool = True
) -> dict[str, _Person]:
    """Who attended `meetings`, one entry per person (the module docstring's rule): key "p<id>" for a
    participant (merges followed), "c<id>" for a group-list contact whose phone is no participant's, "w<id>"
    for a walk-in; segments from `programme_ids`' segments (or the meeting's), wards from the meetings."""
    attended = Attendance.objects.filter(meeting__in=meetings.values("pk"))
    roots = _roots(org_id)
    merged_into = {
        pk: (phone, sex, band)
        for pk, phone, sex, band in Participant.objects.filter(pk__in=set(roots.values())).values_list(
            "pk", "phone_hash", "sex", "age_band"
        )
    }
    segments_of: dict[int, set[str]] = defaultdict(set)
    for pid, key in Participant.segments.through.objects.filter(
        participant__organisation_id=org_id, programmesegment__programme__in=programme_ids
    ).values_list("participant_id", "programmesegment__key"):
        segments_of[roots.get(pid, pid)].add(key)
    people: dict[str, _Person] = {}

    def person(key: str, sex: str, band: str, first: dt.datetime | None) -> _Person:
        p = people.get(key)
        if p is None:
            p = people[key] = _Person(sex=sex, age_band=band)
        else:
            p.sex = p.sex or sex
            p.age_band = p.age_band or band
        if first is not None:
            day = first.date()
            if p.first_seen is None or day < p.first_seen:
                p.first_seen = day
        return p

    key_of_participant: dict[int, str] = {}
    phone_person: dict[str, str] = {}
    for pid, phone, sex, band, first in (
        attended.filter(participant__isnull=False)
        .values_list("participant_id", "participant__phone_hash", "participant__sex", "participant__age_band")
        .annotate(first=Min("meeting__starts_at"))
        .order_by()
    ):
        root_id = roots.get(pid, pid)
        if root_id != pid:
            phone, sex, band = merged_into.get(root_id, ("", "", ""))
        key_of_participant[pid] = key = f"p{root_id}"
        if phone:
            phone_person[phone] = key
        person(key, sex, band, first).segments |= segments_of[root_id]
    key_of_contact: dict[int, str] = {}
    contact_rows = (
        attended.filter(participant__isnull=True, contact__isnull=False)
        .values_list("contact_id", "contact__phone_hash", "contact__gender", "contact__age_band")
        .annotate(first=Min("meeting__starts_at"))
        .order_by()
    )
    for cid, phone, sex, band, first in contact_rows:
        key_of_contact[cid] = key = phone_person.get(phone or "", f"c{cid}")
        person(key, sex, band, first)
    for pk, sex, band, first, segment, ward in attended.filter(
        participant__isnull=True, contact__isnull=True
    ).values_list("pk", "sex", "age_band", "meeting__starts_at", "meeting__segment", "meeting__ward__name"):
        walk_in = person(f"w{pk}", sex, band, first)
        if segment:
            walk_in.segments.add(segment)
        if ward:
            walk_in.wards.add(ward)
    # The meeting's segment stands in for people whose own segment was never recorded; wards are the meetings'.
    if with_meeting_places:
        for pid, cid, segment, ward in (
            attended.exclude(participant__isnull=True, contact__isnull=True)
            .values_list("participant_id", "contact_id", "meeting__segment", "meeting__ward__name")
            .distinct()
        ):
            found = key_of_participant.get(pid) if pid else key_of_contact.get(cid)
            if found is None:
                continue
            p = people[found]
            if ward:
                p.wards.add(ward)
            if segment and not (pid and segments_of[roots.get(pid, pid)]):
                p.segments.add(segment)
    return people


def indicators(
    programme: Programme, *, since: dt.date | None = None, until: dt.date | None = None
) -> dict[str, Any]:
    # Thousands of small per-person objects set off collections of the oldest generation, which walk the whole
    # process heap (measured: 0.76 s of a 1.2 s page at 50,000 attendances); nothing here makes a cycle.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _indicators(programme, since, until)
    finally:
        if enabled:
            gc.enable()


def _indicators(programme: Programme, since: dt.date | None, until: dt.date | None) -> dict[str, Any]:
    """The programme's reach: unique people, attendances, sessions and activities held, by segment, sex,
    age band and ward, police/official participation, targets with progress, and the months.

    Attendances are aggregated in SQL per participant and per contact (one row per person, not per
    attendance), so the figures for 50,000 attendances come from a few thousand rows."""
    meetings = programme.meetings.filter(status=Meeting.Status.HELD)
    if since is not None:
        meetings = meetings.filter(starts_at__date__gte=since)
    if until is not None:
        meetings = meetings.filter(starts_at__date__lte=until)
    meeting_rows = list(meetings.values_list("kind", "starts_at", "segment", "ward_id"))
    attended = Attendance.objects.filter(meeting__in=meetings.values("pk"))
    people = people_reached(
        meetings,
        programme.organisation_id,
        [programme.pk],
        any(segment or ward for _k, _s, segment, ward in meeting_rows),
    )
    roles = dict(attended.values_list("role").annotate(n=Count("pk")).order_by())
    with_officials = (
        attended.filter(role__in=[AttendanceRole.POLICE, AttendanceRole.OFFICIAL])
        .values("meeting_id")
        .distinct()
        .count()
    )
    by_segment: Counter[str] = Counter()
    for p in people.values():
        for key in p.segments or {"unknown"}:
            by_segment[key] += 1
    sessions = [start for kind, start, _s, _w in meeting_rows if kind in SESSION_KINDS]
    activities = [start for kind, start, _s, _w in meeting_rows if kind in ACTIVITY_KINDS]
    achieved = {
        Indicator.UNIQUE_PEOPLE.value: len(people),
        Indicator.SESSIONS.value: len(sessions),
        Indicator.ACTIVITIES.value: len(activities),
    }
    targets = {
        t.indicator: {
            "target": t.value,
            "achieved": achieved[t.indicator],
            "pct": round(100 * achieved[t.indicator] / t.value, 1),
        }
        for t in programme.targets.all()
    }
    months: dict[str, dict[str, int]] = defaultdict(lambda: {"people": 0, "sessions": 0, "activities": 0})
    for p in people.values():
        if p.first_seen:
            months[p.first_seen.strftime("%Y-%m")]["people"] += 1
    for start in sessions:
        months[start.strftime("%Y-%m")]["sessions"] += 1
    for start in activities:
        months[start.strftime("%Y-%m")]["activities"] += 1
    running = {"people": 0, "sessions": 0, "activities": 0}
    progress = []
    for month in sorted(months):
        for k in running:
            running[k] += months[month][k]
        progress.append({"month": month, **running})
    by_ward: Counter[str] = Counter(w for p in people.values() for w in p.wards)
    return {
        "unique_people": len(people),
        "identified_people": sum(1 for k in people if not k.startswith("w")),
        "attendances": sum(roles.values()),
        "sessions": len(sessions),
        "activities": len(activities),
        "by_segment": dict(sorted(by_segment.items())),
        "by_sex": dict(sorted(Counter(p.sex or "unknown" for p in people.values()).items())),
        "by_age_band": dict(sorted(Counter(p.age_band or "unknown" for p in people.values()).items())),
        "by_ward": dict(sorted(by_ward.items())),
        "police_attendances": roles.get(AttendanceRole.POLICE, 0),
        "official_attendances": roles.get(AttendanceRole.OFFICIAL, 0),
        "sessions_with_police_or_officials": with_officials,
        "targets": targets,
        "progress": progress,
    }


def ensure_default_segments(programme: Programme) -> list[ProgrammeSegment]:
    existing = {s.key for s in programme.segments.all()}
    ProgrammeSegment.objects.bulk_create(
        [
            ProgrammeSegment(programme=programme, key=key, label_en=en, label_sw=sw, position=i)
            for i, (key, en, sw) in enumerate(DEFAULT_SEGMENTS)
            if key not in existing
        ]
    )
    return list(programme.segments.all())
