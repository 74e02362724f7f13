"""People reached by a programme: sign-in sheets read as people write them, and the programme's indicators.

Reading a sheet never writes; `actions.do_import_attendance` stores it. Indicators count *people*, not
attendances: one person is one participant (recognised across sessions by phone or merged by a
coordinator), one contact from a group list, or one walk-in counted without a name; a participant and a
contact with the same phone number are one person.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Min, QuerySet
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
    Segment,
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
    headers: list[str],
    rows: list[list[str]],
    segments: dict[str, ProgrammeSegment],
    lines: list[int] | None = None,
) -> list[SheetRow]:
    """Each data row read as people write it (line numbers as the spreadsheet shows them)."""
    checked: list[SheetRow] = []
    seen_phones: dict[str, int] = {}
    for offset, raw in enumerate(rows):
        values = {key: raw[i].strip() if i < len(raw) else "" for i, key in enumerate(headers) if key}
        line = lines[offset] if lines and offset < len(lines) else offset + 2
        row = SheetRow(line=line, name=" ".join(values.get("name", "").split()))
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


# Meeting segments that say what kind of session it was, not which group of people came.
SESSION_SEGMENTS = frozenset({"", Segment.MIXED.value, Segment.CROSS_LEARNING.value})


def people_reached(
    meetings: QuerySet[Meeting], org_id: int, programme_ids: Collection[int], with_meeting_places: bool = True
) -> dict[str, _Person]:
    """Who attended `meetings`, one entry per person (the module docstring's rule): key "p<id>" for a
    participant (merges followed), "c<id>" for a group-list contact whose phone is no participant's, "w<id>"
    for a walk-in; segments from `programme_ids`' segments (or the meeting's), wards from the meetings.

    For listing people (the impact report's records); figures come from `reach_figures`, which counts the
    same people in the database (tests/dialogues/test_reach_counting.py holds the two equal)."""
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
        if segment not in SESSION_SEGMENTS:
            walk_in.segments.add(segment)
        if ward:
            walk_in.wards.add(ward)
    # The meeting's segment stands in for people whose own segment was never recorded (a group member with a
    # participant's phone is that participant); wards are the meetings'.
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
            if segment not in SESSION_SEGMENTS and not (found[0] == "p" and segments_of[int(found[1:])]):
                p.segments.add(segment)
    return people


@dataclass
class ReachFigures:
    """What `people_reached` gives, counted in the database: people by kind, sex, age band, segment, ward and
    month first seen, with the attendances by role and the meetings by kind and month."""

    people: int = 0
    identified: int = 0
    by_sex: Counter[str] = field(default_factory=Counter)  # "" for not recorded
    by_age_band: Counter[str] = field(default_factory=Counter)
    by_segment: Counter[str] = field(default_factory=Counter)  # "" for people with no segment
    by_ward: Counter[str] = field(default_factory=Counter)
    first_seen: Counter[str] = field(default_factory=Counter)  # "YYYY-MM" (UTC, as `people_reached`)
    roles: Counter[str] = field(default_factory=Counter)
    meetings_with_officials: int = 0
    meetings: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind, "YYYY-MM") → held


# One statement, the rule of `people_reached` in SQL (its tests compare the two on a varied dataset). Attendances
# are read once per kind of person and grouped at once (`pg` per participant through the (participant, meeting)
# index, `cg` per contact, `wk` walk-ins), so the rest works on one row per person; a contact is the participant
# whose root shares its phone and attended too; a participant's sex and age band are its root's, else those of
# the contact with the smallest id that has one; its own segments (merges followed) replace the meetings'
# segments of its attendances and of its group members' (a mixed or cross-learning
# session names a kind of session, not a group of people). Only meetings with a segment or ward are read again.
_REACH_SQL = """
WITH RECURSIVE
m AS (SELECT id, kind, starts_at, segment, ward_id FROM dialogues_meeting WHERE id IN ({meetings})),
chain(pk, up, hops) AS (
  SELECT id, merged_into_id, 1 FROM dialogues_participant
  WHERE organisation_id = %s AND merged_into_id IS NOT NULL
  UNION ALL
  SELECT chain.pk, p.merged_into_id, chain.hops + 1 FROM chain JOIN dialogues_participant p ON p.id = chain.up
  WHERE p.merged_into_id IS NOT NULL AND chain.hops < 1000),
roots AS (
  SELECT pk, up AS root FROM chain WHERE NOT EXISTS (
    SELECT 1 FROM dialogues_participant p WHERE p.id = chain.up AND p.merged_into_id IS NOT NULL)),
pg AS (
  SELECT t.participant_id AS pid, MIN(m.starts_at) AS first_at
  FROM dialogues_attendance t JOIN m ON m.id = t.meeting_id
  WHERE t.participant_id IS NOT NULL GROUP BY t.participant_id),
pr AS (SELECT COALESCE(roots.root, pg.pid) AS rid, pg.first_at FROM pg LEFT JOIN roots ON roots.pk = pg.pid),
ar AS (SELECT id, phone_hash FROM dialogues_participant WHERE id IN (SELECT rid FROM pr) AND phone_hash <> ''),
cg AS (
  SELECT t.contact_id AS cid, MIN(m.starts_at) AS first_at
  FROM dialogues_attendance t JOIN m ON m.id = t.meeting_id
  WHERE t.participant_id IS NULL AND t.contact_id IS NOT NULL GROUP BY t.contact_id),
cr AS (
  SELECT cg.cid, cg.first_at, c.gender, c.age_band, (SELECT MIN(ar.id) FROM ar WHERE ar.phone_hash = c.phone_hash) AS prid
  FROM cg JOIN people_contact c ON c.id = cg.cid),
wk AS (
  SELECT t.id, t.sex, t.age_band, m.starts_at, m.segment, m.ward_id
  FROM dialogues_attendance t JOIN m ON m.id = t.meeting_id
  WHERE t.participant_id IS NULL AND t.contact_id IS NULL),
pp AS (
  SELECT rid, MIN(first_at) AS first_at, MIN(sex_cid) AS sex_cid, MIN(band_cid) AS band_cid FROM (
    SELECT rid, first_at, NULL AS sex_cid, NULL AS band_cid FROM pr
    UNION ALL
    SELECT prid, first_at, CASE WHEN gender <> '' THEN cid END, CASE WHEN age_band <> '' THEN cid END
    FROM cr WHERE prid IS NOT NULL) x
  GROUP BY rid),
people AS (
  SELECT 'p' AS k, pp.first_at, COALESCE(NULLIF(r.sex, ''), cs.gender, '') AS sex,
         COALESCE(NULLIF(r.age_band, ''), cb.age_band, '') AS band
  FROM pp JOIN dialogues_participant r ON r.id = pp.rid
  LEFT JOIN people_contact cs ON cs.id = pp.sex_cid LEFT JOIN people_contact cb ON cb.id = pp.band_cid
  UNION ALL
  SELECT 'c', first_at, gender, age_band FROM cr WHERE prid IS NULL
  UNION ALL
  SELECT 'w', starts_at, sex, age_band FROM wk),
pl AS (
  SELECT DISTINCT t.participant_id AS pid, t.contact_id AS cid, m.segment, m.ward_id
  FROM dialogues_attendance t JOIN m ON m.id = t.meeting_id
  WHERE (m.segment <> '' OR m.ward_id IS NOT NULL) AND (t.participant_id IS NOT NULL OR t.contact_id IS NOT NULL)),
placed AS (
  SELECT 'p' AS k, COALESCE(roots.root, pl.pid) AS id, pl.segment, pl.ward_id
  FROM pl LEFT JOIN roots ON roots.pk = pl.pid WHERE pl.pid IS NOT NULL
  UNION ALL
  SELECT CASE WHEN cr.prid IS NULL THEN 'c' ELSE 'p' END, COALESCE(cr.prid, cr.cid), pl.segment, pl.ward_id
  FROM pl JOIN cr ON cr.cid = pl.cid WHERE pl.pid IS NULL
  UNION ALL
  SELECT 'w', id, segment, ward_id FROM wk),
own AS (
  SELECT DISTINCT COALESCE(roots.root, t.participant_id) AS rid, s.key
  FROM dialogues_participant_segments t
  JOIN dialogues_programmesegment s ON s.id = t.programmesegment_id
  JOIN dialogues_participant p ON p.id = t.participant_id
  LEFT JOIN roots ON roots.pk = t.participant_id
  WHERE p.organisation_id = %s AND s.programme_id IN ({programmes})
    AND COALESCE(roots.root, t.participant_id) IN (SELECT rid FROM pr)),
ps AS (
  SELECT 'p' AS k, rid AS id, key FROM own
  UNION
  SELECT k, id, segment FROM placed
  WHERE segment NOT IN ('', 'mixed', 'cross_learning') AND NOT (k = 'p' AND id IN (SELECT rid FROM own))),
pw AS (SELECT DISTINCT placed.k, placed.id, w.name FROM placed JOIN places_ward w ON w.id = placed.ward_id),
ta AS (SELECT meeting_id, role FROM dialogues_attendance WHERE meeting_id IN (SELECT id FROM m))
SELECT 'kind', k, '', COUNT(*) FROM people GROUP BY k
UNION ALL SELECT 'sex', sex, '', COUNT(*) FROM people GROUP BY sex
UNION ALL SELECT 'band', band, '', COUNT(*) FROM people GROUP BY band
UNION ALL SELECT 'first', mo, '', COUNT(*) FROM (SELECT {first_month} AS mo FROM people) x GROUP BY mo
UNION ALL SELECT 'segment', key, '', COUNT(*) FROM ps GROUP BY key
UNION ALL SELECT 'segmented', '', '', COUNT(*) FROM (SELECT DISTINCT k, id FROM ps) x
UNION ALL SELECT 'ward', name, '', COUNT(*) FROM pw GROUP BY name
UNION ALL SELECT 'role', role, '', COUNT(*) FROM ta GROUP BY role
UNION ALL SELECT 'officials', '', '', COUNT(DISTINCT meeting_id) FROM ta WHERE role IN (%s, %s)
UNION ALL SELECT 'meeting', kind, mo, COUNT(*) FROM (SELECT kind, {meeting_month} AS mo FROM m) x GROUP BY kind, mo
"""


def _utc_month(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM')"
    return f"substr({column}, 1, 7)"  # SQLite keeps aware datetimes as UTC text


def reach_figures(meetings: QuerySet[Meeting], org_id: int, programme_ids: Collection[int]) -> ReachFigures:
    """`people_reached(meetings, ...)` and the attendances and meetings behind it, counted in one query."""
    meeting_sql, meeting_params = meetings.order_by().values("pk").query.sql_with_params()
    programmes = list(programme_ids) or [0]
    sql = _REACH_SQL.format(
        meetings=meeting_sql,
        programmes=", ".join(["%s"] * len(programmes)),
        first_month=_utc_month("first_at"),
        meeting_month=_utc_month("starts_at"),
    )
    params = [*meeting_params, org_id, org_id, *programmes, AttendanceRole.POLICE, AttendanceRole.OFFICIAL]
    figures = ReachFigures()
    segmented = 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for what, key, month, n in rows:
        if what == "kind":
            figures.people += n
            figures.identified += n if key != "w" else 0
        elif what == "segmented":
            segmented = n
        elif what == "officials":
            figures.meetings_with_officials = n
        elif what == "meeting":
            figures.meetings[(key, month)] += n
        else:
            counter = {
                "sex": figures.by_sex,
                "band": figures.by_age_band,
                "first": figures.first_seen,
                "segment": figures.by_segment,
                "ward": figures.by_ward,
                "role": figures.roles,
            }[what]
            counter[key or ""] += n
    if figures.people > segmented:
        figures.by_segment[""] = figures.people - segmented
    return figures


def indicators(
    programme: Programme, *, since: dt.date | None = None, until: dt.date | None = None
) -> dict[str, Any]:
    """The programme's reach: unique people, attendances, sessions and activities held, by segment, sex,
    age band and ward, police/official participation, targets with progress, and the months.

    Counted in the database by `reach_figures` (one query over the attendances, whatever their number)."""
    meetings = programme.meetings.filter(status=Meeting.Status.HELD)
    if since is not None:
        meetings = meetings.filter(starts_at__date__gte=since)
    if until is not None:
        meetings = meetings.filter(starts_at__date__lte=until)
    f = reach_figures(meetings, programme.organisation_id, [programme.pk])
    sessions = sum(n for (kind, _m), n in f.meetings.items() if kind in SESSION_KINDS)
    activities = sum(n for (kind, _m), n in f.meetings.items() if kind in ACTIVITY_KINDS)
    achieved = {
        Indicator.UNIQUE_PEOPLE.value: f.people,
        Indicator.SESSIONS.value: sessions,
        Indicator.ACTIVITIES.value: activities,
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
    for month, n in f.first_seen.items():
        months[month]["people"] += n
    for (kind, month), n in f.meetings.items():
        if kind in SESSION_KINDS or kind in ACTIVITY_KINDS:
            months[month]["sessions" if kind in SESSION_KINDS else "activities"] += n
    running = {"people": 0, "sessions": 0, "activities": 0}
    progress = []
    for month in sorted(months):
        for k in running:
            running[k] += months[month][k]
        progress.append({"month": month, **running})

    def named(counts: Counter[str]) -> dict[str, int]:
        merged: Counter[str] = Counter()
        for key, n in counts.items():
            merged[key or "unknown"] += n
        return dict(sorted(merged.items()))

    return {
        "unique_people": f.people,
        "identified_people": f.identified,
        "attendances": sum(f.roles.values()),
        "sessions": sessions,
        "activities": activities,
        "by_segment": named(f.by_segment),
        "by_sex": named(f.by_sex),
        "by_age_band": named(f.by_age_band),
        "by_ward": dict(sorted(f.by_ward.items())),
        "police_attendances": f.roles.get(AttendanceRole.POLICE, 0),
        "official_attendances": f.roles.get(AttendanceRole.OFFICIAL, 0),
        "sessions_with_police_or_officials": f.meetings_with_officials,
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
