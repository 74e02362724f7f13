"""Every questionnaire URL requested as every persona (GET): allowed, forbidden (403) or hidden (404)."""

from __future__ import annotations

import pytest

from sauti.questionnaires.actions import Incoming, do_receive_submission
from sauti.questionnaires.models import AnalysisSession, Submission
from tests.conftest import World
from tests.questionnaires.helpers import imported


def urls(w: World) -> dict[str, str]:
    form = imported(w.umoja)
    other = imported(w.haki, form_id="haki_water")
    sub = do_receive_submission(
        form, Incoming(instance_id="uuid:a", answers={"working": "yes"}, channel=Submission.Channel.WEB)
    ).submission
    session = AnalysisSession.objects.create(
        organisation=w.umoja, group=w.mathare_group, questionnaire=form, title="S", opened_by=w.wanjiku
    )
    assert form.current is not None
    return {
        "list": "/forms/",
        "build": "/forms/org/umoja/build/",
        "detail": f"/forms/{form.pk}/",
        "xlsx": f"/forms/{form.pk}/versions/{form.current.pk}.xlsx",
        "answer": f"/forms/{form.pk}/answer/",
        "results": f"/forms/{form.pk}/results/",
        "export": f"/forms/{form.pk}/export.csv",
        "submissions": f"/forms/{form.pk}/submissions/",
        "submission": f"/forms/submissions/{sub.pk}/",
        "session": f"/forms/sessions/{session.pk}/",
        "other_org": f"/forms/{other.pk}/",
    }


K = [
    "list",
    "build",
    "detail",
    "xlsx",
    "answer",
    "results",
    "export",
    "submissions",
    "submission",
    "session",
    "other_org",
]
MATRIX: dict[str, list[int]] = {
    "alice":    [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
    "wanjiku":  [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404],
    "bob":      [200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 200],
    "otieno":   [200, 403, 200, 200, 200, 200, 403, 200, 200, 200, 404],
    "achieng":  [200, 403, 200, 200, 200, 200, 403, 403, 403, 200, 404],
    "kamau":    [200, 403, 200, 200, 403, 200, 200, 200, 200, 200, 404],
    "chief":    [200, 403, 200, 200, 403, 200, 403, 403, 403, 403, 404],
    "outsider": [200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404],
}  # fmt: skip


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_every_questionnaire_url_by_role(world: World, persona: str) -> None:
    pages = urls(world)
    client = world.client_for(getattr(world, persona))
    got = [client.get(pages[key]).status_code for key in K]
    assert dict(zip(K, got, strict=True)) == dict(zip(K, MATRIX[persona], strict=True))


def test_anonymous_visitors_are_sent_to_log_in(world: World) -> None:
    pages = urls(world)
    client = world.client_for(None)
    for key in K:
        response = client.get(pages[key])
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), key
