"""Every budgets page as every persona (GET), and the public pages without a login."""

from __future__ import annotations

import pytest

from sauti.budgets.actions import ObservationInput, do_observe
from sauti.budgets.models import Project, Proposal
from tests.conftest import World

PERSONAS = ("alice", "wanjiku", "bob", "otieno", "achieng", "kamau", "chief", "outsider")
# page -> status for each persona in PERSONAS order
EXPECTED: dict[str, tuple[int, ...]] = {
    "register": (200, 200, 404, 200, 200, 200, 200, 404),
    "import": (200, 200, 404, 403, 403, 403, 403, 404),
    "project": (200, 200, 404, 200, 200, 200, 200, 404),
    "proposals": (200, 200, 404, 200, 200, 200, 200, 404),
    "proposal": (200, 200, 404, 200, 200, 200, 200, 404),
    "document": (200, 200, 404, 403, 403, 403, 403, 404),
    "scorecard": (200,) * 8,
    "departments": (200,) * 8,
    "template": (200,) * 8,
}


def urls(w: World) -> dict[str, str]:
    project = Project.objects.filter(organisation=w.umoja).first()
    assert project is not None
    proposal = Proposal.objects.create(
        organisation=w.umoja, title="T", cycle="ADP 2026/27", created_by=w.wanjiku
    )
    proposal.projects.add(project)
    return {
        "register": "/budgets/umoja/",
        "import": "/budgets/umoja/import/",
        "project": f"/budgets/umoja/projects/{project.number}/",
        "proposals": "/budgets/umoja/proposals/",
        "proposal": f"/budgets/umoja/proposals/{proposal.pk}/",
        "document": f"/budgets/umoja/proposals/{proposal.pk}/document/?language=sw&format=docx",
        "scorecard": "/budgets/umoja/scorecard/",
        "departments": "/budgets/umoja/departments/1/",
        "template": "/budgets/template/en.csv",
    }


@pytest.mark.parametrize("index", range(len(PERSONAS)), ids=PERSONAS)
def test_every_budgets_url_by_role(mombasa: World, index: int) -> None:
    client = mombasa.client_for(getattr(mombasa, PERSONAS[index]))
    got = {key: client.get(url).status_code for key, url in urls(mombasa).items()}
    assert got == {key: statuses[index] for key, statuses in EXPECTED.items()}


def test_anonymous_visitors_see_only_the_public_pages(mombasa: World) -> None:
    client = mombasa.client_for(None)
    public = {"scorecard", "departments", "template"}
    for key, url in urls(mombasa).items():
        status = client.get(url).status_code
        assert status == (200 if key in public else 302), key


def test_public_pages_name_no_observer(mombasa: World) -> None:
    project = Project.objects.get(organisation=mombasa.umoja, source_row=5)
    do_observe(project, ObservationInput(status="stalled", note="Seen by Njeri Wambui", by=mombasa.otieno))
    client = mombasa.client_for(None)
    page = client.get("/budgets/umoja/scorecard/?ward=8").content.decode()
    assert "otieno" not in page and "Njeri" not in page and "Stalled" in page
