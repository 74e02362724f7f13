"""Participatory analysis: a coordinator opens a session for a group; results filtered to the group's ward;
findings linked to figures and cases, agreement with history, a conclusion becomes a dialogue priority;
the shared link shows the same without identities or controls."""

from __future__ import annotations

from django.utils import timezone

from sauti.dialogues.models import Priority, Programme
from sauti.places.models import Ward
from sauti.questionnaires.actions import Incoming, do_receive_submission
from sauti.questionnaires.models import AnalysisSession, Finding, FindingEvent, Submission
from tests.conftest import World
from tests.questionnaires.helpers import imported

MABATINI = "-1.2621 36.8577"


def test_a_session_from_figures_to_a_priority(world: World) -> None:
    form = imported(world.umoja, "eviction")
    for n, (point, notice) in enumerate(
        [(MABATINI, "none"), (MABATINI, "none"), ("-1.0440 36.7930", "written")]
    ):
        do_receive_submission(
            form,
            Incoming(
                instance_id=f"uuid:s{n}",
                answers={
                    "notice": notice,
                    "households": 5,
                    "location": point,
                    "respondent_name": "Secret Person",
                },
                channel=Submission.Channel.WEB,
            ),
        )
    # The Mathare group monitors Mabatini (ward 1446 in the personas; use the ward the points fall in).
    world.mathare_group.ward = Ward.objects.get(code=1445)
    world.mathare_group.save()
    coordinator = world.client_for(world.wanjiku)
    assert (
        world.client_for(world.otieno)
        .post(f"/forms/{form.pk}/sessions/new/", {"group": world.mathare_group.pk})
        .status_code
        == 403
    )
    response = coordinator.post(
        f"/forms/{form.pk}/sessions/new/", {"group": world.mathare_group.pk, "title": "Mathare evictions"}
    )
    session = AnalysisSession.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/forms/sessions/{session.pk}/"
    page = coordinator.get(f"/forms/sessions/{session.pk}/").content.decode()
    assert "2 submissions" in page  # only the group's ward
    assert "Secret Person" not in page
    reported = Submission.objects.filter(report__isnull=False).select_related("report__case").first()
    assert reported is not None and reported.report is not None and reported.report.case is not None
    case = reported.report.case
    # A group leader of this group takes part; one of another group may not.
    leader = world.client_for(world.achieng)
    added = leader.post(
        f"/forms/sessions/{session.pk}/",
        {
            "text": "Every eviction in Mabatini came without notice",
            "figures": ["notice=none"],
            "cases": str(case.pk),
        },
    )
    assert added.status_code == 302
    finding = Finding.objects.get()
    assert finding.figures[0]["key"] == "notice=none" and "2 (100.0%)" in finding.figures[0]["text"]
    assert list(finding.cases.all()) == [case]
    assert world.client_for(world.kamau).post(f"/forms/findings/{finding.pk}/agree/").status_code == 302
    assert (
        leader.post(
            f"/forms/findings/{finding.pk}/edit/", {"text": "All evictions in Mabatini: no notice"}
        ).status_code
        == 302
    )
    finding.refresh_from_db()
    assert finding.agreements.count() == 0  # agreement was to the old words
    assert FindingEvent.objects.filter(
        finding=finding, kind="edited", text_before__startswith="Every"
    ).exists()
    for user in (world.achieng, world.kamau):
        world.client_for(user).post(f"/forms/findings/{finding.pk}/agree/")
    world.client_for(world.kamau).post(f"/forms/findings/{finding.pk}/agree/")  # once per person
    assert finding.agreements.count() == 2
    assert leader.post(f"/forms/findings/{finding.pk}/conclude/").status_code == 403
    assert coordinator.post(f"/forms/findings/{finding.pk}/conclude/").status_code == 302
    finding.refresh_from_db()
    assert finding.status == "conclusion"
    assert coordinator.post(f"/forms/findings/{finding.pk}/edit/", {"text": "changed"}).status_code == 400
    programme = Programme.objects.create(
        organisation=world.umoja,
        title="Housing",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    assert (
        coordinator.post(f"/forms/findings/{finding.pk}/priority/", {"programme": programme.pk}).status_code
        == 302
    )
    priority = Priority.objects.get()
    assert (
        priority.title == "All evictions in Mabatini: no notice" and priority.raised_by == world.mathare_group
    )
    assert list(priority.cases.all()) == [case]
    kinds = list(FindingEvent.objects.filter(finding=finding).values_list("kind", flat=True))
    assert kinds == ["written", "agreed", "edited", "agreed", "agreed", "concluded", "prioritised"]
    # The shared link: figures and findings, who agreed, no controls, no identities.
    shared = world.client_for(None).get(f"/forms/shared/{session.token}/")
    body = shared.content.decode()
    assert (
        shared.status_code == 200
        and "All evictions in Mabatini" in body
        and "kamau" not in body
        and "Analyst" in body
    )
    assert '<form method="post" action="/forms/findings' not in body and "Secret Person" not in body
    assert world.client_for(None).get("/forms/shared/not-a-token/").status_code == 404
    # Other people's groups and organisations.
    other_leader_group = world.kiambu_group
    session2 = AnalysisSession.objects.create(
        organisation=world.umoja,
        group=other_leader_group,
        questionnaire=form,
        title="Kiambu",
        opened_by=world.wanjiku,
    )
    assert leader.get(f"/forms/sessions/{session2.pk}/").status_code == 403
    assert world.client_for(world.bob).get(f"/forms/sessions/{session.pk}/").status_code == 404
    coordinator.post(f"/forms/sessions/{session.pk}/close/")
    assert world.client_for(None).get(f"/forms/shared/{session.token}/").status_code == 404


def test_a_conclusion_says_what_to_create_first_when_there_is_no_programme_or_memorandum(
    world: World,
) -> None:
    form = imported(world.umoja, "water")
    from sauti.questionnaires.actions import do_agree, do_conclude, do_open_session, do_record_finding

    session = do_open_session(form, world.mathare_group, world.wanjiku, "Water evening")
    finding = do_record_finding(session, world.wanjiku, "Meters cut the water")
    do_agree(finding, world.wanjiku)
    do_conclude(finding, world.wanjiku)
    page = world.client_for(world.wanjiku).get(f"/forms/sessions/{session.pk}/").content.decode()
    assert "Make it a priority of the programme" not in page
    assert "create a dialogue programme first" in page and 'href="/dialogues/"' in page
    assert "draft a memorandum first" in page and f'href="/budgets/{world.umoja.slug}/proposals/"' in page
    # With a programme, the choice is offered instead.
    Programme.objects.create(
        organisation=world.umoja, title="Mathare water", starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )  # fmt: skip
    page = world.client_for(world.wanjiku).get(f"/forms/sessions/{session.pk}/").content.decode()
    assert "Make it a priority of the programme" in page and "create a dialogue programme first" not in page
    # A group leader taking part sees neither action nor the hints.
    leader = world.client_for(world.achieng).get(f"/forms/sessions/{session.pk}/").content.decode()
    assert "create a dialogue programme first" not in leader and "draft a memorandum first" not in leader
