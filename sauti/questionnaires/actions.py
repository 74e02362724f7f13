"""Everything that writes: importing a form version, receiving a submission (idempotent on instanceID,
counted, identities into an encrypted Contact, a report for report forms), linking, and the analysis
sessions' findings, agreements and conclusions."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sauti.audit import audit
from sauti.audit.models import Action
from sauti.dialogues.actions import do_raise_priority
from sauti.dialogues.models import Meeting, Priority, Programme
from sauti.monitoring.actions import ReportError, ReportInput, do_submit_report, typed_place_disagrees
from sauti.monitoring.models import Case, Category, ReportChannel
from sauti.people.actions import find_or_create_contact
from sauti.people.models import Contact, Group, Organisation, User
from sauti.places.geo import ward_at
from sauti.places.models import Ward
from sauti.questionnaires import repeats
from sauti.questionnaires.models import (
    Agreement,
    AnalysisSession,
    AnswerCount,
    Finding,
    FindingEvent,
    FormVersion,
    Questionnaire,
    Submission,
    SubmissionFile,
)
from sauti.questionnaires.results import counted_in_repeat, instances, label_of, value_label
from sauti.questionnaires.xlsform import FormError, ParsedForm, short_problem

CREATED, DUPLICATE, CONFLICT = "created", "duplicate", "conflict"
COUNTED_TYPES = ("select_one", "select_multiple", "integer", "decimal", "date")
MAX_FILE_BYTES = 10 * 1024 * 1024


class AnswerError(ValueError):
    """An answer that does not fit its question, with a message for the person answering."""

    def __init__(self, message: str, question: str = "") -> None:
        super().__init__(message)
        self.question = question


# --- forms ------------------------------------------------------------------------------------------


def do_import_form(
    org: Organisation, parsed: ParsedForm, by: User | None
) -> tuple[Questionnaire, FormVersion]:
    """Store a new version of the organisation's form `parsed.form_id` (creating the questionnaire the
    first time) and make it current. The same version with the same content again is a no-op; the same
    version string with other content is refused (raise the version in the settings sheet)."""
    s = parsed.settings
    with transaction.atomic():
        form, _created = Questionnaire.objects.select_for_update().get_or_create(
            organisation=org, form_id=parsed.form_id, defaults={"title": parsed.title, "created_by": by}
        )
        existing = form.versions.filter(version=parsed.version).first()
        if existing is not None:
            if existing.md5 != parsed.md5:
                raise FormError(
                    _(
                        "Version %(v)s of this form already exists with other content; raise the version in the settings sheet."
                    )
                    % {"v": parsed.version}
                )
            return form, existing
        version = FormVersion.objects.create(
            questionnaire=form,
            version=parsed.version,
            xlsx=parsed.xlsx,
            xml=parsed.xml,
            md5=parsed.md5,
            spec=parsed.spec,
            created_by=by,
        )
        form.current, form.title = version, parsed.title
        if s.get("kind", "").lower() in (Questionnaire.Kind.SURVEY, Questionnaire.Kind.REPORT):
            form.kind = s["kind"].lower()
        if s.get("category"):
            form.category = Category.objects.filter(
                organisation=org, key=s["category"].strip().lower()
            ).first()
        if s.get("sms_keyword"):
            form.sms_keyword = s["sms_keyword"].strip().upper()[:20]
        wants_short = s.get("short", "").lower() in ("yes", "true", "1")
        form.short = (wants_short or form.short) and not short_problem(parsed.spec)
        form.save()
    return form, version


def do_set_form_options(
    form: Questionnaire,
    *,
    kind: str,
    category: Category | None,
    short: bool,
    sms_keyword: str,
    published: bool,
) -> Questionnaire:
    if kind == Questionnaire.Kind.REPORT and category is None:
        raise FormError(_("A report form needs the category its reports go into."))
    if short and form.current is not None and (problem := short_problem(form.current.spec)):
        raise FormError(problem)
    keyword = sms_keyword.strip().upper()
    if short and not keyword:
        raise FormError(_("A short form needs an SMS keyword people send to start it."))
    if (
        keyword
        and Questionnaire.objects.filter(organisation=form.organisation, sms_keyword=keyword)
        .exclude(pk=form.pk)
        .exists()
    ):
        raise FormError(_("Another form already uses the keyword %(k)s.") % {"k": keyword})
    form.kind, form.category, form.short = kind, category, short
    form.sms_keyword, form.published = keyword, published
    form.save()
    return form


# --- answers ---------------------------------------------------------------------------------------


def choice_names(spec: Mapping[str, Any], list_name: str) -> list[str]:
    return [c["name"] for c in spec.get("choices", {}).get(list_name, [])]


def clean_answer(spec: Mapping[str, Any], q: Mapping[str, Any], raw: Any) -> Any:
    """One answer as stored: str, int, float, list of choice names, or {"lat", "lon"}; None if empty."""
    if isinstance(raw, list):
        raw = " ".join(str(r) for r in raw)
    text = str(raw if raw is not None else "").strip()
    if not text:
        return None
    kind, name = q["type"], q["name"]
    try:
        if kind == "integer":
            return int(text)
        if kind == "decimal":
            return float(text)
        if kind == "date":
            return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        raise AnswerError(
            _("“%(value)s” is not a valid answer to %(question)s.") % {"value": text[:40], "question": name},
            name,
        ) from None
    if kind == "select_one":
        if text not in choice_names(spec, q["list"]):
            raise AnswerError(
                _("“%(value)s” is not a choice of %(question)s.") % {"value": text[:40], "question": name},
                name,
            )
        return text
    if kind == "select_multiple":
        chosen = text.split()
        allowed = set(choice_names(spec, q["list"]))
        bad = [c for c in chosen if c not in allowed]
        if bad:
            raise AnswerError(
                _("“%(value)s” is not a choice of %(question)s.") % {"value": bad[0][:40], "question": name},
                name,
            )
        return list(dict.fromkeys(chosen))
    if kind == "geopoint":
        parts = text.split()
        try:
            lat, lon = float(parts[0]), float(parts[1])
        except (IndexError, ValueError):
            raise AnswerError(
                _("The GPS location “%(value)s” is not valid.") % {"value": text[:60]}, name
            ) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise AnswerError(_("The GPS location “%(value)s” is not valid.") % {"value": text[:60]}, name)
        return {"lat": lat, "lon": lon}
    return text[:5000]


def content_hash(answers: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(answers, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass
class Incoming:
    """A submission as any channel delivers it: raw answers by question name (repeats as lists of dicts)."""

    instance_id: str
    answers: Mapping[str, Any]
    channel: str
    version_text: str = ""
    language: str = "sw"
    submitted_by: User | None = None
    phone: str = ""  # the sender's number (SMS/USSD): kept only in an encrypted Contact
    files: Mapping[str, UploadedFile] = field(default_factory=dict)
    received_at: Any = None
    # The ward the channel already knows when the answers carry no GPS point (a place chosen on the phone;
    # the demo's invented answers).
    ward_code: int | None = None


@dataclass(frozen=True)
class Received:
    outcome: str
    submission: Submission


UNFIT = "_unfit"  # answers that did not fit the form, as sent: {question (or group[i]/question): text}


def _clean_all(
    version: FormVersion, raw: Mapping[str, Any], unfit: dict[str, str] | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """(answers without identities, identities {"name"|"phone": text}). Repeats, nested or not, are lists
    of dicts inside the entry around them (questionnaires.repeats). With `unfit`, an answer that does not
    fit the form is recorded there as sent instead of refusing the whole submission."""
    spec = version.spec
    raw = repeats.nested(spec, raw)
    inner: dict[str, list[str]] = {}
    for name, parent in repeats.parents(spec).items():
        inner.setdefault(parent, []).append(name)
    asked: dict[str, list[dict[str, Any]]] = {}
    for q in spec["questions"]:
        if q["type"] != "note":
            asked.setdefault(q["repeat"], []).append(q)

    def fit(q: Mapping[str, Any], value: Any, where: str = "") -> Any:
        try:
            return clean_answer(spec, q, value)
        except AnswerError:
            if unfit is None:
                raise
            unfit[f"{where}{q['name']}"] = str(value)[:200]
            return None

    def entries(items: Any, repeat: str, where: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for i, item in enumerate(items[:200] if isinstance(items, list) else []):
            row: dict[str, Any] = {}
            here = f"{where}{repeat}[{i + 1}]/"
            if isinstance(item, Mapping):
                for q in asked.get(repeat, []):
                    if (v := fit(q, item.get(q["name"]), here)) is not None:
                        row[q["name"]] = v
                for name in inner.get(repeat, []):
                    if any(got := entries(item.get(name), name, here)):
                        row[name] = got
            rows.append(row)
        return rows

    answers: dict[str, Any] = {}
    identity: dict[str, str] = {}
    for q in asked.get("", []):
        value = fit(q, raw.get(q["name"]))
        if value is None:
            continue
        if q.get("identity"):
            identity[q["identity"]] = str(value)
            continue
        answers[q["name"]] = value
    for name in inner.get("", []):
        if any(got := entries(raw.get(name), name, "")):
            answers[name] = got
    return answers, identity


def _counted_values(version: FormVersion, answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    out = []
    answers = repeats.nested(version.spec, answers)
    for q in version.spec["questions"]:
        if q["type"] not in COUNTED_TYPES or (q["repeat"] and not counted_in_repeat(q)):
            continue
        for value in instances(answers, q):  # selects in a repeat: once per instance
            out.append(("_n", q["name"]))
            for v in value if isinstance(value, list) else [value]:
                out.append((q["name"], str(v)[:200]))
    return out


def _count(sub: Submission, version: FormVersion | None) -> None:
    pairs = _counted_values(version, sub.answers) if version is not None else []
    pairs += [
        ("_ward", str(sub.ward_id or "")),
        ("_day", timezone.localtime(sub.received_at).date().isoformat()),
    ]
    if sub.mismatch:
        pairs.append(("_flag", "1"))
    for question, value in pairs:
        updated = AnswerCount.objects.filter(
            questionnaire=sub.questionnaire, question=question, value=value
        ).update(n=F("n") + 1)
        if not updated:
            AnswerCount.objects.create(questionnaire=sub.questionnaire, question=question, value=value, n=1)


def do_recount(form: Questionnaire) -> int:
    """Rebuild the form's AnswerCount rows from its submissions (after a bulk load); the number of rows."""

    versions = {v.pk: v for v in form.versions.all()}
    counts: Counter[tuple[str, str]] = Counter()
    rows = Submission.objects.filter(questionnaire=form).values_list(
        "version_id", "answers", "ward_id", "received_at", "mismatch"
    )
    for version_id, answers, ward_id, received_at, mismatch in rows.iterator(chunk_size=5000):
        version = versions.get(version_id) if version_id else None
        pairs = _counted_values(version, answers) if version is not None else []
        pairs += [("_ward", str(ward_id or "")), ("_day", timezone.localtime(received_at).date().isoformat())]
        if mismatch:
            pairs.append(("_flag", "1"))
        counts.update(pairs)
    with transaction.atomic():
        AnswerCount.objects.filter(questionnaire=form).delete()
        AnswerCount.objects.bulk_create(
            [AnswerCount(questionnaire=form, question=q, value=v, n=n) for (q, v), n in counts.items()],
            batch_size=2000,
        )
    return len(counts)


