"""People reached and the impact report at Pamoja Mtaani scale (issue 18): 2,000 sessions, 50,000 attendances,
20,000 trust answers.

    .venv/bin/python bench/reach_bench.py [--sessions 2000] [--attendances 50000] [--answers 20000]

Builds one programme in a throwaway SQLite database (bulk inserts, progress on stderr), then times through
Django's test client (server time) the programme's people-reached page and the trust survey's results page,
each beside a plain SQL query over the same rows in the same run (COUNT(DISTINCT participant) and the
GROUP BY behind the survey's means), then the organisation's impact report (its page, PDF and DOCX) beside the
plain SQL of its people and trust figures. Targets: pages p95 <= 300 ms on SQLite, the PDF <= 5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchsetup import setup_django

RUNS = 15


def timed(fn: Callable[[], object], runs: int = RUNS) -> tuple[float, float]:
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def build(sessions: int, attendances: int, answers: int) -> tuple[int, int, str]:
    from django.utils import timezone

    from sauti.core import crypto
    from sauti.dialogues.models import Attendance, Meeting, Participant, Programme
    from sauti.dialogues.reach import ensure_default_segments
    from sauti.people.models import Membership, Organisation, Role, User
    from sauti.trust import actions as trust_actions
    from sauti.trust.models import TrustAnswer, TrustResponse

    rng = random.Random(7)
    org = Organisation.objects.create(name="Bench", slug="bench")
    user = User.objects.create_user("bench", password="bench-password-123")
    Membership.objects.create(user=user, organisation=org, role=Role.COORDINATOR)
    today = timezone.localdate()
    programme = Programme.objects.create(
        organisation=org, title="Bench", starts_on=today - dt.timedelta(days=400), ends_on=today
    )
    segments = ensure_default_segments(programme)
    now = timezone.now()
    meetings = Meeting.objects.bulk_create(
        [
            Meeting(
                programme=programme,
                kind=rng.choice(["community_police", "community_police", "peace_action"]),
                title=f"Session {i}",
                starts_at=now - dt.timedelta(days=rng.randint(1, 390), hours=3),
                ends_at=now - dt.timedelta(days=1),
                status="held",
            )
            for i in range(sessions)
        ]
    )
    print(f"{sessions} sessions", file=sys.stderr)
    people_n = attendances // 6
    people = []
    for i in range(people_n):
        p = Participant(
            organisation=org, sex=rng.choice("fm"), age_band=rng.choice(["18_24", "25_35", "36_59"])
        )
        p.phone_ciphertext = ""
        p.phone_hash = crypto.lookup_hash(f"+2547{i:08d}")
        p.name_hash = crypto.lookup_hash(f"person {i}")
        people.append(p)
    people = Participant.objects.bulk_create(people, batch_size=2000)
    through = Participant.segments.through
    through.objects.bulk_create(
        [through(participant_id=p.pk, programmesegment_id=rng.choice(segments).pk) for p in people],
        batch_size=5000,
    )
    print(f"{people_n} people", file=sys.stderr)
    seen: set[tuple[int, int]] = set()
    rows: list[Attendance] = []
    while len(rows) < attendances:
        m, p = rng.choice(meetings), rng.choice(people)
        if (m.pk, p.pk) in seen:
            continue
        seen.add((m.pk, p.pk))
        rows.append(Attendance(meeting=m, participant=p, sex=p.sex, age_band=p.age_band))
        if len(rows) % 10000 == 0:
            print(f"  {len(rows)} attendances", file=sys.stderr)
    Attendance.objects.bulk_create(rows, batch_size=5000)
    survey = trust_actions.do_create_trust_survey(programme, user, title="Bench trust")
    wave = survey.waves.get()
    items = list(survey.items.values_list("pk", flat=True))
    responses = TrustResponse.objects.bulk_create(
        [
            TrustResponse(wave=wave, channel="paper", segment=rng.choice(segments).key)
            for _ in range(answers // len(items))
        ],
        batch_size=5000,
    )
    TrustAnswer.objects.bulk_create(
        [TrustAnswer(response=r, item_id=i, score=rng.randint(1, 5)) for r in responses for i in items],
        batch_size=5000,
    )
    print(f"{len(responses) * len(items)} trust answers", file=sys.stderr)
    return programme.pk, survey.pk, user.username


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--attendances", type=int, default=50000)
    parser.add_argument("--answers", type=int, default=20000)
    args = parser.parse_args()
    setup_django(migrate=True)
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from sauti.people import security
    from sauti.people.models import User

    setup_test_environment()
    programme, survey, username = build(args.sessions, args.attendances, args.answers)
    client = Client()
    client.force_login(User.objects.get(username=username))
    session = client.session
    session[security.SESSION_KEY] = True  # the coordinator has passed two-factor
    session.save()

    def page(url: str) -> Callable[[], object]:
        def get() -> object:
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)
            return r

        return get

    def sql(query: str) -> Callable[[], object]:
        def run() -> object:
            with connection.cursor() as cur:
                cur.execute(query, [programme])
                return cur.fetchall()

        return run

    rows = [
        (
            "people reached page",
            page(f"/dialogues/{programme}/reach/"),
            sql(
                "SELECT COUNT(DISTINCT a.participant_id) FROM dialogues_attendance a JOIN dialogues_meeting m "
                "ON m.id = a.meeting_id WHERE m.programme_id = %s AND m.status = 'held'"
            ),
        ),
        (
            "trust results page",
            page(f"/trust/{survey}/"),
            sql(
                "SELECT t.item_id, r.segment, COUNT(*), AVG(t.score) FROM trust_trustanswer t JOIN trust_trustresponse r "
                "ON r.id = t.response_id JOIN trust_trustwave w ON w.id = r.wave_id JOIN trust_trustsurvey s "
                "ON s.id = w.survey_id WHERE s.programme_id = %s GROUP BY t.item_id, r.segment"
            ),
        ),
    ]
    impact_sql = sql(
        "SELECT (SELECT COUNT(DISTINCT a.participant_id) FROM dialogues_attendance a JOIN dialogues_meeting m "
        "ON m.id = a.meeting_id JOIN dialogues_programme p ON p.id = m.programme_id WHERE p.organisation_id = "
        "(SELECT organisation_id FROM dialogues_programme WHERE id = %s) AND m.status = 'held' AND "
        "date(m.starts_at) >= date('now', '-365 days')), (SELECT COUNT(*) FROM trust_trustanswer)"
    )
    rows += [
        ("impact report page", page("/impact/bench/"), impact_sql),
        ("impact report PDF", page("/impact/bench/report.pdf"), impact_sql),
        ("impact report DOCX", page("/impact/bench/report.docx"), impact_sql),
    ]
    print(f"\n{'question':<24} {'view p50 / p95 ms':>20} {'plain SQL p50 / p95 ms':>24}")
    for name, view, baseline in rows:
        runs = 5 if name.endswith(("PDF", "DOCX")) else RUNS
        v50, v95 = timed(view, runs)
        s50, s95 = timed(baseline, runs)
        print(f"{name:<24} {v50:>9.1f} / {v95:<8.1f} {s50:>11.1f} / {s95:<8.1f}")


if __name__ == "__main__":
    main()
