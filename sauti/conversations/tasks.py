"""Work a USSD answer must not wait for: queued on commit, run by `sauti worker`."""

from __future__ import annotations

from django_tasks import task

from sauti.people.actions import do_record_consent
from sauti.people.models import Contact

CONSENT_PURPOSES = ("reporting", "messaging")


@task()
def record_consent(contact_id: int, granted: bool, method: str) -> None:
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        return
    for purpose in CONSENT_PURPOSES:
        do_record_consent(contact, purpose, granted, method, by=None, note="")


@task()
def set_language(contact_id: int, language: str) -> None:
    Contact.objects.filter(pk=contact_id).update(language=language)