def _point(answers: Mapping[str, Any]) -> tuple[float | None, float | None]:
    for value in answers.values():
        if isinstance(value, dict) and "lat" in value:
            return float(value["lat"]), float(value["lon"])
    return None, None


def _respondent(org: Organisation, identity: Mapping[str, str], phone: str, language: str) -> Contact | None:
    number = identity.get("phone", "") or phone
    name = identity.get("name", "")
    if not (number or name):
        return None
    return find_or_create_contact(org, number, language=language, name=name)


def answer_lines(version: FormVersion, answers: Mapping[str, Any], lang: str) -> list[str]:
    lines = []
    for q in version.spec["questions"]:
        if q["name"] in answers and not q["repeat"]:
            lines.append(f"{label_of(q, lang)}: {value_label(version.spec, q, answers[q['name']], lang)}")
    return lines


PLACE_ANSWERS = ("place_text", "place", "location_name", "village", "mahali")


def _case_title(form: Questionnaire, place: str, lang: str) -> str:
    """What a new case from this report is called: the category (else the form's title) and the place, not
    the form's title and first question (issue 20). No answer text: it could name people."""
    what = (form.category.name_sw if lang == "sw" else form.category.name_en) if form.category else form.title
    return f"{what} — {place}" if place else what


def _report_for(form: Questionnaire, sub: Submission, version: FormVersion, inc: Incoming) -> None:
    """The report a report form's submission makes: its answers as "label: answer" lines in the submission's
    language. A GPS point places it; a typed place the point contradicts is kept as words and said."""
    lang = inc.language if inc.language in ("en", "sw") else "sw"
    place = next((str(sub.answers[n]) for n in PLACE_ANSWERS if sub.answers.get(n)), "")
    lines = [form.title, *answer_lines(version, sub.answers, lang)]
    contradicted = typed_place_disagrees(place, sub.lat, sub.lon)
    if contradicted:
        with translation.override(lang):
            lines.append(
                _("Note: the GPS point is not in %(place)s as typed; the report is placed by the point.")
                % {"place": contradicted}
            )
    channel: str = {
        Submission.Channel.WEB: ReportChannel.WEB,
        Submission.Channel.SMS: ReportChannel.SMS,
        Submission.Channel.USSD: ReportChannel.USSD,
    }.get(Submission.Channel(sub.channel), ReportChannel.ODK)
    report = do_submit_report(
        form.organisation,
        ReportInput(
            description="\n".join(lines),
            channel=channel,
            place_text=place,
            lat=sub.lat,
            lon=sub.lon,
            category_keys=[form.category.key] if form.category else [],
            language=lang,
            reporter=sub.respondent,
            external_id=f"form:{form.pk}:{sub.instance_id}"[:120],
            submitted_by=inc.submitted_by,
            received_at=sub.received_at,
            title=_case_title(form, place, lang),
        ),
    )
    sub.report, sub.ward = report, report.ward or sub.ward
    sub.save(update_fields=["report", "ward"])


