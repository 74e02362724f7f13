"""From monitoring to the next planning cycle: a memorandum (PDF, DOCX, en/sw) and its fate in the chain."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document as Docx

from django.utils import timezone

from sauti.audit.models import AuditEntry
from sauti.budgets.models import Project, Proposal
from sauti.dialogues import actions as dialogue_actions
from sauti.dialogues.models import Priority
from sauti.people.models import Office
from tests.conftest import World


def _priority(world: World) -> Priority:
    today = timezone.localdate()
    programme = dialogue_actions.do_create_programme(
        world.umoja, world.wanjiku, title="Mombasa budget hearings", starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=100), groups=[world.mathare_group],
    )  # fmt: skip
    return dialogue_actions.do_raise_priority(
        programme, world.wanjiku, title="Finish the ECD centre at Amani Primary", group=world.mathare_group
    )


def test_a_proposal_carries_priorities_and_flagged_projects_to_the_next_cycle(mombasa: World) -> None:
    priority = _priority(mombasa)
    flagged = Project.objects.get(organisation=mombasa.umoja, source_row=2)
    client = mombasa.client_for(mombasa.wanjiku)
    page = client.get("/budgets/umoja/proposals/").content.decode()
    assert "Finish the ECD centre" in page and flagged.name in page
    # Bad input: the reason, not a 500.
    assert client.post("/budgets/umoja/proposals/", {"title": "x", "cycle": ""}).status_code == 400
    assert client.post("/budgets/umoja/proposals/", {"title": "x", "cycle": "ADP 2026/27"}).status_code == 400
    assert (
        client.post(
            "/budgets/umoja/proposals/", {"title": "x", "cycle": "ADP", "projects": ["999999"]}
        ).status_code
        == 400
    )
    office = Office.objects.get(name="Chief, Mabatini")
    response = client.post(
        "/budgets/umoja/proposals/",
        {"title": "Mombasa ADP 2026/27 memorandum", "cycle": "ADP 2026/27", "priorities": [priority.pk],
         "projects": [flagged.pk], "office": office.pk},
    )  # fmt: skip
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    url = f"/budgets/umoja/proposals/{proposal.pk}/"
    for language in ("en", "sw"):
        pdf = client.get(url + f"document/?language={language}&format=pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        docx = client.get(url + f"document/?language={language}&format=docx")
        text = "\n".join(p.text for p in Docx(io.BytesIO(docx.content)).paragraphs)
        assert "Finish the ECD centre" in text and flagged.name in text
        assert (
            "Memorandum to Chief, Mabatini" if language == "en" else "Memoranda kwa Chief, Mabatini"
        ) in text
        assert (
            "p. 377, row 2" in text
            and ("Listed twice" if language == "en" else "Imeorodheshwa mara mbili") in text
        )
    assert client.get(url + "document/?language=fr&format=pdf").status_code == 400
    assert AuditEntry.objects.filter(model="budgets.proposal_document").count() == 4

    # The fate: a decision needs its record; then it shows in the priority's chain.
    assert client.post(url + "fate/", {"fate": "accepted", "note": ""}).status_code == 400
    assert client.post(url + "fate/", {"fate": "maybe"}).status_code == 400
    chain = client.get(f"/dialogues/priorities/{priority.pk}/").content.decode()
    assert "Proposal to the next planning cycle" in chain and "Drafted" in chain
    response = client.post(
        url + "fate/", {"fate": "accepted", "note": "ADP 2026/27, p. 112, Education programme"}
    )
    assert response.status_code == 302
    chain = client.get(f"/dialogues/priorities/{priority.pk}/").content.decode()
    assert "Outcome in the plan or budget" in chain and "ADP 2026/27, p. 112" in chain
    assert AuditEntry.objects.filter(model="budgets.proposal").exists()
    # Only managers make documents and record outcomes.
    monitor = mombasa.client_for(mombasa.otieno)
    assert monitor.get(url).status_code == 200
    assert monitor.get(url + "document/?language=en&format=pdf").status_code == 403
    assert monitor.post(url + "fate/", {"fate": "rejected", "note": "x"}).status_code == 403
    assert monitor.post("/budgets/umoja/proposals/", {"title": "x", "cycle": "y"}).status_code == 403
    assert mombasa.client_for(mombasa.bob).get(url).status_code == 404
