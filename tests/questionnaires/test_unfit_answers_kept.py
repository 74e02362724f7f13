"""Issue 20, review defect 2: a submission from ODK whose answers do not fit the form (another version, or
a form changed since the phone downloaded it) is never lost: it is kept, flagged, the answers that did not
fit are recorded and shown, and the results say how many are flagged."""

from __future__ import annotations

from sauti.questionnaires.models import Submission
from tests.conftest import World
from tests.questionnaires.helpers import imported, instance, post_instance


def test_another_version_with_an_answer_that_does_not_fit_is_kept_and_flagged(world: World) -> None:
    form = imported(world.umoja)
    xml = instance("water_point", "77", "<working>maybe</working><price>20</price>", "uuid:u-1")
    response = post_instance(world.client_for(None), xml)
    assert response.status_code == 201, response.content
    sub = Submission.objects.get(instance_id="uuid:u-1")
    assert sub.mismatch and sub.answers["price"] == 20 and "working" not in sub.answers
    assert sub.answers["_unfit"] == {"working": "maybe"}
    listing = world.client_for(world.kamau).get(f"/forms/{form.pk}/submissions/").content.decode()
    assert "other version" in listing
    detail = world.client_for(world.kamau).get(f"/forms/submissions/{sub.pk}/").content.decode()
    assert "did not fit the form" in detail and "maybe" in detail
    results = world.client_for(world.kamau).get(f"/forms/{form.pk}/results/").content.decode()
    assert "flagged" in results


def test_same_version_answers_that_do_not_fit_from_odk_are_kept_and_flagged(world: World) -> None:
    imported(world.umoja)
    xml = instance("water_point", "2026120101", "<working>yes</working><price>twenty</price>", "uuid:u-2")
    assert post_instance(world.client_for(None), xml).status_code == 201
    sub = Submission.objects.get(instance_id="uuid:u-2")
    assert sub.mismatch and sub.answers["_unfit"] == {"price": "twenty"} and sub.answers["working"] == "yes"
    # A retry of the same instance is a duplicate, not a second submission.
    assert post_instance(world.client_for(None), xml).status_code == 202
    assert Submission.objects.count() == 1


def test_the_web_page_still_refuses_an_answer_that_does_not_fit(world: World) -> None:
    form = imported(world.umoja)
    response = world.client_for(world.otieno).post(
        f"/forms/{form.pk}/answer/", {"working": "maybe", "price": "20"}
    )
    assert response.status_code in (200, 400) and Submission.objects.count() == 0