def do_note_answers_seen(sub: Submission, by: User) -> None:
    """Someone allowed to see identities read answers holding names or phone numbers as written: logged
    in the audit log (there may be no Contact to log an IdentityAccess against)."""
    audit.note(
        "questionnaires.submission",
        sub.pk,
        Action.EXPORT,
        {"shown": "answers as written", "to": by.pk, "form": sub.questionnaire_id},
    )


def do_note_export_as_written(form: Questionnaire, by: User, what: str) -> None:
    """An export with free-text answers as written (the exporter may see identities): logged."""
    audit.note(
        "questionnaires.questionnaire",
        form.pk,
        Action.EXPORT,
        {"exported": "answers as written", "to": by.pk, "file": what[:60]},
    )


def repeat_groups(version: FormVersion | None) -> set[str]:
    return set(repeats.parents(version.spec)) if version is not None else set()


def version_named(form: Questionnaire, version_text: str) -> FormVersion | None:
    return _version_for(form, version_text)[0]


def _version_for(form: Questionnaire, version_text: str) -> tuple[FormVersion | None, bool]:
    """The version a submission was made with and whether it is flagged (not the current one)."""
    current = form.current
    if not version_text or (current is not None and version_text == current.version):
        return current, False
    return form.versions.filter(version=version_text).first() or current, True


