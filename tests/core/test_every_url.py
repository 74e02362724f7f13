"""Issue 14, "What must hold" 7: every URL of the URLconf requested as every role, and an official's crawl.

`test_every_route_is_requested` enumerates the URLconf and fails when a route has no way here to fill in
its ids, so a new route cannot be forgotten. `test_every_url_as_every_role` requests each one (GET, and an
empty POST for routes that take POSTs) as every persona: nobody gets a 500; anonymous visitors only reach
public pages; a refused request (401/403/404/405) changes no row anywhere; someone with no organisation,
and the other organisation's coordinator, get nothing of Umoja's (their own lists name none of its objects);
officials get nothing beyond what is addressed to their office; and no response to anyone but a
coordinator/administrator of Umoja (or the group's own leader, on its member list) carries the identity of
a contact. `test_an_official_crawling_every_link_finds_no_identity` logs in as the chief and follows every
link from every page, every route with its ids among them. Both run on one small dataset with every kind of
object.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from sauti.dialogues import actions as dia
from sauti.messaging.models import Channel, ChannelKind, InboundMessage
from sauti.monitoring.actions import ReportInput, do_submit_report, do_transition
from sauti.monitoring.models import Case, Category, Status
from sauti.opinions.actions import StatementText, do_add_statement, do_create_conversation
from sauti.people.actions import do_add_member
from sauti.people.models import Contact, Office
from sauti.trust.actions import do_create_trust_survey
from tests.conftest import World
from tests.core.url_matrix import MATRIX
from tests.core.url_matrix import PERSONAS as MATRIX_PERSONAS

PERSONAS = ["anonymous", "alice", "wanjiku", "bob", "otieno", "achieng", "kamau", "chief", "outsider"]
# Who may read identities in Umoja's text and pages (achieng: only her group's member list).
SEES_ALL = {"alice", "wanjiku"}
PSEUDONYM = re.compile(r"P-[BCDFGHJKLMNPQRSTVWXZ2-9]{8}")
# Pages anyone may open without logging in.
PUBLIC = {
    "home", "login", "two_factor", "password_reset", "password_reset_done", "password_reset_confirm",
    "password_reset_complete", "set_language", "place_search", "place_search_results", "place_search_json",
    "place_at_json", "api_schema", "api_docs", "api_token", "api_not_found", "dialogues/scorecard/", "report_public",
    "report_thanks", "report_place", "report_category", "public_map", "public_map_counts", "public_map_clusters",
    "public_map_cases", "vote", "vote_submit", "statement_submit", "evidence_key", "odk_form_list",
    "odk_org_form_list", "odk_submission", "odk_org_submission", "odk_form_xml", "odk_xlsform", "logout",
    "at_incoming", "at_delivery", "at_ussd", "at_optout", "twilio_incoming", "twilio_status",
    "dev_incoming", "dev_ussd", "survey_reply", "map_counties", "map_wards", "map_settlements", "report_status", "verify_answer",
    "healthz", "api_index", "scorecard_csv", "trust/answer/<slug:token>/", "library", "shared",
    "template", "budgets/<slug:slug>/scorecard/", "departments", "o/<str:code>/results/", "evidence_public_keys",
    "evidence_public_key_text",
}  # fmt: skip


@dataclass
class Data:
    world: World
    kwargs: dict[str, dict[str, Any]]  # url name -> path parameters
    names: list[str]  # identities that must not leak: names, phones in many forms
    pseudonyms: list[str]


def _phone_forms(e164: str) -> list[str]:
    d = e164[4:]
    return [e164, "0" + d, f"0{d[:3]} {d[3:6]} {d[6:]}", f"254{d}", f"+254 {d[:3]} {d[3:6]} {d[6:]}"]


def routes() -> Iterator[tuple[str, str | None]]:
    def walk(resolver: URLResolver, prefix: str) -> Iterator[tuple[str, str | None]]:
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith("admin/"):
                    continue  # Django's admin: superusers only, covered by its own tests and the index below
                yield from walk(p, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p.name

    yield from walk(get_resolver(), "")
    yield "admin/", "admin_index"


def build(world: World) -> Data:
    w = world
    office = Office.objects.get(name="Chief, Mabatini")
    channel = Channel.objects.create(organisation=w.umoja, kind=ChannelKind.DEV, name="Dev", address="SIM")
    reporter = Contact(organisation=w.umoja)
    reporter.name, reporter.phone = "Wairimu Njoki", "+254722000515"
    reporter.save()
    text = "Mimi ni Wairimu Njoki, simu yangu 0722 000 515. Polisi walinipiga; Njeri Wambui aliona."
    report = do_submit_report(
        w.umoja,
        ReportInput(description=text, channel="sms", place_text="Mabatini", category_keys=["security"],
                    reporter=reporter, occurred_on=timezone.localdate()),
    )  # fmt: skip
    case = Case.objects.get(pk=report.case_id or 0)
    do_transition(case, Status.TRIAGED, w.wanjiku, reason="Called Wairimu Njoki back")
    do_transition(case, Status.VERIFIED, w.wanjiku, method="site_visit")
    do_transition(Case.objects.get(pk=case.pk), Status.REFERRED, w.wanjiku, referred_to=office)
    inbound = InboundMessage(
        channel=channel, organisation=w.umoja, provider_id="x1", text=text, received_at=timezone.now()
    )
    inbound.phone = reporter.phone
    inbound.save()
    members = [
        do_add_member(w.mathare_group, name="Akinyi Atieno", phone="+254799000001", by=w.wanjiku, consent_messaging=True),
        do_add_member(w.mathare_group, name="Mary Achola", phone="+254799000002", by=w.wanjiku, consent_messaging=True),
    ]  # fmt: skip
    today = timezone.localdate()
    prog = dia.do_create_programme(w.umoja, w.wanjiku, title="Mabatini programme", starts_on=today, ends_on=today,
                                   groups=[w.mathare_group], offices=[office])  # fmt: skip
    start = timezone.now() - dt.timedelta(days=2)
    meeting = dia.do_schedule_meeting(prog, w.wanjiku, kind="dialogue", title="Mabatini dialogue", starts_at=start,
                                      ends_at=start + dt.timedelta(hours=1), already_held=True)  # fmt: skip
    a, b = (dia.do_raise_priority(prog, w.wanjiku, title=t) for t in ("Street lights", "Clean water"))
    a.cases.add(case)
    rnd = dia.do_open_round(prog, w.wanjiku, title="R", priorities=[a, b])
    dia.do_record_dots(rnd, w.wanjiku, group=w.mathare_group, voters=1, dots={a.pk: 1})
    dia.do_close_round(rnd, w.wanjiku)
    dia.do_freeze_round(rnd, w.wanjiku)
    inv = dia.do_draft_invitation(rnd, w.wanjiku, office=office, official_name="Chief", language="en")
    response = dia.do_record_response(meeting, w.wanjiku, priority=a, office=office, official_name="Chief",
                                      text="We will fix it")  # fmt: skip
    com = dia.do_record_commitment(a, w.wanjiku, office=office, official_name="Chief", what="W", due_on=today,
                                   response=response)  # fmt: skip
    survey = dia.do_start_verification(com, w.wanjiku, question_en="Done?", question_sw="Imefanyika?",
                                       contacts=[m.contact for m in members])  # fmt: skip
    trust_survey = do_create_trust_survey(prog, w.wanjiku, title="Trust")
    opinion = do_create_conversation(w.umoja, w.wanjiku, "Mabatini priorities", "What first?")
    do_add_statement(opinion, StatementText(en="Water first", sw="Maji kwanza"), by_facilitator=True)
    from sauti.conversations.models import SmsConversation

    sms = SmsConversation.objects.create(organisation=w.umoja, contact=reporter, phone_hash=reporter.phone_hash,
                                         first_inbound_id=inbound.pk)  # fmt: skip
    category = Category.objects.filter(organisation=w.umoja).first()
    assert category is not None
    # A questionnaire submission and an agreed conclusion (budgets links them, issue 20).
    from sauti.questionnaires import actions as qa
    from sauti.questionnaires import samples as qsamples
    from sauti.questionnaires.xlsform import parse_upload

    form, _version = qa.do_import_form(
        w.umoja, parse_upload(qsamples.xlsx(qsamples.WATER), "w.xlsx"), w.wanjiku
    )
    submission = qa.do_receive_submission(
        form, qa.Incoming(instance_id="uuid:m1", answers={"working": "no"}, channel="web")
    ).submission
    finding = qa.do_record_finding(qa.do_open_session(form, w.mathare_group, w.wanjiku, "S"), w.achieng, "F")
    qa.do_agree(finding, w.achieng)
    qa.do_conclude(finding, w.wanjiku)
    pk = {"pk": case.pk}
    kwargs: dict[str, dict[str, Any]] = {
        "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "api_report": {"pk": report.pk}, "api_case": pk, "api_case_transition": pk,
        "programme": {"pk": prog.pk}, "dashboard": {"pk": prog.pk}, "meeting_create": {"pk": prog.pk},
        "priority_create": {"pk": prog.pk}, "priority_merge": {"pk": prog.pk}, "round_create": {"pk": prog.pk},
        "petition_templates": {"pk": prog.pk},
        **{n: {"pk": meeting.pk} for n in ("meeting", "meeting_record", "meeting_attendance", "meeting_remind",
                                           "meeting_photo_add", "meeting_ics", "response_create")},
        "meeting_photo": {"pk": 999999},
        "commitment_create": {"pk": response.pk}, "response_rate": {"pk": response.pk},
        **{n: {"pk": rnd.pk} for n in ("round", "round_dots", "round_vote", "round_sms", "round_close",
                                       "round_petition", "invitation_create")},
        "invitation_letter": {"pk": inv.pk, "fmt": "pdf"}, "invitation_advance": {"pk": inv.pk},
        **{n: {"pk": com.pk} for n in ("commitment", "commitment_update", "commitment_verify")},
        "survey_reply": {"pk": survey.pk},
        "priority": {"pk": a.pk}, "priority_edit": {"pk": a.pk},
        **{n: {"token": channel.token} for n in ("at_incoming", "at_delivery", "at_ussd", "at_optout",
                                                 "twilio_incoming", "twilio_status", "dev_incoming", "dev_ussd")},
        **{n: {"slug": w.umoja.slug} for n in (
            "messaging_channels", "messaging_inbox", "messaging_outbox", "messaging_broadcast",
            "messaging_simulator", "messaging_simulator_thread", "messaging_simulator_sms",
            "messaging_simulator_ussd", "category_add", "odk_form_xml", "odk_xlsform", "odk_org_form_list",
            "odk_org_submission", "organisation_detail", "group_create", "evidence_key", "same_number")},
        "messaging_release": {"slug": w.umoja.slug, "pk": inbound.pk},
        "category_edit": {"pk": category.pk}, "attachment_file": {"pk": 999999},
        **dict.fromkeys(("case_detail", "case_transition", "case_edit", "case_note", "case_inform",
                         "case_keep_resolved"), pk),
        "verify_answer": {"token": "not-a-token"},
        **{n: {"pk": case.pk, "report_pk": report.pk} for n in (
            "report_confirm", "report_split", "report_move", "report_redaction")},
        "export_reports": {"fmt": "csv"},
        "impact_report": {"slug": w.umoja.slug}, "impact_document": {"slug": w.umoja.slug, "fmt": "pdf"},
        "impact_records": {"slug": w.umoja.slug, "figure": "people"},
        "survey_send": {"pk": trust_survey.pk},
        **{n: {"pk": w.mathare_group.pk} for n in ("group_detail", "member_add", "group_import")},
        "conversation_detail": {"pk": sms.pk},
        **{n: {"pk": opinion.pk} for n in ("detail", "statement_add", "invite_sms", "recompute", "report",
                                           "report_pdf")},
        "moderate": {"pk": opinion.pk, "number": 0},
        "submission_project": {"slug": w.umoja.slug, "pk": submission.pk},
        "conclusion_memorandum": {"slug": w.umoja.slug, "pk": finding.pk},
        **{n: {"code": opinion.public_code} for n in ("vote", "vote_submit", "statement_submit")},
    }  # fmt: skip
    kwargs.update(build_more(w, office, prog, meeting, a, com, inv, opinion, case))
    people = [reporter, *[m.contact for m in members], *Contact.objects.filter(organisation=w.umoja)]
    names = ["Wairimu Njoki", "Njoki", "Njeri Wambui", "Wambui", "Akinyi Atieno", "Mary Achola"]
    for c in people:
        if c.phone:
            names += _phone_forms(c.phone)
    return Data(w, kwargs, sorted(set(names)), sorted({c.pseudonym for c in people}))


def build_more(
    w: World,
    office: Office,
    prog: Any,
    meeting: Any,
    priority: Any,
    com: Any,
    inv: Any,
    opinion: Any,
    case: Case,
) -> dict[str, dict[str, Any]]:
    """Objects of the apps added after the first matrix (issues 13-20), their ids keyed by route."""
    from django.core.files.base import ContentFile

    from sauti.budgets import cob
    from sauti.budgets.actions import do_create_proposal, do_import
    from sauti.budgets.models import Project
    from sauti.mapping.actions import do_start_exercise
    from sauti.peers.actions import do_record_visit, do_save_practice
    from sauti.peers.models import PracticeFile
    from sauti.people.security import do_create_odk_password
    from sauti.places.models import County
    from sauti.questionnaires.actions import (
        Incoming,
        do_open_session,
        do_receive_submission,
        do_record_finding,
    )
    from sauti.questionnaires.models import Submission
    from sauti.trust.actions import do_create_trust_survey
    from tests.questionnaires.helpers import imported

    today = timezone.localdate()
    device, _secret = do_create_odk_password(w.wanjiku, "Phone")
    breakout = dia.do_form_breakouts(meeting, w.wanjiku, count=1, composition="mixed")[0]
    follow = dia.do_add_follow_up(
        prog,
        w.wanjiku,
        what="Visit the ward office",
        due_on=today,
        commitment=com,
        owner_group=w.mathare_group,
    )
    survey = do_create_trust_survey(prog, w.wanjiku, title="Trust in the police")
    exercise = do_start_exercise(meeting, w.wanjiku, title="Safe spots")
    practice = do_save_practice(w.umoja, w.wanjiku, groups=[w.mathare_group], title="Pay toilet", language="en",
                                problem="No toilets", approach="A women's group runs one")  # fmt: skip
    pfile = PracticeFile(practice=practice, caption="Plan")
    pfile.file.save("plan.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    visit = do_record_visit(w.umoja, w.wanjiku, host_group=w.mathare_group, visiting_groups=[w.kiambu_group],
                            other_visitors="", held_on=today, place="Mathare", practices=[practice])  # fmt: skip
    form = imported(w.umoja)
    assert form.current is not None
    sub = do_receive_submission(
        form, Incoming(instance_id="uuid:a", answers={"working": "yes"},
                       channel=Submission.Channel.WEB),
    ).submission  # fmt: skip
    session = do_open_session(form, w.mathare_group, w.wanjiku, "S")
    shown = do_open_session(form, w.mathare_group, w.wanjiku, "On the projector")  # the other one gets closed
    sent = dia.do_draft_invitation(inv.round, w.wanjiku, office=office, official_name="Chief", language="en")
    sent = dia.do_advance_invitation(sent, w.wanjiku)
    finding = do_record_finding(session, w.wanjiku, "Half the taps are dry")
    county = County.objects.get(code=1)
    w.umoja.county = county
    w.umoja.save()
    chapter = Path(cob.__file__).parent / "data" / "cob_cbirr_fy2024-25_mombasa.txt"
    do_import(w.umoja, county, chapter.name, chapter.read_bytes(), by=w.wanjiku)
    project = Project.objects.filter(organisation=w.umoja).first()
    assert project is not None
    proposal = do_create_proposal(w.umoja, title="T", cycle="ADP 2026/27", priorities=[priority], projects=[project],
                                  office=office, programme=prog, by=w.wanjiku)  # fmt: skip
    slug = {"slug": w.umoja.slug}
    n = {"slug": w.umoja.slug, "number": project.number}
    out: dict[str, dict[str, Any]] = {
        "accounts/odk-passwords/<int:pk>/revoke/": {"pk": device.pk},
        **{f"dialogues/<int:pk>/{r}": {"pk": prog.pk} for r in (
            "reach/", "targets/", "segments/new/", "outcomes/new/", "participants/", "participants/merge/",
            "follow-ups/new/")},
        **{f"dialogues/meetings/<int:pk>/{r}": {"pk": meeting.pk} for r in (
            "attendance/import/", "hands/", "breakouts/new/")},
        "dialogues/commitments/<int:pk>/hands/": {"pk": com.pk},
        "dialogues/follow-ups/<int:pk>/close/": {"pk": follow.pk},
        "dialogues/breakouts/<int:pk>/": {"pk": breakout.pk}, "dialogues/breakouts/<int:pk>/adopt/": {"pk": breakout.pk},
        "dialogues/invitations/<int:pk>/reply/": {"pk": sent.pk},
        "dialogues/invitations/<int:pk>/responses/new/": {"pk": sent.pk},
        "dialogues/<int:pk>/": {"pk": prog.pk}, "dialogues/meetings/<int:pk>/": {"pk": meeting.pk},
        "trust/programme/<int:pk>/": {"pk": prog.pk}, "trust/programme/<int:pk>/new/": {"pk": prog.pk},
        **{f"trust/<int:pk>/{r}": {"pk": survey.pk} for r in ("", "waves/new/", "paper/")},
        "trust/answer/<slug:token>/": {"token": survey.token},
        **{f"peers/practices/<int:pk>/{r}": {"pk": practice.pk} for r in ("", "edit/", "files/", "adopt/")},
        "peers/practices/files/<int:pk>/": {"pk": pfile.pk},
        "peers/exchanges/<int:pk>/": {"pk": visit.pk}, "peers/exchanges/<int:pk>/lessons/": {"pk": visit.pk},
        "mapping/meeting/<int:pk>/": {"pk": meeting.pk}, "mapping/meeting/<int:pk>/new/": {"pk": meeting.pk},
        **{f"mapping/<int:pk>/{r}": {"pk": exercise.pk} for r in ("", "hotspots/", "actors/", "ties/", "compare/")},
        "forms/org/<slug:slug>/upload/": slug, "forms/org/<slug:slug>/build/": slug,
        **{f"forms/<int:pk>/{r}": {"pk": form.pk} for r in (
            "", "answer/", "results/", "submissions/", "sessions/new/")},
        "forms/<int:pk>/versions/<int:version_pk>.xlsx": {"pk": form.pk, "version_pk": form.current.pk},
        "forms/<int:pk>/export.<str:fmt>": {"pk": form.pk, "fmt": "csv"},
        "forms/submissions/<int:pk>/": {"pk": sub.pk},
        "forms/sessions/<int:pk>/": {"pk": session.pk}, "forms/sessions/<int:pk>/close/": {"pk": session.pk},
        "forms/findings/<int:pk>/<str:verb>/": {"pk": finding.pk, "verb": "agree"},
        "forms/shared/<str:token>/": {"token": shown.token},
        "budgets/template/<str:language>.<str:fmt>": {"language": "en", "fmt": "csv"},
        **{f"budgets/<slug:slug>/{r}": slug for r in ("", "import/", "scorecard/", "proposals/")},
        **{f"budgets/<slug:slug>/projects/<int:number>/{r}": n for r in (
            "", "correct/", "category/", "ward/", "observe/", "cases/")},
        "budgets/<slug:slug>/departments/<int:county>/": {"slug": w.umoja.slug, "county": 1},
        **{f"budgets/<slug:slug>/proposals/<int:pk>/{r}": {"slug": w.umoja.slug, "pk": proposal.pk}
           for r in ("", "fate/", "document/")},
        "throttles/<slug:slug>/": slug, "cases/places/<slug:slug>/": slug,
        "odk/forms/<slug:slug>/f/<str:form_id>/form.xml": {"slug": w.umoja.slug, "form_id": form.form_id},
        **{f"opinions/<int:pk>/{r}": {"pk": opinion.pk} for r in ("", "report/live/", "freeze/", "results-open/")},
        "o/<str:code>/results/": {"code": opinion.public_code},
        "evidence/public-keys/<slug:slug>.txt": slug,
    }  # fmt: skip
    return out


def key_of(route: str, name: str | None) -> str:
    """The name of a route, or the route itself where two routes share a name (forms' and opinions' "list")."""
    return route if name is None or name in _shared_names() else name


def _shared_names() -> set[str]:
    by_name: dict[str, set[str]] = {}
    for route, name in routes():
        by_name.setdefault(name or route, set()).add(route)
    return {n for n, rs in by_name.items() if len(rs) > 1}


def url_of(route: str, name: str | None, kwargs: dict[str, Any]) -> str:
    path = route.lstrip("^").rstrip("$")
    path = re.sub(r"\(\?P<fmt>[^)]*\)", "csv", path).replace("\\.", ".")
    path = path.replace("(?!(?:docs|token)$)", "nowhere")
    for key, value in kwargs.items():
        path = re.sub(rf"<(?:\w+:)?{key}>", str(value), path)
    return "/" + path


@pytest.fixture
def data(world: World) -> Data:
    return build(world)


def _client(data: Data, persona: str) -> Client:
    return data.world.client_for(None if persona == "anonymous" else getattr(data.world, persona))


def every_url(data: Data) -> list[tuple[str, str]]:
    """(route, url) for every route; the route pattern is the matrix key (two routes share a name)."""
    out = []
    for route, name in routes():
        out.append((route, url_of(route, name, data.kwargs.get(route) or data.kwargs.get(name or route, {}))))
    # Logging out ends the session: requested last.
    return sorted(out, key=lambda pair: pair[0] == "accounts/logout/")


def test_every_route_is_requested(data: Data) -> None:
    missing = [u for _r, u in every_url(data) if "<" in u]
    assert missing == []
    assert len(every_url(data)) >= 140
    known = {route for route, _name in routes()}
    assert known == set(MATRIX), "a new route needs its row in tests/core/url_matrix.py"


def leaks(data: Data, body: str, persona: str, key: str) -> list[str]:
    if persona in SEES_ALL or (persona == "achieng" and key in ("group_detail", "member_add")):
        return []
    found = [n for n in data.names if n in body]
    if persona in ("chief", "anonymous", "outsider", "bob"):  # pseudonyms link reporters across cases
        found += [p for p in data.pseudonyms if p in body]
    return found


def rows_everywhere() -> int:
    """The number of rows in every table but the sessions (one query): a refused request must not change it."""
    tables = [t for t in connection.introspection.table_names() if t != "django_session"]
    with connection.cursor() as cursor:
        # The database's own table names, quoted: nothing from outside reaches the query.
        counts = " + ".join(f"(SELECT COUNT(*) FROM {connection.ops.quote_name(t)})" for t in tables)  # noqa: S608
        cursor.execute(f"SELECT {counts}")
        row = cursor.fetchone()
        return int(row[0])


def requests_as(data: Data, persona: str) -> tuple[dict[str, str], list[str]]:
    """GET every URL as `persona`, and POST (empty) to those whose GET is refused with 405 (the POST-only
    actions); the statuses by route ("GET/POST", "-" when not posted), and what went wrong."""
    names = dict(routes())
    client = _client(data, persona)
    got: dict[str, str] = {}
    problems = []
    for route, url in every_url(data):
        key = key_of(route, names[route])
        statuses: list[str] = []
        for method in ("get", "post"):
            if method == "post" and statuses[0] != "405":
                statuses.append("-")
                continue
            before = rows_everywhere()
            response = getattr(client, method)(url)
            if response.status_code in (401, 403, 404, 405) and rows_everywhere() != before:
                problems.append(
                    f"{persona} {method.upper()} {url}: refused ({response.status_code}) but changed data"
                )
            statuses.append(str(response.status_code))
            where = f"{persona} {method.upper()} {url}"
            if response.status_code >= 500 and not (key == "healthz" and response.status_code == 503):
                problems.append(f"{where}: {response.status_code}")
            if persona == "anonymous" and key not in PUBLIC and response.status_code == 200:
                problems.append(f"{where}: 200")
            if response.status_code == 200 and persona in ("outsider", "bob") and key not in PUBLIC | OPEN:
                problems.append(f"{where}: 200 on Umoja's data")
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if response.status_code == 200 and persona in ("outsider", "bob") and key in OPEN:
                shown = [m for m in UMOJA_ONLY if m in body.decode("utf-8", "replace")]
                if shown:
                    problems.append(f"{where}: shows Umoja's {shown}")
            leaked = leaks(data, body.decode("utf-8", "replace"), persona, key)
            if leaked:
                problems.append(f"{where}: shows {leaked}")
        got[route] = "/".join(statuses)
    return got, problems


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_url_as_every_role(data: Data, persona: str) -> None:
    got, problems = requests_as(data, persona)
    assert problems == []
    column = MATRIX_PERSONAS.index(persona)
    expected = {route: row.split()[column] for route, row in MATRIX.items()}
    differences = {r: (expected.get(r), s) for r, s in got.items() if expected.get(r) != s}
    assert differences == {}, "change tests/core/url_matrix.py only with the access decision it records"
    assert set(expected) == set(got)


# Pages any logged-in person may open whatever their organisation (their own lists, which may be empty).
OPEN = {
    "organisation_list",
    "group_list",
    "case_inbox",
    "case_inbox_poll",
    "programme_list",
    "opinions/",
    "map",
    "map_counts",
    "map_clusters",
    "map_cases",
    "dashboard/",
    "exports",
    "evidence_bundle",
    "password_change",
    "password_change_done",
    "api_categories",
    "api_places",
    "api_place_at",
    "api_reports",
    "api_cases",
    "messaging_home",
    "conversation_list",
    "my_office",
    "new",
    "report_monitor",
    "category_list",
    "identity_access_log",
    "case_bulk",
    "import_ushahidi",
    "export_reports",
    "admin_index",
    "odk_passwords",
    "api_programmes",
    "api_meetings",
    "api_priorities",
    "api_rounds",
    "api_responses",
    "api_commitments",
    "api_follow_ups",
    "visits",
    "practice_create",
    "forms/",
    "index",
}
# Umoja's objects, which those lists must not show to Haki's coordinator or someone of no organisation.
UMOJA_ONLY = ["Mabatini programme", "Mabatini dialogue", "Street lights", "Visit the ward office", "Pay toilet"]  # fmt: skip


def test_an_official_crawling_every_link_finds_no_identity(data: Data) -> None:
    client = _client(data, "chief")
    seen: set[str] = set()
    queue = ["/", *[u for _r, u in every_url(data)]]
    problems = []
    while queue and len(seen) < 600:
        url = queue.pop(0)
        if url in seen or "logout" in url or "setlang" in url:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code >= 500 and not (url == "/healthz" and response.status_code == 503):
            problems.append(f"{url}: {response.status_code}")
        body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
        text = body.decode("utf-8", "replace")
        found = leaks(data, text, "chief", "")
        if found:
            problems.append(f"{url}: shows {found}")
        if "html" in response.get("Content-Type", ""):
            for href in re.findall(r'href="(/[^"#]*)"', text):
                if href not in seen and not href.startswith("/static/"):
                    queue.append(href.replace("&amp;", "&"))
    assert problems == []
    # Every route, with its ids, was requested (logging out and changing language end the crawl's session).
    assert {u for _r, u in every_url(data) if "logout" not in u and "setlang" not in u} <= seen
    assert len(seen) >= 230
