"""Mapping exercises (issue 18): hotspots by segment, the actor network, two snapshots compared."""

from __future__ import annotations

from sauti.dialogues import actions as dialogue_actions
from sauti.mapping.models import Actor, Hotspot, MappingExercise, Tie
from tests.dialogues.conftest import Dialogue, past


def _exercise(d: Dialogue, title: str, hours: int) -> MappingExercise:
    meeting = dialogue_actions.do_schedule_meeting(
        d.programme,
        d.world.wanjiku,
        kind="mapping",
        title=title,
        starts_at=past(hours),
        ends_at=past(hours - 2),
        already_held=True,
    )
    c = d.world.client_for(d.world.wanjiku)
    r = c.post(f"/mapping/meeting/{meeting.pk}/new/", {"title": title})
    assert r.status_code == 302
    return MappingExercise.objects.get(meeting=meeting)


def test_hotspots_and_actors_through_the_pages(dia: Dialogue) -> None:
    c = dia.world.client_for(dia.world.wanjiku)
    ex = _exercise(dia, "Safe and unsafe spots, March", 200)
    assert c.get(f"/mapping/{ex.pk}/").status_code == 200  # creates the programme's default segments
    for data in (
        {
            "label": "Kamukunji grounds",
            "kind": "unsafe",
            "segment": "youth",
            "reason": "Police swoops at night",
        },
        {"label": "Kamukunji grounds", "kind": "safe", "segment": "police", "reason": "Patrolled"},
        {"label": "Mathare 4A", "kind": "go_zone", "segment": "women", "lat": "-1.2598", "lon": "36.8605"},
    ):
        assert c.post(f"/mapping/{ex.pk}/hotspots/", data).status_code == 302
    marked = Hotspot.objects.get(label="Mathare 4A")
    assert marked.ward is not None  # placed in its ward from the point
    for name, kind in (
        ("Pangani police station", "police"),
        ("Mathare youth group", "youth"),
        ("Chief's office", "administration"),
    ):
        assert c.post(f"/mapping/{ex.pk}/actors/", {"name": name, "kind": kind}).status_code == 302
    police, youth, chief = (
        Actor.objects.get(exercise=ex, name=n)
        for n in ("Pangani police station", "Mathare youth group", "Chief's office")
    )
    assert (
        c.post(
            f"/mapping/{ex.pk}/ties/",
            {"source": youth.pk, "target": police.pk, "kind": "mistrust", "strength": "3"},
        ).status_code
        == 302
    )
    assert (
        c.post(
            f"/mapping/{ex.pk}/ties/",
            {"source": chief.pk, "target": police.pk, "kind": "cooperation", "strength": "2"},
        ).status_code
        == 302
    )
    page = c.get(f"/mapping/{ex.pk}/").content.decode()
    assert "seen differently" in page  # youth unsafe, police safe
    assert page.count('class="actor actor-') == 3
    assert page.count('class="tie tie-') == 2
    assert 'stroke-dasharray="6 3"' in page


def test_two_snapshots_side_by_side(dia: Dialogue) -> None:
    c = dia.world.client_for(dia.world.wanjiku)
    first, later = _exercise(dia, "March", 300), _exercise(dia, "September", 100)
    for ex, kind in ((first, "mistrust"), (later, "trust")):
        a = Actor.objects.create(exercise=ex, name="Police post", kind="police")
        b = Actor.objects.create(exercise=ex, name="Youth group", kind="youth")
        Tie.objects.create(exercise=ex, source=b, target=a, kind=kind, strength=2)
        Hotspot.objects.create(exercise=ex, label="Market", kind="unsafe" if ex is first else "safe")
    r = c.get(f"/mapping/{later.pk}/compare/?with={first.pk}")
    assert r.status_code == 200
    page = r.content.decode()
    snapshots = page[page.index('id="snapshots"') :]
    assert snapshots.index("March") < snapshots.index("September")
    assert "tie-mistrust" in page and "tie-trust" in page
    assert "Unsafe ×1" in page and "Safe ×1" in page


