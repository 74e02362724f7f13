"""Storing an OpenRosa submission, idempotent on its instanceID."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from sauti.monitoring.actions import ReportInput, do_submit_report
from sauti.monitoring.models import Report, ReportChannel
from sauti.monitoring.openrosa.submission import same_content
from sauti.people.models import Organisation

CREATED, DUPLICATE, CONFLICT = "created", "duplicate", "conflict"


@dataclass(frozen=True)
class Received:
    outcome: str  # CREATED, DUPLICATE (exact retry) or CONFLICT (same instanceID, other content)
    report: Report


def _existing(org: Organisation, instance_id: str) -> Report | None:
    return Report.objects.filter(organisation=org, channel=ReportChannel.ODK, external_id=instance_id).first()


def do_receive_submission(org: Organisation, inp: ReportInput) -> Received:
    """Store the report, or say how it relates to the one already stored under the same instanceID.

    Raises ReportError (nothing saved) when the content is not acceptable.
    """
    existing = _existing(org, inp.external_id)
    if existing is None:
        try:
            with transaction.atomic():
                return Received(CREATED, do_submit_report(org, inp))
        except IntegrityError:
            # The same instance arrived twice at once (Collect retrying): the other request stored it.
            existing = _existing(org, inp.external_id)
            if existing is None:
                raise
    return Received(DUPLICATE if same_content(existing, inp) else CONFLICT, existing)
