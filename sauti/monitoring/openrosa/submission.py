"""Reading an OpenRosa submission: the instance XML (parsed safely) -> a ReportInput.

Parsed with defusedxml with `forbid_dtd=True`: the parser itself refuses any DOCTYPE, entity declaration or
external reference, whatever the document's encoding (a byte-pattern check before parsing was bypassed
with a UTF-16 document, issue 14), so no entity is ever expanded and nothing is ever fetched.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from sauti.monitoring.actions import ReportInput
from sauti.monitoring.models import CategorySource, Precision, Report, ReportChannel
from sauti.people.models import User

MAX_XML_BYTES = 1024 * 1024
LANGUAGES = ("en", "sw")


class SubmissionError(ValueError):
    """A submission that cannot be accepted, with a message for the person who sent it."""


@dataclass(frozen=True)
class Submission:
    form_id: str
    version: str
    instance_id: str
    fields: dict[str, str]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_submission(data: bytes) -> Submission:
    if len(data) > MAX_XML_BYTES:
        raise SubmissionError(_("The form data is too large."))
    try:
        root = safe_fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ET.ParseError, DefusedXmlException, ValueError):
        raise SubmissionError(_("The form data is not valid XML.")) from None
    fields: dict[str, str] = {}
    for element in root.iter():
        if element is root or len(element):
            continue
        fields.setdefault(_local(element.tag), (element.text or "").strip())
    instance_id = fields.get("instanceID", "")
    if not instance_id:
        raise SubmissionError(_("The form data has no instance ID (meta/instanceID)."))
    if len(instance_id) > 120:
        raise SubmissionError(_("The instance ID is too long."))
    return Submission(
        form_id=root.get("id", "").strip(),
        version=root.get("version", "").strip(),
        instance_id=instance_id,
        fields=fields,
    )


def _date(raw: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise SubmissionError(_("The date “%(value)s” is not valid.") % {"value": raw[:40]}) from None


def _point(raw: str) -> tuple[float | None, float | None]:
    """ODK geopoint: "lat lon altitude accuracy" (the last two optional)."""
    if not raw:
        return None, None
    parts = raw.split()
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except (IndexError, ValueError):
        raise SubmissionError(_("The GPS location “%(value)s” is not valid.") % {"value": raw[:60]}) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise SubmissionError(_("The GPS location “%(value)s” is not valid.") % {"value": raw[:60]})
    return lat, lon


def _count(raw: str) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise SubmissionError(
            _("The number of people affected “%(value)s” is not a whole number.") % {"value": raw[:20]}
        ) from None


def to_report_input(sub: Submission, user: User, files: Mapping[str, UploadedFile]) -> ReportInput:
    f = sub.fields
    lat, lon = _point(f.get("location", ""))
    keys = [k for k in (f.get("category", ""), f.get("subcategory", "")) if k]
    photo = f.get("photo", "")
    attachments = [files[photo]] if photo and photo in files else []
    language = f.get("language", "")
    return ReportInput(
        description=f.get("description", ""),
        channel=ReportChannel.ODK,
        occurred_on=_date(f.get("occurred_on", "")),
        place_text=f.get("place_text", "")[:200],
        lat=lat,
        lon=lon,
        category_keys=keys,
        category_source=CategorySource.REPORTER,
        people_affected=_count(f.get("people_affected", "")),
        language=language if language in LANGUAGES else "sw",
        external_id=sub.instance_id,
        submitted_by=user,
        attachments=attachments,
    )


def same_content(report: Report, inp: ReportInput) -> bool:
    """Whether a stored report holds what this submission says (an exact retry rather than a changed form)."""
    stored_point = (report.lat, report.lon) if report.precision == Precision.POINT else (None, None)
    stored_keys = set(report.categories.values_list("key", flat=True))
    return (
        report.description == inp.description.strip()[:5000]
        and report.occurred_on == inp.occurred_on
        and report.place_text == inp.place_text[:200]
        and stored_point == (inp.lat, inp.lon)
        and stored_keys == {k.strip().lower() for k in inp.category_keys if k.strip()}
        and report.people_affected == inp.people_affected
        and report.language == inp.language
    )