def test_bad_input_and_access(dia: Dialogue) -> None:
    w = dia.world
    c = w.client_for(w.wanjiku)
    ex = _exercise(dia, "March", 200)
    assert c.post(f"/mapping/{ex.pk}/hotspots/", {"label": "X", "kind": "lava"}).status_code == 400
    assert (
        c.post(f"/mapping/{ex.pk}/hotspots/", {"label": "X", "kind": "safe", "lat": "1"}).status_code == 400
    )
    assert (
        c.post(
            f"/mapping/{ex.pk}/hotspots/", {"label": "X", "kind": "safe", "lat": "95", "lon": "1"}
        ).status_code
        == 400
    )
    a = Actor.objects.create(exercise=ex, name="Police post", kind="police")
    assert (
        c.post(
            f"/mapping/{ex.pk}/ties/", {"source": a.pk, "target": a.pk, "kind": "trust", "strength": "2"}
        ).status_code
        == 400
    )
    assert c.post(f"/mapping/{ex.pk}/actors/", {"name": "Police post", "kind": "police"}).status_code == 400
    assert c.get(f"/mapping/{ex.pk}/compare/?with=abc").status_code == 400
    assert w.client_for(w.bob).get(f"/mapping/{ex.pk}/").status_code == 404
    assert w.client_for(w.kamau).get(f"/mapping/{ex.pk}/").status_code == 200
    assert (
        w.client_for(w.kamau).post(f"/mapping/{ex.pk}/actors/", {"name": "Y", "kind": "youth"}).status_code
        == 403
    )


def test_actor_maps_refuse_named_people_and_phones_but_keep_roles_and_groups(dia: Dialogue) -> None:
    """Review (session 6): "Chief Joseph Kariuki", "OCS Peter Mutua", "Kamau" (gangs), phones were stored."""
    c = dia.world.client_for(dia.world.wanjiku)
    ex = _exercise(dia, "Actors, April", 200)
    refused = [
        ("Chief Joseph Kariuki", "administration"),
        ("OCS Peter Mutua", "police"),
        ("John Kamau", "other"),
        ("Kamau", "gangs"),
        ("Kamau's boys", "gangs"),
        ("Gaza Boys", "gangs"),
        ("0722123456", "other"),
        ("Chairman 0722 123 456", "youth"),
        ("Sgt. Achieng", "police"),
        ("Mr Omondi", "other"),
        ("Pastor James", "faith"),
        ("Mama Njeri", "women"),
        ("Bw. Otieno", "business"),
        ("Insp. Wafula", "police"),
        ("Hon. Owino", "county"),
        ("Dr Mwangi", "other"),
        ("Mzee Kiprono", "residents"),
        ("Sheikh Abdallah", "faith"),
    ]
    for name, kind in refused:
        page = c.post(f"/mapping/{ex.pk}/actors/", {"name": name, "kind": kind})
        assert page.status_code == 400, name
    assert "name the role or group" in page.content.decode()
    assert not Actor.objects.filter(exercise=ex).exists()
    kept = [
        ("Chief", "administration"),
        ("OCS Kasarani", "police"),
        ("Chief's camp", "administration"),
        ("Chief of Korogocho location", "administration"),
        ("Assistant chief, Gitathuru sub-location", "administration"),
        ("Youth group Vijana Tujiunge", "youth"),
        ("Korogocho police post", "police"),
        ("Mama mboga traders", "business"),
        ("Women's groups", "women"),
        ("Gangs", "gangs"),
        ("Youth gangs near the dumpsite", "gangs"),
        ("Wazee wa mtaa", "residents"),
        ("Kituo cha polisi cha Kasarani", "police"),
        ("Chifu wa Korogocho", "administration"),
        ("Kanisa Katoliki St. John", "faith"),
        ("Boda boda riders", "business"),
    ]
    for name, kind in kept:
        assert c.post(f"/mapping/{ex.pk}/actors/", {"name": name, "kind": kind}).status_code == 302, name
    c.post("/i18n/setlang/", {"language": "sw", "next": "/"})
    sw = c.post(f"/mapping/{ex.pk}/actors/", {"name": "OCS Peter Mutua", "kind": "police"})
    assert sw.status_code == 400 and "taja cheo au kikundi" in sw.content.decode()
