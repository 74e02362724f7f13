"""The organisation's own questionnaires on ODK Collect / KoBoCollect / Enketo, served by monitoring's
OpenRosa API through its registry (list, download, submission)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from sauti.monitoring.actions import ReportError
from sauti.monitoring.openrosa.registry import ListedForm, Outcome
from sauti.monitoring.openrosa.submission import Submission as ParsedSubmission
from sauti.people.models import Organisation, User
from sauti.questionnaires.actions import (
    CONFLICT,
    DUPLICATE,
    AnswerError,
    Incoming,
    do_receive_submission,
    repeat_groups,
    version_named,
)
from sauti.questionnaires.models import Questionnaire, Submission

_FORBIDDEN = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _leaves(element: ET.Element, out: dict[str, Any], repeats: set[str]) -> None:
    for child in element:
        tag = _local(child.tag)
        if tag == "meta":
            continue
        if tag in repeats:
            item: dict[str, Any] = {}
            _leaves(child, item, repeats)
            out.setdefault(tag, []).append(item)
        elif len(child):
            _leaves(child, out, repeats)
        else:
            out.setdefault(tag, (child.text or "").strip())


def answers_from_xml(data: bytes, repeats: set[str]) -> dict[str, Any]:
    """The instance's answers by question name; groups are transparent, repeats are lists of dicts.
    (The caller has already parsed the document with monitoring's checks; DTDs are refused again here.)"""
    if _FORBIDDEN.search(data):
        raise AnswerError(_("The form data is not valid XML for this form."))
    root = ET.fromstring(data)  # noqa: S314 (no DTD possible, see _FORBIDDEN)
    out: dict[str, Any] = {}
    _leaves(root, out, repeats)
    return out


class QuestionnaireSource:
    def forms(self, org: Organisation) -> list[ListedForm]:
        rows = Questionnaire.objects.filter(
            organisation=org, published=True, current__isnull=False
        ).select_related("current")
        return [
            ListedForm(form_id=q.form_id, title=q.title, version=q.current.version, md5=q.current.md5)
            for q in rows
            if q.current is not None
        ]

    def xml(self, org: Organisation, form_id: str) -> bytes | None:
        form = Questionnaire.objects.filter(organisation=org, form_id=form_id, current__isnull=False).first()
        if form is None or form.current is None:
            return None
        return form.current.xml.encode("utf-8")

    def receive(
        self,
        org: Organisation,
        user: User,
        sub: ParsedSubmission,
        data: bytes,
        files: Mapping[str, UploadedFile],
    ) -> Outcome | None:
        form = (
            Questionnaire.objects.filter(organisation=org, form_id=sub.form_id)
            .select_related("current")
            .first()
        )
        if form is None or form.current is None:
            return None
        if not form.published:
            return Outcome(400, _("This form is closed: it no longer takes answers."))
        # The repeat groups of the version the submission was made with (an older one may have others).
        repeats = repeat_groups(version_named(form, sub.version))
        try:
            answers = answers_from_xml(data, repeats)
            images = {
                q["name"]: files[str(answers[q["name"]])]
                for q in form.current.spec["questions"]
                if q["type"] == "image" and str(answers.get(q["name"], "")) in files
            }
            received = do_receive_submission(
                form,
                Incoming(
                    instance_id=sub.instance_id,
                    answers=answers,
                    channel=Submission.Channel.ODK,
                    version_text=sub.version,
                    language=str(answers.get("language", "")) or (user.preferred_language or "sw"),
                    submitted_by=user,
                    files=images,
                ),
            )
        except (AnswerError, ReportError) as exc:
            return Outcome(400, str(exc))
        if received.outcome == DUPLICATE:
            return Outcome(202, _("Duplicate submission"))
        if received.outcome == CONFLICT:
            return Outcome(409, _("A different submission with the same instance ID was already received."))
        return Outcome(201, _("Thank you: your answers to “%(form)s” were received.") % {"form": form.title})


SOURCE = QuestionnaireSource()
