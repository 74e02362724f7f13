"""Issue 20, review defect 5: the shared (public) link of an analysis session names no staff member: who
agreed and who changed a finding are shown by role; signed-in members still see names."""

from __future__ import annotations

from sauti.questionnaires.models import AnalysisSession, Finding
from tests.conftest import World
from tests.questionnaires.helpers import imported


def test_the_shared_link_shows_roles_not_names(world: World) -> None:
    form = imported(world.umoja, "eviction")
    coordinator = world.client_for(world.wanjiku)
    coordinator.post(f"/forms/{form.pk}/sessions/new/", {"group": world.mathare_group.pk, "title": "S"})
    session = AnalysisSession.objects.get()
    assert coordinator.post(f"/forms/sessions/{session.pk}/", {"text": "Few notices"}).status_code == 302
    finding = Finding.objects.get()
    assert coordinator.post(f"/forms/findings/{finding.pk}/agree/").status_code == 302
    public = world.client_for(None).get(f"/forms/shared/{session.token}/").content.decode()
    names = [world.wanjiku.username, world.wanjiku.get_full_name() or world.wanjiku.username]
    assert [n for n in names if n in public] == []
    assert "Coordinator" in public
    inside = coordinator.get(f"/forms/sessions/{session.pk}/").content.decode()
    assert names[1] in inside
