"""Issue 20, items 3 and 5 on the budgets side: a questionnaire submission linked to a development project
from the submission's page (audited, shown on both sides), and an agreed conclusion of an analysis session
made an item of a memorandum (audited, copied with its figures, in the finding's history and the document)."""

from __future__ import annotations

import io

from docx import Document as Docx

from sauti.audit.models import AuditEntry
from sauti.budgets.models import Project, Proposal, ProposalConclusion, SubmissionLink
from sauti.questionnaires.actions import (
    Incoming,
    do_agree,
    do_conclude,
    do_open_session,
    do_receive_submission,
    do_record_finding,
)
from sauti.questionnaires.models import Finding, FindingEvent, Submission
from tests.conftest import World
from tests.questionnaires.helpers import imported


def _submission(world: World) -> Submission:
    form = imported(world.umoja, "water")
    return do_receive_submission(
        form,
        Incoming(
            instance_id="uuid:p1", answers={"working": "no", "price": 50}, channel=Submission.Channel.WEB
        ),
    ).submission


def test_a_coordinator_links_a_submission_to_a_project_from_its_page(mombasa: World) -> None:
    world = mombasa
    sub = _submission(world)
    project = Project.objects.filter(organisation=world.umoja).order_by("number").first()
    assert project is not None
    coordinator = world.client_for(world.wanjiku)
    page = coordinator.get(f"/forms/submissions/{sub.pk}/").content.decode()
    assert "Not linked to a project." in page and f'<option value="{project.number}"' in page
    searched = coordinator.get(f"/forms/submissions/{sub.pk}/", {"project_q": "no such project zzz"})
    assert "No project matches." in searched.content.decode()
    url = f"/budgets/umoja/submissions/{sub.pk}/project/"
    response = coordinator.post(url, {"project": project.number})
    assert response.status_code == 302 and response["Location"] == f"/forms/submissions/{sub.pk}/"
    link = SubmissionLink.objects.get()
    assert link.project == project and link.linked_by == world.wanjiku
    assert AuditEntry.objects.filter(model="budgets.submissionlink", action="create").exists()
    page = coordinator.get(f"/forms/submissions/{sub.pk}/").content.decode()
    assert f"/budgets/umoja/projects/{project.number}/" in page
    project_page = coordinator.get(f"/budgets/umoja/projects/{project.number}/").content.decode()
    assert f"/forms/submissions/{sub.pk}/" in project_page and "Water-point survey" in project_page
    # The chief sees the project but not the submission's answers: the form and date, no link.
    chief_page = (
        world.client_for(world.chief).get(f"/budgets/umoja/projects/{project.number}/").content.decode()
    )
    assert "Water-point survey" in chief_page and f"/forms/submissions/{sub.pk}/" not in chief_page
    # Moved to another project, then removed: each change audited.
    other = Project.objects.filter(organisation=world.umoja).exclude(pk=project.pk).first()
    assert other is not None
    assert coordinator.post(url, {"project": other.number}).status_code == 302
    assert SubmissionLink.objects.get().project == other
    assert coordinator.post(url, {"project": ""}).status_code == 302
    assert not SubmissionLink.objects.exists()
    assert set(
        AuditEntry.objects.filter(model="budgets.submissionlink").values_list("action", flat=True)
    ) == {"create", "update", "delete"}


def test_linking_refuses_bad_input_and_other_people(mombasa: World) -> None:
    world = mombasa
    sub = _submission(world)
    url = f"/budgets/umoja/submissions/{sub.pk}/project/"
    coordinator = world.client_for(world.wanjiku)
    assert coordinator.post(url, {"project": "9999"}).status_code == 400
    assert coordinator.post(url, {"project": "x"}).status_code == 400
    assert coordinator.get(url).status_code == 405
    assert world.client_for(world.otieno).post(url, {"project": 1}).status_code == 403
    assert world.client_for(world.bob).post(url, {"project": 1}).status_code == 404
    # Haki's coordinator cannot reach Umoja's submission through Haki's register either.
    assert (
        world.client_for(world.bob)
        .post(f"/budgets/haki/submissions/{sub.pk}/project/", {"project": 1})
        .status_code
        == 404
    )
    assert not SubmissionLink.objects.exists()


