"""Actions behind the monitoring pages: intake with a reporter's details, bulk triage, category editing.

They build on `monitoring.actions` (which every channel uses) and add what only the web pages need.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from sauti.monitoring.actions import ReportInput, TransitionError, do_submit_report, do_transition
from sauti.monitoring.models import Attachment, Case, Category, Report
from sauti.people.actions import find_or_create_contact
from sauti.people.models import Contact, Office, Organisation, User

THUMBNAIL_PX = 320


@dataclass(frozen=True)
class ReporterDetails:
    """What a reporter chose to tell us about themselves, with their consent to keep it."""

    name: str
    phone: str  # E.164, or "" when only a name was given
    language: str
    consent_method: str  # "web" (ticked by the reporter) or "verbal" (recorded by a monitor)


@transaction.atomic
def do_submit_report_with_reporter(
    org: Organisation, inp: ReportInput, reporter: ReporterDetails | None, by: User | None
) -> Report:
    """Submit a report; with reporter details, find or create their contact and record consent to "reporting".

    All or nothing: a refused report leaves no contact and no consent behind.
    """
    if reporter is not None:
        # A new record of what this reporter typed (Contact.scope "form:<token>"): anyone can type any
        # number into the public form; a coordinator may merge records later (people.actions.do_merge_contacts).
        inp.reporter = find_or_create_contact(
            org,
            reporter.phone,
            language=reporter.language,
            scope=Contact.form_scope(),
            name=reporter.name,
            consent="reporting",
            consent_method=reporter.consent_method,
            by=by,
        )
    return do_submit_report(org, inp)


def do_correct_redaction(report: Report, by: User, text: str) -> Report:
    """A coordinator's correction of the automatic redaction ("" goes back to it); noted in the audit chain
    through the report's own history."""
    report.redacted_description = text.strip()
    report.save(update_fields=["redacted_description"])
    return report


@dataclass
class BulkOutcome:
    moved: list[Case] = field(default_factory=list)
    failed: list[tuple[Case, str]] = field(default_factory=list)


def do_bulk_transition(
    cases: Iterable[Case],
    to_status: str,
    by: User,
    *,
    reason: str = "",
    method: str = "",
    referred_to: Office | None = None,
) -> BulkOutcome:
    """Move each case with `do_transition`; a case that may not move is reported, the others still move."""
    outcome = BulkOutcome()
    for case in cases:
        try:
            do_transition(case, to_status, by, reason=reason, method=method, referred_to=referred_to)
        except TransitionError as exc:
            outcome.failed.append((case, str(exc)))
        else:
            outcome.moved.append(case)
    return outcome


class CategoryError(ValueError):
    pass


def do_update_category(
    category: Category, by: User, *, name_en: str, name_sw: str, is_active: bool, position: int
) -> Category:
    name_en, name_sw = name_en.strip(), name_sw.strip()
    if not name_en or not name_sw:
        raise CategoryError(_("Give the name in English and in Kiswahili."))
    category.name_en, category.name_sw = name_en[:80], name_sw[:80]
    category.is_active, category.position = is_active, position
    category.save(update_fields=["name_en", "name_sw", "is_active", "position"])
    return category


def do_add_category(
    org: Organisation,
    by: User,
    *,
    parent: Category | None,
    key: str,
    name_en: str,
    name_sw: str,
) -> Category:
    """Add a category (or a sub-category under a top-level one). Keys are slugs, unique per organisation."""
    name_en, name_sw = name_en.strip(), name_sw.strip()
    if not name_en or not name_sw:
        raise CategoryError(_("Give the name in English and in Kiswahili."))
    if parent is not None and (parent.organisation_id != org.pk or parent.parent_id is not None):
        raise CategoryError(_("Sub-categories go under a top-level category of the same organisation."))
    slug = slugify(key) or slugify(name_en)
    if parent is not None and not key.strip():
        slug = f"{parent.key}-{slug}"
    slug = slug[:40].strip("-")
    if not slug:
        raise CategoryError(_("Give a key made of letters or digits."))
    if Category.objects.filter(organisation=org, key=slug).exists():
        raise CategoryError(_("The key “%(key)s” is already in use.") % {"key": slug})
    siblings = Category.objects.filter(organisation=org, parent=parent)
    last = max((c.position for c in siblings), default=parent.position if parent else 0)
    try:
        with transaction.atomic():
            return Category.objects.create(
                organisation=org,
                parent=parent,
                key=slug,
                name_en=name_en[:80],
                name_sw=name_sw[:80],
                position=min(last + 1, 32767),
            )
    except IntegrityError:
        raise CategoryError(_("The key “%(key)s” is already in use.") % {"key": slug}) from None


def thumbnail_for(attachment: Attachment) -> bytes | None:
    """A small JPEG of the metadata-free copy, made once and kept beside it (pages stay light on 2G)."""
    if not attachment.public_file:
        return None
    name = f"thumbs/{attachment.sha256}-{THUMBNAIL_PX}.jpg"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as cached:
            stored: bytes = cached.read()
            return stored
    from PIL import Image, UnidentifiedImageError

    try:
        with attachment.public_file.open("rb") as source, Image.open(source) as image:
            image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
            out = io.BytesIO()
            image.convert("RGB").save(out, format="JPEG", quality=70)
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    data = out.getvalue()
    default_storage.save(name, ContentFile(data))
    return data
