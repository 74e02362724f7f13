"""Evidence bundles: a ZIP a court, a partner or a journalist can check offline.

summary.pdf                  cases, map, charts, timelines
cases.csv reports.csv events.csv attachments.csv data.json
attachments/<report>/<sha256>-<name>
custody.json custody.csv     the audit entries of every row in the bundle (chain of custody)
manifest.json                SHA-256 and size of every file, the chain head, the public key
manifest.sig                 Ed25519 signature of manifest.json (hex) by the organisation's key
README.txt                   how to check it, the key that must have signed it and where it is published
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sauti.audit import actions, audit
from sauti.evidence import pdf
from sauti.evidence.bundlecheck import FORMAT, MANIFEST, SIGNATURE, fingerprint, member_info
from sauti.monitoring.access import cases_for
from sauti.monitoring.models import Attachment, Case, CaseEvent, Report, Status
from sauti.monitoring.texts import TextPolicy
from sauti.people.access import Perm, can
from sauti.people.actions import reveal_identities
from sauti.people.models import User

MAX_CASES = 500


class BundleError(ValueError):
    """A bundle that cannot be made, with a message for the user."""


def cases_for_bundle(ids: Sequence[int], user: User | None) -> QuerySet[Case]:
    """The cases asked for, all of one organisation and all exportable by `user` (None: the operator)."""
    wanted = sorted(set(ids))
    if not wanted:
        raise BundleError(_("Choose at least one case."))
    if len(wanted) > MAX_CASES:
        raise BundleError(_("At most %(n)d cases per bundle.") % {"n": MAX_CASES})
    base = Case.objects.all() if user is None else cases_for(user)
    cases = base.filter(pk__in=wanted).select_related("organisation")
    found = {c.pk: c for c in cases}
    missing = [str(pk) for pk in wanted if pk not in found]
    if missing:
        raise BundleError(_("No such case: %(ids)s.") % {"ids": ", ".join(missing)})
    orgs = {c.organisation_id for c in found.values()}
    if len(orgs) > 1:
        raise BundleError(_("A bundle is signed by one organisation: choose cases of one organisation."))
    org = next(iter(found.values())).organisation
    if user is not None and not can(user, Perm.EXPORT_EVIDENCE, org):
        raise BundleError(_("You may not make evidence bundles for %(org)s.") % {"org": org.name})
    return Case.objects.filter(pk__in=wanted).select_related(
        "organisation", "category", "county", "ward", "settlement", "referred_to"
    )


def public_key_url(slug: str) -> str:
    return f"{settings.SAUTI_PUBLIC_URL.rstrip('/')}{reverse('evidence_public_key_text', args=[slug])}"


def instructions(org: str, fp: str, public_key: str, key_url: str, head: tuple[int, str]) -> str:
    """README.txt of a bundle: how to check it, and which key must have signed it (in both languages)."""
    lines = []
    for language in ("en", "sw"):
        with translation.override(language):
            labels = (_("fingerprint"), _("public key (Ed25519, hex)"), _("published at"))
            lines += [
                _("How to check this evidence bundle"),
                "",
                _("manifest.json lists every file with its SHA-256; manifest.sig is the Ed25519 signature of "
                  "manifest.json. Check both, offline, with Sauti's checker:"),
                "",
                f'    sauti verify-bundle bundle.zip --key "{fp}"',
                "",
                _("Without --key the checker only confirms that the bundle is intact and consistent with the "
                  "key inside it; anyone can make such a bundle with a key of their own. The key must be the "
                  "one %(org)s publishes:") % {"org": org},
                "",
                f"    {labels[0]}: {fp}",
                f"    {labels[1]}: {public_key}",
                f"    {labels[2]}: {key_url}",
                "",
                _("Do not trust the fingerprint above alone (it travels with the bundle): compare it with the one "
                  "published at that address, or obtained from the organisation directly."),
                _("History head signed with this bundle: entry #%(seq)d, %(hash)s.") % {"seq": head[0],
                                                                                      "hash": head[1]},
                "",
                "",
            ]  # fmt: skip
    return "\n".join(lines)


def _csv(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in columns})
    return out.getvalue().encode("utf-8-sig")


_NOT_TEXT = re.compile(r"[0-9a-f]{32,}|\d{4}-\d\d-\d\d(?:[T ][\d:.+\-Z]*)?")


def _redacted(value: Any, text: Callable[[str], str]) -> Any:
    """An audited row's snapshot with its free text redacted (hashes and timestamps left as recorded)."""
    if isinstance(value, str):
        return value if _NOT_TEXT.fullmatch(value) else text(value)
    if isinstance(value, list):
        return [_redacted(v, text) for v in value]
    if isinstance(value, dict):
        return {k: _redacted(v, text) for k, v in value.items()}
    return value


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def build_bundle(cases: QuerySet[Case], user: User | None, *, identities: bool = False) -> bytes:
    org = cases[0].organisation
    if identities and (user is None or not can(user, Perm.BUNDLE_IDENTITIES, org)):
        raise BundleError(_("Only a role allowed to include identities in evidence may do so."))
    made_at = timezone.now()
    made_by = user.get_username() if user else ""
    head = actions.head()
    key = actions.organisation_key(org)
    actions.do_sign_head(org, "bundle", head)  # the head this bundle names, signed and kept
    key_url = public_key_url(org.slug)
    statuses = dict(Status.choices)
    # Without identities a bundle is meant to be shared outside: its free text goes through the redaction.
    policy = TextPolicy(None) if identities else TextPolicy.outside()

    def text(value: str) -> str:
        return policy.text(org.pk, value).text

    case_rows = [
        {
            "id": c.pk, "reference": c.reference, "title": text(c.title), "summary": text(c.summary),
            "status": c.status, "status_label": str(statuses.get(c.status, c.status)),
            "category": c.category.key if c.category else "",
            "county": c.county.name if c.county else "", "ward": c.ward.name if c.ward else "",
            "place": c.place_label, "lat": c.lat, "lon": c.lon, "precision": c.precision,
            "occurred_from": _iso(c.occurred_from), "occurred_to": _iso(c.occurred_to),
            "people_affected": c.people_affected, "verification_method": c.verification_method,
            "rejection_reason": text(c.rejection_reason), "referred_to": str(c.referred_to or ""),
            "reports": c.report_count, "created_at": _iso(c.created_at), "updated_at": _iso(c.updated_at),
        }
        for c in cases.order_by("pk")
    ]  # fmt: skip
    reports = list(
        Report.objects.filter(case__in=cases)
        .select_related("reporter", "county", "ward")
        .prefetch_related("categories")
        .order_by("pk")
    )
    revealed = {}
    if identities:
        contacts = [r.reporter for r in reports if r.reporter is not None]
        assert user is not None
        revealed = reveal_identities(
            user, contacts, f"evidence bundle: {', '.join(str(c['reference']) for c in case_rows)}"
        )
    report_rows = []
    for r in reports:
        row = {
            "id": r.pk, "reference": r.reference, "case": r.case_id, "received_at": _iso(r.received_at),
            "occurred_on": _iso(r.occurred_on), "channel": r.channel, "language": r.language,
            "description": r.description if identities else policy.description(r).text,
            "place_text": text(r.place_text),
            "county": r.county.name if r.county else "", "ward": r.ward.name if r.ward else "",
            "lat": r.lat, "lon": r.lon, "precision": r.precision, "people_affected": r.people_affected,
            "categories": " ".join(sorted(c.key for c in r.categories.all())),
            "reporter": r.reporter.pseudonym if r.reporter else "",
        }  # fmt: skip
        if identities and r.reporter_id in revealed:
            row["reporter_name"] = revealed[r.reporter_id].name
            row["reporter_phone"] = revealed[r.reporter_id].phone
        report_rows.append(row)
    events = list(CaseEvent.objects.filter(case__in=cases).select_related("actor").order_by("at", "id"))
    event_rows = [
        {
            "id": e.pk, "case": e.case_id, "at": _iso(e.at), "kind": e.kind, "from_status": e.from_status,
            "to_status": e.to_status, "report": e.report_id,
            "actor": e.actor.get_username() if e.actor else "", "reason": text(e.reason),
        }
        for e in events
    ]  # fmt: skip

    files: dict[str, bytes] = {}
    attachment_rows = []
    for a in Attachment.objects.filter(report__in=reports).order_by("pk"):
        try:
            with a.file.open("rb") as handle:
                content = handle.read()
        except (OSError, ValueError):
            content = None
        original_name = a.original_name if identities else text(a.original_name)
        safe_name = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in original_name)[:80]
        path = f"attachments/R{a.report_id}/{a.sha256[:16]}-{safe_name}"
        if content is not None:
            files[path] = content
        attachment_rows.append(
            {
                "id": a.pk, "report": a.report_id, "file": path if content is not None else "",
                "original_name": original_name, "content_type": a.content_type, "size": a.size,
                "sha256_at_upload": a.sha256, "uploaded_at": _iso(a.uploaded_at),
                "matches_upload": content is not None and hashlib.sha256(content).hexdigest() == a.sha256,
            }
        )  # fmt: skip

    custody = []
    for label, pks in (
        ("monitoring.case", [c["id"] for c in case_rows]),
        ("monitoring.report", [r["id"] for r in report_rows]),
        ("monitoring.caseevent", [e["id"] for e in event_rows]),
        ("monitoring.attachment", [a["id"] for a in attachment_rows]),
    ):
        for entry in audit.history(label, pks):
            # Outside the organisation the snapshots are redacted like the rest; data_hash and hash stay those
            # of the chain, so the entries still match a `sauti verify` of the organisation's database.
            snapshot = json.loads(entry.data)
            custody.append(
                {
                    "seq": entry.seq, "at": audit.format_at(entry.at), "actor": entry.actor,
                    "action": entry.action, "model": entry.model, "pk": entry.object_pk,
                    "data": snapshot if identities else _redacted(snapshot, text), "data_hash": entry.data_hash,
                    "prev_hash": entry.prev_hash, "hash": entry.hash,
                }
            )  # fmt: skip
    custody.sort(key=lambda e: e["seq"])

    files["cases.csv"] = _csv(case_rows, list(case_rows[0]))
    report_columns = ["id", "reference", "case", "received_at", "occurred_on", "channel", "language",
                      "description", "place_text", "county", "ward", "lat", "lon", "precision",
                      "people_affected", "categories", "reporter"]  # fmt: skip
    if identities:
        report_columns += ["reporter_name", "reporter_phone"]
    files["reports.csv"] = _csv(report_rows, report_columns)
    files["events.csv"] = _csv(event_rows, ["id", "case", "at", "kind", "from_status", "to_status", "report",
                                            "actor", "reason"])  # fmt: skip
    files["attachments.csv"] = _csv(attachment_rows, ["id", "report", "file", "original_name", "content_type",
                                                      "size", "sha256_at_upload", "uploaded_at",
                                                      "matches_upload"])  # fmt: skip
    data = {"cases": case_rows, "reports": report_rows, "events": event_rows, "attachments": attachment_rows}
    files["data.json"] = json.dumps(data, indent=1, ensure_ascii=False).encode()
    files["custody.json"] = json.dumps(custody, indent=1, ensure_ascii=False).encode()
    files["custody.csv"] = _csv(
        ({**e, "data": json.dumps(e["data"], ensure_ascii=False)} for e in custody),
        ["seq", "at", "actor", "action", "model", "pk", "data", "data_hash", "prev_hash", "hash"],
    )
    files["summary.pdf"] = pdf.render(
        org.name, timezone.localtime(made_at).strftime("%Y-%m-%d %H:%M %Z"), made_by, head, cases,
        case_rows, identities, text,
    )  # fmt: skip

    files["README.txt"] = instructions(org.name, key.fingerprint, key.public_key, key_url, head).encode()

    manifest = {
        "format": FORMAT,
        "organisation": {"name": org.name, "slug": org.slug},
        "created_at": made_at.isoformat(timespec="seconds"),
        "created_by": made_by,
        "cases": [c["reference"] for c in case_rows],
        "identities": identities,
        "chain_head": {"seq": head[0], "hash": head[1]},
        "public_key": key.public_key,
        "fingerprint": fingerprint(bytes.fromhex(key.public_key)),
        "key_url": key_url,
        "files": [
            {"path": path, "sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
            for path, content in sorted(files.items())
        ],
    }
    manifest_bytes = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
    signature = actions.private_key(key).sign(manifest_bytes).hex()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, content in [
            *sorted(files.items()),
            (MANIFEST, manifest_bytes),
            (SIGNATURE, signature.encode()),
        ]:
            archive.writestr(member_info(path), content)
    audit.note(
        "evidence.bundle",
        hashlib.sha256(manifest_bytes).hexdigest()[:32],
        "create",
        {"cases": manifest["cases"], "identities": identities, "by": made_by,
         "manifest_sha256": hashlib.sha256(manifest_bytes).hexdigest()},
    )  # fmt: skip
    return buffer.getvalue()