def do_receive_submission(form: Questionnaire, inc: Incoming) -> Received:
    """Store a submission once per instanceID: a retry with the same answers is DUPLICATE, other answers
    under the same instanceID are a CONFLICT (nothing changes). Raises AnswerError or ReportError."""
    version, mismatch = _version_for(form, inc.version_text)
    if version is None:
        raise AnswerError(_("This form has no published version."))
    if not inc.instance_id or len(inc.instance_id) > 120:
        raise AnswerError(_("The submission has no valid instance ID."))
    # ODK Collect checked the answers on the phone against the form it had: an answer that does not fit
    # means the form changed since. Kept and flagged, never lost (issue 20); web, SMS and USSD answerers
    # are still there to be told and correct it.
    unfit: dict[str, str] | None = {} if inc.channel == Submission.Channel.ODK else None
    answers, identity = _clean_all(version, inc.answers, unfit)
    if unfit:
        answers[UNFIT], mismatch = unfit, True
    digest = content_hash({"a": answers, "i": identity})
    existing = Submission.objects.filter(questionnaire=form, instance_id=inc.instance_id).first()
    if existing is not None:
        return Received(DUPLICATE if existing.content_hash == digest else CONFLICT, existing)
    for name, upload in inc.files.items():
        if upload.size and upload.size > MAX_FILE_BYTES:
            raise AnswerError(_("The file %(name)s is larger than 10 MB.") % {"name": name[:60]})
    lat, lon = _point(answers)
    ward = None
    if lat is not None and lon is not None:
        found = ward_at(lat, lon)
        ward = (
            Ward.objects.filter(code=found.ward_code).first()
            if found is not None and found.ward_code
            else None
        )
    elif inc.ward_code is not None:
        ward = Ward.objects.filter(code=inc.ward_code).first()
    try:
        with transaction.atomic():
            sub = Submission.objects.create(
                questionnaire=form,
                version=version,
                version_text=(inc.version_text or (version.version if version else ""))[:60],
                mismatch=mismatch,
                instance_id=inc.instance_id,
                content_hash=digest,
                answers=answers,
                channel=inc.channel,
                language=inc.language if inc.language in ("en", "sw") else "sw",
                respondent=_respondent(form.organisation, identity, inc.phone, inc.language),
                ward=ward,
                lat=lat,
                lon=lon,
                submitted_by=inc.submitted_by,
                received_at=inc.received_at or timezone.now(),
            )
            for name, upload in inc.files.items():
                upload.seek(0)
                digest_file = hashlib.sha256(upload.read()).hexdigest()
                upload.seek(0)
                SubmissionFile.objects.create(
                    submission=sub, question=name[:100], file=upload, sha256=digest_file
                )
            if form.kind == Questionnaire.Kind.REPORT:
                _report_for(form, sub, version, inc)
            _count(sub, version)
    except IntegrityError:
        existing = Submission.objects.filter(questionnaire=form, instance_id=inc.instance_id).first()
        if existing is None:
            raise
        return Received(DUPLICATE if existing.content_hash == digest else CONFLICT, existing)
    return Received(CREATED, sub)


