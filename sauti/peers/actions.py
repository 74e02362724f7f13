"""Writes of peer learning: practices (with files kept without EXIF), exchange visits, lessons, adoptions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sauti.monitoring.actions import ReportError, sniff_upload, strip_exif
from sauti.peers.models import Adoption, ExchangeVisit, Lesson, Practice, PracticeFile
from sauti.people.models import Group, Organisation, User


class PeerError(ValueError):
    """Input refused; str(e) is the reason in the user's language."""


def _own_groups(org: Organisation, groups: Iterable[Group]) -> list[Group]:
    groups = list(groups)
    if any(g.organisation_id != org.pk for g in groups):
        raise PeerError(_("Groups must belong to the organisation."))
    return groups


def do_save_practice(
    org: Organisation,
    by: User,
    *,
    practice: Practice | None = None,
    groups: Iterable[Group] = (),
    **fields: object,
) -> Practice:
    groups = _own_groups(org, groups)
    with transaction.atomic():
        practice = practice or Practice(organisation=org)
        for name, value in fields.items():
            setattr(practice, name, value)
        practice.full_clean(exclude=["organisation"])
        practice.save()
        practice.groups.set(groups)
    return practice


def do_attach_practice_file(
    practice: Practice, by: User, upload: UploadedFile, caption: str = ""
) -> PracticeFile:
    """A photo (stored without its EXIF metadata: GPS, camera, time) or a PDF."""
    try:
        data, content_type = sniff_upload(upload)
        clean = strip_exif(data, content_type)
    except ReportError as e:
        raise PeerError(str(e)) from None
    item = PracticeFile(practice=practice, caption=caption.strip()[:200])
    item.file.save(upload.name or "file", ContentFile(clean if clean is not None else data), save=True)
    return item


def do_record_visit(
    org: Organisation,
    by: User,
    *,
    host_group: Group,
    visiting_groups: Iterable[Group],
    other_visitors: str,
    held_on: dt.date,
    place: str,
    practices: Iterable[Practice],
) -> ExchangeVisit:
    visiting = _own_groups(org, visiting_groups)
    _own_groups(org, [host_group])
    practices = list(practices)
    if not practices:
        raise PeerError(_("Name at least one practice shown during the visit."))
    if any(p.organisation_id != org.pk and not p.shareable for p in practices):
        raise PeerError(_("That practice is not shared."))
    if not visiting and not other_visitors.strip():
        raise PeerError(_("Name the visiting groups."))
    if host_group in visiting:
        raise PeerError(_("The host group cannot also be a visitor."))
    if held_on > timezone.localdate() + dt.timedelta(days=366):
        raise PeerError(_("That date is too far ahead."))
    with transaction.atomic():
        visit = ExchangeVisit.objects.create(
            organisation=org,
            host_group=host_group,
            other_visitors=other_visitors.strip(),
            held_on=held_on,
            place=place,
        )
        visit.visiting_groups.set(visiting)
        visit.practices.set(practices)
    return visit


def do_add_lesson(visit: ExchangeVisit, by: User, *, side: str, group_name: str, text: str) -> Lesson:
    if side not in Lesson.Side.values:
        raise PeerError(_("Say whether the host or a visitor learnt this."))
    if not text.strip() or not group_name.strip():
        raise PeerError(_("Write the lesson and the group that learnt it."))
    return Lesson.objects.create(visit=visit, side=side, group_name=group_name.strip(), text=text.strip())


def do_record_adoption(
    practice: Practice,
    by: User,
    *,
    group: Group,
    status: str,
    started_on: dt.date | None = None,
    results: str = "",
    visit: ExchangeVisit | None = None,
) -> Adoption:
    """A group takes up a practice (or its adoption moves on: started, running with results, stopped)."""
    if status not in Adoption.Status.values:
        raise PeerError(_("Unknown status."))
    if status in (Adoption.Status.STARTED, Adoption.Status.RUNNING) and started_on is None:
        raise PeerError(_("Give the date the group started."))
    if started_on and started_on > timezone.localdate():
        raise PeerError(_("A start date cannot be in the future."))
    try:
        adoption, _created = Adoption.objects.update_or_create(
            practice=practice,
            group=group,
            defaults={"status": status, "started_on": started_on, "results": results.strip(), "visit": visit},
        )
    except IntegrityError:
        raise PeerError(_("This group's adoption could not be saved; try again.")) from None
    return adoption