def _conclusion(world: World) -> Finding:
    form = imported(world.umoja, "water")
    session = do_open_session(form, world.mathare_group, world.wanjiku, "Water in Mabatini")
    finding = do_record_finding(
        session,
        world.achieng,
        "Water points in Mabatini broke after the new meters; call Njeri Wambui on 0712000001",
        figures=[{"key": "working=no", "text": "Is the water point working?: No — 3 (60.0%)"}],
    )
    do_agree(finding, world.achieng)
    return do_conclude(finding, world.wanjiku)


def test_a_conclusion_becomes_an_item_of_a_memorandum(mombasa: World) -> None:
    world = mombasa
    finding = _conclusion(world)
    proposal = Proposal.objects.create(
        organisation=world.umoja, title="Memorandum on water", cycle="ADP 2026/27", created_by=world.wanjiku
    )
    coordinator = world.client_for(world.wanjiku)
    session_page = coordinator.get(f"/forms/sessions/{finding.session_id}/").content.decode()
    assert "Make it an item of the memorandum" in session_page and "Memorandum on water" in session_page
    url = f"/budgets/umoja/conclusions/{finding.pk}/memorandum/"
    response = coordinator.post(url, {"proposal": proposal.pk})
    assert response.status_code == 302 and response["Location"] == f"/forms/sessions/{finding.session_id}/"
    item = ProposalConclusion.objects.get()
    assert item.finding == finding and item.figures == finding.figures and item.text == finding.text
    assert AuditEntry.objects.filter(model="budgets.proposalconclusion", action="create").exists()
    event = FindingEvent.objects.filter(finding=finding).last()
    assert event is not None and event.kind == "memorandum" and event.detail == "Memorandum on water"
    session_page = coordinator.get(f"/forms/sessions/{finding.session_id}/").content.decode()
    assert (
        f"/budgets/umoja/proposals/{proposal.pk}/" in session_page
        and "memorandum · Memorandum on water" in session_page
    )
    assert coordinator.post(url, {"proposal": proposal.pk}).status_code == 400  # once
    proposal_page = coordinator.get(f"/budgets/umoja/proposals/{proposal.pk}/").content.decode()
    assert "Water points in Mabatini broke" in proposal_page and "3 (60.0%)" in proposal_page
    assert "Njeri Wambui" not in proposal_page and "0712000001" not in proposal_page
    docx = coordinator.get(
        f"/budgets/umoja/proposals/{proposal.pk}/document/", {"language": "en", "format": "docx"}
    )
    assert docx.status_code == 200
    text = "\n".join(p.text for p in Docx(io.BytesIO(docx.content)).paragraphs)
    assert "What the community concluded from its own monitoring" in text
    assert "Water points in Mabatini broke" in text and "No — 3 (60.0%)" in text
    assert "Agreed by 1 member of Mathare Mothers" in text and "Njeri Wambui" not in text
    pdf = coordinator.get(
        f"/budgets/umoja/proposals/{proposal.pk}/document/", {"language": "sw", "format": "pdf"}
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_only_agreed_conclusions_of_drafts_of_the_same_organisation(mombasa: World) -> None:
    world = mombasa
    finding = _conclusion(world)
    draft = Proposal.objects.create(
        organisation=world.umoja, title="Draft", cycle="ADP", created_by=world.wanjiku
    )
    sent = Proposal.objects.create(
        organisation=world.umoja,
        title="Sent",
        cycle="ADP",
        created_by=world.wanjiku,
        fate=Proposal.Fate.SUBMITTED,
    )
    haki = Proposal.objects.create(organisation=world.haki, title="Haki's", cycle="ADP", created_by=world.bob)
    url = f"/budgets/umoja/conclusions/{finding.pk}/memorandum/"
    coordinator = world.client_for(world.wanjiku)
    assert coordinator.post(url, {"proposal": sent.pk}).status_code == 400
    assert coordinator.post(url, {"proposal": haki.pk}).status_code == 400
    assert coordinator.post(url, {"proposal": "x"}).status_code == 400
    assert world.client_for(world.achieng).post(url, {"proposal": draft.pk}).status_code == 403
    assert world.client_for(world.bob).post(url, {"proposal": draft.pk}).status_code == 404
    open_finding = do_record_finding(finding.session, world.achieng, "Not yet agreed")
    assert (
        coordinator.post(
            f"/budgets/umoja/conclusions/{open_finding.pk}/memorandum/", {"proposal": draft.pk}
        ).status_code
        == 400
    )
    assert not ProposalConclusion.objects.exists()
