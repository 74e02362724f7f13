"""Own questionnaires in the browser: upload an XLSForm, answer it on the web and by (simulated) SMS, link a
submission to a budget project, read the results with a cross-tab, and hold an analysis session that agrees
a conclusion and makes it an item of a memorandum."""

from __future__ import annotations

from io import StringIO

import pytest
from playwright.sync_api import FilePayload, Page, expect
from pytest_django.live_server_helper import LiveServer

from django.core.management import call_command

from sauti.budgets.models import Project, Proposal, ProposalConclusion, SubmissionLink
from sauti.messaging.models import Channel, ChannelKind
from sauti.monitoring.actions import do_seed_taxonomy
from sauti.people.models import Group, Membership, Organisation, Role
from sauti.places.models import County, Ward
from sauti.questionnaires import samples
from sauti.questionnaires.models import Finding, Questionnaire, Submission
from tests.browser.helpers import login, shot
from tests.budgets.conftest import COB_TEXT
from tests.conftest import PASSWORD, make_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def organisation(db: None) -> Organisation:
    call_command("places", "load", stdout=StringIO())
    org = Organisation.objects.create(name="Umoja Women's Network", slug="umoja")
    Group.objects.create(
        organisation=org, name="Mathare Mothers", kind="women", ward=Ward.objects.get(code=1446)
    )
    Channel.objects.create(organisation=org, kind=ChannelKind.DEV, name="Dev", address="SIM")
    wanjiku = make_user("wanjiku", first_name="Wanjiku", last_name="Kamau")
    Membership.objects.create(user=wanjiku, organisation=org, role=Role.COORDINATOR)
    return org


def test_upload_answer_results_and_session(
    page: Page, live_server: LiveServer, organisation: Organisation
) -> None:
    login(page, live_server, "wanjiku", PASSWORD)
    page.goto("/forms/")
    page.set_input_files(
        "input[name=file]",
        files=FilePayload(name="water.xlsx", mimeType=XLSX, buffer=samples.xlsx(samples.WATER)),
    )
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator("h1")).to_contain_text("Water-point survey")
    expect(page.locator("body")).to_contain_text("By SMS: send MAJI")
    shot(page, "questionnaires-01-uploaded")
    form = Questionnaire.objects.get(form_id="water_point")

    # A broken form is refused with its sheet and row.
    broken = {k: [list(r) for r in v] for k, v in samples.WATER.items()}
    broken["survey"][2][0] = "select_one nowhere"
    page.goto("/forms/")
    page.set_input_files(
        "input[name=file]",
        files=FilePayload(name="bad.xlsx", mimeType=XLSX, buffer=samples.xlsx(broken)),
    )
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator(".errorlist")).to_contain_text("Sheet “survey”, row 3")
    shot(page, "questionnaires-02-refused")

    # Answer on the web (no JavaScript needed).
    page.goto(f"/forms/{form.pk}/answer/")
    page.get_by_label("Not working").check()
    page.get_by_label("Public tap").check()
    page.get_by_label("Price of a 20 l jerrican (KES)?").fill("20")
    page.locator("input[name=disconnected][value=yes]").check()
    page.get_by_label("New meters").check()
    shot(page, "questionnaires-03-web-form")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("h1")).to_have_text("Thank you")

    # Answer by SMS in the phone simulator, one question per message.
    page.goto("/messaging/umoja/simulator/")
    for text, expected in [
        ("MAJI", "1/6"),
        ("1", "2/6"),
        ("3", "3/6"),
        ("10", "4/6"),
        ("5", "5/6"),
        ("2", "6/6"),
        ("4", "Asante"),
    ]:
        page.locator("textarea[name=text]").fill(text)
        page.get_by_role("button", name="Send SMS").click()
        expect(page.locator("#sim-thread")).to_contain_text(expected)
    shot(page, "questionnaires-04-sms")
    assert Submission.objects.filter(questionnaire=form).count() == 2

    # The web answer is about a county project: the coordinator finds it and links it (issue 20, item 3).
    do_seed_taxonomy(organisation)
    organisation.county = County.objects.get(code=1)
    organisation.save()
    call_command(
        "budgets", "import", str(COB_TEXT), "--org", "umoja", "--county", "1", "--json", stdout=StringIO()
    )
    project = Project.objects.filter(organisation=organisation).order_by("number").first()
    assert project is not None
    web = Submission.objects.get(questionnaire=form, channel=Submission.Channel.WEB)
    page.goto(f"/forms/submissions/{web.pk}/")
    expect(page.locator("#budget-project")).to_contain_text("Not linked to a project.")
    page.locator("input[name=project_q]").fill(project.name.split()[0])
    page.get_by_role("button", name="Search").click()
    page.locator("select[name=project]").select_option(str(project.number))
    page.get_by_role("button", name="Link to the project").click()
    expect(page.locator("#budget-project")).to_contain_text(f"{project.reference} {project.name}")
    shot(page, "questionnaires-05a-linked-to-project")
    assert SubmissionLink.objects.get().project == project
    page.goto(f"/budgets/umoja/projects/{project.number}/")
    expect(page.locator("#submissions")).to_contain_text("Water-point survey")

    # Results with a cross-tab.
    page.goto(f"/forms/{form.pk}/results/?rows=working&cols=disconnected")
    expect(page.locator("p.total")).to_contain_text("2 submissions")
    expect(page.locator("svg.q-chart").first).to_be_visible()
    expect(page.locator("table.crosstab")).to_contain_text("Not working")
    shot(page, "questionnaires-05-results")

    # An analysis session: record a finding linked to a figure, agree, conclude.
    page.goto(f"/forms/{form.pk}/")
    page.get_by_role("button", name="Open a session").click()
    page.get_by_label("Finding").first.fill("Half of the water points we visited are not working")
    page.locator("input[name=figures]").first.check()
    page.get_by_role("button", name="Record").click()
    page.get_by_role("button", name="I agree").click()
    page.get_by_role("button", name="Agreed: make it a conclusion").click()
    expect(page.locator(".finding.conclusion")).to_contain_text("Half of the water points")
    shot(page, "questionnaires-06-session")
    assert Finding.objects.get().status == "conclusion"

    # The conclusion becomes an item of a memorandum being drafted (issue 20, item 5).
    proposal = Proposal.objects.create(
        organisation=organisation, title="Memorandum on water, ADP 2027/28", cycle="ADP 2027/28"
    )
    page.reload()
    page.get_by_role("button", name="Make it an item of the memorandum").click()
    expect(page.locator(".finding.conclusion")).to_contain_text("Item of the memorandum: Memorandum on water")
    expect(page.locator(".finding.conclusion details")).to_contain_text("memorandum")
    shot(page, "questionnaires-07-memorandum-item")
    assert ProposalConclusion.objects.get().proposal == proposal
    page.get_by_role("link", name="Memorandum on water, ADP 2027/28").click()
    expect(page.locator("#conclusions")).to_contain_text("Half of the water points")
    shot(page, "questionnaires-08-memorandum")