def do_link_submission(sub: Submission, *, case: Case | None, meeting: Meeting | None) -> Submission:
    org = sub.questionnaire.organisation_id
    if case is not None and case.organisation_id != org:
        raise AnswerError(_("That case belongs to another organisation."))
    if meeting is not None and meeting.programme.organisation_id != org:
        raise AnswerError(_("That meeting belongs to another organisation."))
    sub.case, sub.meeting = case, meeting
    sub.save(update_fields=["case", "meeting"])
    return sub


# --- participatory analysis sessions --------------------------------------------------------------


def do_open_session(form: Questionnaire, group: Group, by: User, title: str) -> AnalysisSession:
    if group.organisation_id != form.organisation_id:
        raise AnswerError(_("That group belongs to another organisation."))
    return AnalysisSession.objects.create(
        organisation=form.organisation,
        group=group,
        questionnaire=form,
        title=(title.strip() or f"{group.name}: {form.title}")[:200],
        opened_by=by,
    )


def do_close_session(session: AnalysisSession) -> None:
    session.closed_at = timezone.now()
    session.save(update_fields=["closed_at"])


def do_record_finding(
    session: AnalysisSession,
    by: User,
    text: str,
    figures: Iterable[Mapping[str, Any]] = (),
    submissions: Iterable[Submission] = (),
    cases: Iterable[Case] = (),
) -> Finding:
    if session.closed_at is not None:
        raise AnswerError(_("This session is closed."))
    if not text.strip():
        raise AnswerError(_("Write the finding."))
    with transaction.atomic():
        finding = Finding.objects.create(
            session=session, text=text.strip()[:2000], figures=list(figures), created_by=by
        )
        finding.submissions.set([s for s in submissions if s.questionnaire_id == session.questionnaire_id])
        finding.cases.set([c for c in cases if c.organisation_id == session.organisation_id])
        FindingEvent.objects.create(finding=finding, kind="written", by=by)
    return finding


