"""Demo dialogue programmes (invented): a Local-to-Local cycle in Kiambu and community–police sessions.

Built through the dialogue actions, so the demo shows what the app really records. Safe to run again.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from sauti.audit import audit
from sauti.audit.models import Action
from sauti.dialogues import actions
from sauti.dialogues.actions import WalkIn
from sauti.dialogues.models import Commitment, Meeting, Priority, Programme
from sauti.monitoring.models import Case
from sauti.people.imports import Table
from sauti.people.models import Contact, Group, Office, Organisation, User
from sauti.places.models import Ward

L2L_TITLE = "Women's Leadership and Governance — Kiambu 2027 (demo)"
POLICE_TITLE = "Pamoja Mtaani community–police dialogues — Korogocho (demo)"
# The two mapping sessions whose exercises the mapping app's demo part fills in.
FIRST_MAPPING, SECOND_MAPPING = "Mapping safe and unsafe spots", "Mapping again, six months on"


def build_demo_dialogues(rng: random.Random, log: Callable[[str], object] = print) -> None:
    umoja = Organisation.objects.filter(slug="umoja-demo").first()
    amani = Organisation.objects.filter(slug="amani-demo").first()
    if umoja and not Programme.objects.filter(title=L2L_TITLE).exists():
        log("Dialogues: a Local-to-Local programme …")
        _local_to_local(umoja, rng)
    if amani and not Programme.objects.filter(title=POLICE_TITLE).exists():
        log("Dialogues: community–police sessions and peace actions …")
        _community_police(amani, rng)


def _held(
    programme: Programme, by: User, days_ago: float, kind: str, title: str, venue: str, **extra: Any
) -> Meeting:
    start = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=days_ago)
    return actions.do_schedule_meeting(
        programme,
        by,
        kind=kind,
        title=title,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        already_held=True,
        venue=venue,
        **extra,
    )


def _attend(meeting: Meeting, by: User, rng: random.Random, share: float, walk_ins: int) -> None:
    contacts = [
        c
        for c in Contact.objects.filter(
            group_memberships__group__in=meeting.programme.groups.all()
        ).distinct()
        if rng.random() < share
    ]
    groups = list(meeting.programme.groups.all())
    extra = [
        WalkIn(
            rng.choice("fffm"),
            rng.choice(["18_24", "25_35", "36_59", "60_plus"]),
            rng.choice(groups),
            "member",
        )
        for _ in range(walk_ins)
    ]
    actions.do_record_attendance(meeting, by, contacts=contacts, walk_ins=extra)


def _local_to_local(org: Organisation, rng: random.Random) -> None:
    wanjiku = User.objects.get(username="wanjiku")
    water = Office.objects.get(name="Kiambu County Department of Water (demo)")
    today = timezone.localdate()
    programme = actions.do_create_programme(
        org,
        wanjiku,
        title=L2L_TITLE,
        description="Invented demo: women's groups identify problems, agree priorities, invite county officials "
        "and follow their promises until results come.",
        starts_on=today - timedelta(days=240),
        ends_on=today + timedelta(days=120),
        groups=list(org.groups.all()),
        offices=[water],
    )
    # Each topic with the category of the cases that are its evidence (the letter to the office cites them).
    topics = [
        ("Water kiosks closed in Githunguri", "water"),
        ("No maternity ward at Juja health centre", "health"),
        ("Widows evicted from family land", "land"),
        ("Bursaries not reaching girls", "education"),
        ("Roads cut off in the rains", "public-projects"),
    ]
    priorities = []
    groups = list(programme.groups.all())
    for i in range(7):
        m = _held(
            programme,
            wanjiku,
            220 - i * 21,
            "preparatory",
            f"Preparatory dialogue {i + 1}",
            "Githunguri social hall",
        )
        actions.do_record_meeting(
            m,
            wanjiku,
            minutes="Groups shared the problems they face; the secretary took notes.",
            decisions="Take the list to the consensus meeting.",
            officials_present="",
        )
        _attend(m, wanjiku, rng, 0.5, rng.randint(3, 12))
        if i < len(topics):
            title, key = topics[i]
            topic_cases = Case.objects.filter(organisation=org).filter(
                Q(category__key=key) | Q(category__parent__key=key)
            )
            priorities.append(
                actions.do_raise_priority(
                    programme,
                    wanjiku,
                    title=title,
                    group=groups[i % len(groups)],
                    meeting=m,
                    cases=list(topic_cases.order_by("pk")[:1]),
                )
            )
    consensus = _held(programme, wanjiku, 70, "consensus", "Consensus meeting", "Githunguri social hall")
    _attend(consensus, wanjiku, rng, 0.7, 6)
    rnd = actions.do_open_round(
        programme, wanjiku, title="Priorities to present (demo)", priorities=priorities, meeting=consensus
    )
    for g in groups:
        voters = rng.randint(6, 14)
        budget = voters * rnd.dots_per_person
        weights = [rng.random() + (1.5 if j == groups.index(g) % 3 else 0) for j in range(len(priorities))]
        dots = {p.pk: int(budget * w / sum(weights)) for p, w in zip(priorities, weights, strict=True)}
        actions.do_record_dots(rnd, wanjiku, group=g, voters=voters, dots=dots)
    actions.do_close_round(rnd, wanjiku)
    rnd = actions.do_freeze_round(rnd, wanjiku)
    agreed = actions.agreed_priorities(rnd)
    inv = actions.do_draft_invitation(
        rnd,
        wanjiku,
        office=water,
        official_name="Eng. Grace Njeri, Chief Officer Water (demo)",
        language="en",
    )
    actions.do_advance_invitation(inv, wanjiku)
    actions.do_advance_invitation(inv, wanjiku)
    actions.do_advance_invitation(inv, wanjiku, today + timedelta(days=1))
    second = actions.do_draft_invitation(
        rnd, wanjiku, office=water, official_name="Bw. Peter Kariuki, Afisa wa Maji (demo)", language="sw"
    )
    actions.do_advance_invitation(second, wanjiku)  # sent: waits for the office's answer (log in as njeri)
    dialogue = _held(
        programme,
        wanjiku,
        60,
        "dialogue",
        "Dialogue with the County Department of Water",
        "Kiambu county hall",
    )
    actions.do_record_meeting(
        dialogue,
        wanjiku,
        minutes="Each priority was presented; the officials responded one by one.",
        decisions="Commitments recorded; breakout groups rated the responses.",
        officials_present="Eng. Grace Njeri",
        offices=[water],
    )
    _attend(dialogue, wanjiku, rng, 0.6, 10)
    states = [
        ("fulfilled", 100, 20),
        ("in_progress", 40, 30),
        ("broken", 0, -10),
        ("partly_fulfilled", 60, -5),
        ("agreed", 0, -2),
    ]
    commitments: list[tuple[str, Commitment]] = []
    for prio, (status, progress, due) in zip(agreed, states, strict=False):
        resp = actions.do_record_response(
            dialogue,
            wanjiku,
            priority=prio,
            office=water,
            official_name="Eng. Grace Njeri",
            text=f"We have heard the groups on “{prio.title}” and will act.",
        )
        c = actions.do_record_commitment(
            prio,
            wanjiku,
            office=water,
            official_name="Eng. Grace Njeri",
            what=f"Action on: {prio.title}",
            due_on=today + timedelta(days=due),
            response=resp,
        )
        # Back-dated to the dialogue, and logged so `sauti verify` still finds the row as the log says.
        Commitment.objects.filter(pk=c.pk).update(created_at=dialogue.starts_at)
        audit.log_rows(Commitment, [c.pk], Action.UPDATE)
        if status != "agreed":
            actions.do_update_commitment(
                c,
                wanjiku,
                status=status,
                progress=progress,
                note="Demo progress report",
                evidence="Photos of the works and the county's letter (demo)" if progress else "",
            )
        if status == "fulfilled":
            Commitment.objects.filter(pk=c.pk).update(completed_on=today - timedelta(days=12))
            audit.log_rows(Commitment, [c.pk], Action.UPDATE)
        for g in groups[:3]:
            rating = actions.do_rate_response(
                resp, wanjiku, group=g, rating=rng.randint(1, 5), notes="Demo breakout notes"
            )
            if rating.rating <= 2:
                actions.do_add_follow_up(
                    programme,
                    wanjiku,
                    what=f"Meet the ward administrator about “{prio.title}”",
                    owner=f"{g.name} chairperson",
                    due_on=today + timedelta(days=14),
                    rating=rating,
                )
        # The community's verdict by SMS: the kept promise is confirmed, the "partly fulfilled" one is
        # disputed (most who answered say no), so the scorecard shows both.
        replies = {
            "fulfilled": ["1", "1", "1", "ndiyo", "2", "1", "3"],
            "partly_fulfilled": ["2", "1", "hapana", "2"],
        }
        if status in replies:
            members = list(Contact.objects.filter(group_memberships__group__in=groups).distinct()[:12])
            survey = actions.do_start_verification(
                c,
                wanjiku,
                question_en=f"Has this happened: {prio.title}?",
                question_sw=f"Je, hili limetekelezwa: {prio.title}?",
                contacts=members,
            )
            for contact, text in zip(members, replies[status], strict=False):
                actions.do_record_verification_reply(survey, contact, text)
        commitments.append((status, c))
    _breakouts_and_follow_up(programme, wanjiku, dialogue, groups, agreed, commitments, rng)
    actions.do_send_due_reminders(today)


def _breakouts_and_follow_up(
    programme: Programme,
    by: User,
    dialogue: Meeting,
    groups: list[Group],
    agreed: list[Priority],
    commitments: list[tuple[str, Commitment]],
    rng: random.Random,
) -> None:
    """Seed 000: after the dialogue the groups break into six, analyse the responses and re-strategise;
    strategies become follow-up actions; a follow-up meeting takes the community's verdict by a show of
    hands; the next one is planned with the open actions on its agenda."""
    today = timezone.localdate()
    breakouts = actions.do_form_breakouts(dialogue, by, count=6, composition="mixed")
    present = list(dialogue.attendances.order_by("pk"))
    share = max(1, len(present) // len(breakouts))
    # (analysis, strategy, the priority it is about): an adopted strategy follows its own priority.
    plans = [
        (
            "The officials repeated last year's promises on water.",
            "Write to the county assembly's water committee",
            "Water kiosks",
        ),
        (
            "The maternity ward answer had no date.",
            "Ask the ward administrator for the budget line",
            "maternity",
        ),
        (
            "Land: the chief referred us to the lands office.",
            "Accompany the widows to the lands registry",
            "Widows",
        ),
        (
            "Bursaries: the officer asked for a list of girls.",
            "Collect the list of girls out of school",
            "Bursaries",
        ),
        ("Roads: no commitment was made.", "Invite the MCA to the next dialogue", "Roads"),
        (
            "Water kiosks: the officer blamed the contractor.",
            "Visit the kiosks with the officer",
            "Water kiosks",
        ),
    ]
    for i, (b, (analysis, strategy, _topic)) in enumerate(zip(breakouts, plans, strict=True)):
        actions.do_record_breakout(
            b,
            by,
            members=present[i * share : (i + 1) * share],
            walk_ins=rng.randint(0, 3),
            analysis=analysis,
            strategies=strategy + "\nReport back at the follow-up meeting",
        )
    adopted = []
    for i, b in enumerate(breakouts[:4]):
        adopted.append(
            actions.do_adopt_strategy(
                b,
                by,
                what=b.strategy_lines()[0],
                owner_group=groups[i % len(groups)],
                due_on=today + timedelta(days=(-20, -5, 10, 25)[i]),
                priority=next((p for p in agreed if plans[i][2] in p.title), agreed[i % len(agreed)]),
            )
        )
    review = _held(
        programme, by, 20, "follow_up", "Follow-up meeting: are the promises kept?", "Githunguri social hall"
    )
    actions.do_record_meeting(
        review,
        by,
        minutes="Each commitment was read out; members raised hands for yes, no or not sure.",
        decisions="Keep pressing on the disputed commitments.",
        officials_present="",
    )
    _attend(review, by, rng, 0.6, 12)
    actions.do_close_follow_up(
        adopted[0], by, state="done", outcome="The committee received the letter (demo)."
    )
    actions.do_close_follow_up(
        adopted[1], by, state="dropped", outcome="The budget line was published before we asked (demo)."
    )
    for status, c in commitments:
        if status == "in_progress":
            actions.do_record_show_of_hands(
                c, by, meeting=review, yes=3, no=9, unsure=2, note="Works not started"
            )
        elif status == "broken":
            actions.do_record_show_of_hands(c, by, meeting=review, yes=0, no=14, unsure=1)
    start = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=10)
    actions.do_schedule_meeting(
        programme,
        by,
        kind="follow_up",
        title="Next follow-up meeting",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        venue="Githunguri social hall",
        agenda="Review the open follow-up actions and the commitments still in progress.",
    )


def _community_police(org: Organisation, rng: random.Random) -> None:
    zawadi = User.objects.get(username="zawadi")
    police = Office.objects.get(name="Korogocho Police Station (demo)")
    today = timezone.localdate()
    programme = actions.do_create_programme(
        org,
        zawadi,
        title=POLICE_TITLE,
        description="Invented demo: dialogue sessions by segment, then mixed; meal sharing and clean-ups with officers.",
        starts_on=today - timedelta(days=180),
        ends_on=today + timedelta(days=180),
        groups=list(org.groups.all()),
        offices=[police],
    )
    actions.do_set_targets(programme, zawadi, {"unique_people": 700, "sessions": 300, "activities": 400})
    pool = _people_pool(rng)
    # Pamoja Mtaani worked in Korogocho, Kayole and Mathare: sessions rotate between the three, so the
    # people-reached page has a place breakdown.
    places = [
        ("Korogocho chief's camp", Ward.objects.get(code=1405)),
        ("Kayole social hall", Ward.objects.get(code=1417)),
        ("Mathare youth centre", Ward.objects.get(code=1445)),
    ]
    segments = ["youth", "women", "men", "youth", "women", "mixed", "cross_learning", "mixed"]
    for i, seg in enumerate(segments):
        venue, ward = places[i % len(places)]
        m = _held(
            programme,
            zawadi,
            170 - i * 18,
            "community_police",
            f"Dialogue session {i + 1}",
            venue,
            segment=seg,
            ward=ward,
        )
        _attend(m, zawadi, rng, 0.4, rng.randint(8, 25))
        _sign_in_sheet(m, zawadi, rng, seg, pool)
    for i, (kind, title) in enumerate(
        [
            ("meal_sharing", "Meal sharing at the station"),
            ("clean_up", "Clean-up of the market"),
            ("sport", "Football: youth v. officers"),
        ]
    ):
        venue, ward = places[i % len(places)]
        m = _held(
            programme, zawadi, 160 - i * 40 + 3, "peace_action", title, venue, peace_action=kind, ward=ward
        )
        _attend(m, zawadi, rng, 0.3, rng.randint(15, 40))
    _held(programme, zawadi, 100, "mapping", FIRST_MAPPING, "Korogocho", ward=places[0][1])
    _held(programme, zawadi, 15, "mapping", SECOND_MAPPING, "Korogocho", ward=places[0][1])
    start = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=9)
    actions.do_schedule_meeting(
        programme,
        zawadi,
        kind="community_police",
        segment="mixed",
        title="Next mixed session",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        venue="Korogocho chief's camp",
        ward=places[0][1],
    )


_FIRST = ["Achieng", "Wanjiru", "Amina", "Nekesa", "Halima", "Otieno", "Kiprono", "Mwangi", "Baraka", "Juma"]
_LAST = ["Odhiambo", "Kamau", "Hassan", "Wafula", "Mutua", "Njoroge", "Chebet", "Omondi"]


def _people_pool(rng: random.Random) -> list[list[str]]:
    """Invented sign-in sheet rows (name, phone, sex, age, segment) written as people write them."""
    pool = []
    for i in range(90):
        first = rng.choice(_FIRST)
        sex = "F" if first in _FIRST[:5] else "M"
        segment = rng.choice(
            ["Vijana", "youth", "Wanawake" if sex == "F" else "Wanaume", "Business", "Wazee"]
        )
        if i % 15 == 0:
            segment = "Polisi"
        age = {"Vijana": "18-24", "youth": "25-35", "Wazee": "60+"}.get(
            segment, rng.choice(["25–35", "36-59"])
        )
        phone = (
            f"07{rng.choice('012')}{rng.randint(0, 9)} {i:03d} {rng.randint(100, 999)}"
            if rng.random() < 0.85
            else ""
        )
        pool.append(
            [f"{first} {rng.choice(_LAST)} (demo)", phone, rng.choice([sex, sex.lower()]), age, segment]
        )
    return pool


def _sign_in_sheet(
    meeting: Meeting, by: User, rng: random.Random, segment: str, pool: list[list[str]]
) -> None:
    wanted = {"youth": {"Vijana", "youth"}, "women": {"Wanawake"}, "men": {"Wanaume"}}.get(segment)
    rows = [row for row in pool if wanted is None or row[4] in wanted or row[4] == "Polisi"]
    sheet = rng.sample(rows, min(len(rows), rng.randint(12, 22)))
    actions.do_import_attendance(
        meeting, by, Table(headers=["name", "phone", "sex", "age_band", "segment"], rows=sheet)
    )