def do_edit_finding(finding: Finding, by: User, text: str) -> Finding:
    if not text.strip():
        raise AnswerError(_("Write the finding."))
    if finding.status == Finding.Status.CONCLUSION:
        raise AnswerError(_("An agreed conclusion can no longer be edited."))
    with transaction.atomic():
        FindingEvent.objects.create(finding=finding, kind="edited", text_before=finding.text, by=by)
        finding.text = text.strip()[:2000]
        finding.save(update_fields=["text"])
        # Agreement was given to the old words.
        finding.agreements.all().delete()
    return finding


def do_agree(finding: Finding, by: User) -> bool:
    """Record that `by` agrees; False when they had already agreed."""
    try:
        with transaction.atomic():
            Agreement.objects.create(finding=finding, by=by)
            FindingEvent.objects.create(finding=finding, kind="agreed", by=by)
    except IntegrityError:
        return False
    return True


def do_conclude(finding: Finding, by: User) -> Finding:
    if not finding.agreements.exists():
        raise AnswerError(_("A conclusion needs at least one person's agreement."))
    with transaction.atomic():
        finding.status = Finding.Status.CONCLUSION
        finding.save(update_fields=["status"])
        FindingEvent.objects.create(finding=finding, kind="concluded", by=by)
    return finding


def do_make_priority(finding: Finding, programme: Programme, by: User) -> Priority:
    if finding.status != Finding.Status.CONCLUSION:
        raise AnswerError(_("Only an agreed conclusion becomes a priority."))
    if programme.organisation_id != finding.session.organisation_id:
        raise AnswerError(_("That programme belongs to another organisation."))
    if finding.priority_id:
        raise AnswerError(_("This conclusion is already a priority."))
    with transaction.atomic():
        priority = do_raise_priority(
            programme,
            by,
            title=finding.text[:200],
            description=_("Agreed by %(group)s in “%(session)s”.")
            % {"group": finding.session.group.name, "session": finding.session.title},
            group=finding.session.group,
            cases=list(finding.cases.all()),
        )
        finding.priority = priority
        finding.save(update_fields=["priority"])
        FindingEvent.objects.create(finding=finding, kind="prioritised", by=by)
    return priority


def do_note_finding_event(finding: Finding, kind: str, by: User, detail: str) -> FindingEvent:
    """An app above questionnaires made something of a conclusion (budgets: a memorandum item): its history
    says so."""
    return FindingEvent.objects.create(finding=finding, kind=kind[:20], detail=detail[:300], by=by)


__all__ = ["ReportError"]
