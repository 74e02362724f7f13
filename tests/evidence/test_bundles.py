"""Evidence bundles: signed, checked offline; any change, truncation, forgery or wrong key is rejected."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from PIL import Image

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import CommandError

from sauti.audit.models import AuditEntry, OrganisationKey
from sauti.evidence.bundlecheck import check_bundle, member_info
from sauti.evidence.bundles import BundleError, build_bundle, cases_for_bundle
from sauti.monitoring.models import Case
from sauti.people.actions import contacts_with_phone
from sauti.people.models import Contact, IdentityAccess, Organisation
from tests.audit.helpers import run, submit
from tests.conftest import World

ROOT = Path(__file__).resolve().parents[2]
REPORTER = "+254712000001"  # Njeri Wambui, a member of the Mathare group


def find_contact(org: Organisation, phone: str) -> Contact | None:
    """The persona's record of this number (group members are their group's records: Contact.scope)."""
    return next(iter(contacts_with_phone(org, phone)), None)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def case(world: World) -> Case:
    reporter = find_contact(world.umoja, REPORTER)
    report = submit(
        world,
        "Water cut in Kwa Reuben, 200 families",
        reporter=reporter,
        attachments=[SimpleUploadedFile("meter photo.png", png(), content_type="image/png")],
    )
    submit(world, "Kwa Reuben water still cut", reporter=reporter)
    assert report.case is not None
    return report.case


@pytest.fixture
def bundle(world: World, case: Case, tmp_path: Path) -> Path:
    path = tmp_path / "bundle.zip"
    path.write_bytes(build_bundle(cases_for_bundle([case.pk], world.wanjiku), world.wanjiku))
    return path


def rewrite(
    source: Path, target: Path, change: dict[str, bytes | None], add: dict[str, bytes] | None = None
) -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename in change:
                if change[info.filename] is not None:
                    new.writestr(member_info(info.filename), change[info.filename])  # type: ignore[arg-type]
            else:
                new.writestr(member_info(info.filename), old.read(info.filename))
        for name, content in (add or {}).items():
            new.writestr(member_info(name), content)


def test_an_intact_bundle_holds_everything_and_passes(bundle: Path, case: Case, world: World) -> None:
    result = check_bundle(bundle)
    assert result.ok, result.errors
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        reports_csv = archive.read("reports.csv").decode("utf-8-sig")
        custody = json.loads(archive.read("custody.json"))
        pdf = archive.read("summary.pdf")
        attachment = next(n for n in names if n.startswith("attachments/"))
        photo = archive.read(attachment)
    assert {"summary.pdf", "cases.csv", "reports.csv", "events.csv", "data.json", "custody.json",
            "custody.csv", "manifest.json", "manifest.sig"} <= names  # fmt: skip
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    assert (
        hashlib.sha256(photo).hexdigest()
        == json.loads(json.dumps(manifest))["files"][
            [f["path"] for f in manifest["files"]].index(attachment)
        ]["sha256"]
    )
    # Identities are redacted by default: pseudonyms only.
    assert "Njeri" not in reports_csv and REPORTER not in reports_csv and "P-" in reports_csv
    assert manifest["identities"] is False and manifest["cases"] == [case.reference]
    key = OrganisationKey.objects.get(organisation=world.umoja)
    assert manifest["public_key"] == key.public_key and result.fingerprint == key.fingerprint
    # The chain of custody: the case's and reports' entries, linked.
    assert {e["model"] for e in custody} >= {"monitoring.case", "monitoring.report", "monitoring.caseevent",
                                             "monitoring.attachment"}  # fmt: skip
    assert AuditEntry.objects.filter(model="evidence.bundle").count() == 1
    assert check_bundle(bundle, key.public_key).ok and check_bundle(bundle, key.fingerprint).ok


@pytest.mark.parametrize(
    "member", ["summary.pdf", "reports.csv", "custody.json", "attachments/", "manifest.json"]
)
def test_flipping_one_byte_of_any_file_is_rejected(bundle: Path, tmp_path: Path, member: str) -> None:
    data = bundle.read_bytes()
    with zipfile.ZipFile(bundle) as archive:
        info = next(i for i in archive.infolist() if i.filename.startswith(member))
    # The member's data starts after its local header (30 bytes + name + extra field).
    name_len = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    flipped = tmp_path / "flipped.zip"
    for offset in range(0, info.compress_size, max(1, info.compress_size // 25)):
        changed = bytearray(data)
        changed[start + offset] ^= 0x01
        flipped.write_bytes(bytes(changed))
        result = check_bundle(flipped)
        assert not result.ok and result.errors, offset


def test_flipping_any_byte_of_the_archive_is_rejected(bundle: Path, tmp_path: Path) -> None:
    """A sweep over the whole file: member data, both headers, the directory and its end record."""
    data = bundle.read_bytes()
    flipped = tmp_path / "flipped.zip"
    with zipfile.ZipFile(bundle) as archive:
        directory = archive.start_dir
    # Every byte of the central directory and end record (fields zipfile ignores live there), a sample of the rest.
    positions = sorted(set(range(0, directory, max(1, directory // 400))) | set(range(directory, len(data))))
    accepted = []
    for position in positions:
        changed = bytearray(data)
        changed[position] ^= 0x01
        flipped.write_bytes(bytes(changed))
        if check_bundle(flipped).ok:
            accepted.append(position)
    assert accepted == [] and len(positions) >= 400


def test_a_truncated_zip_is_rejected(bundle: Path, tmp_path: Path) -> None:
    data = bundle.read_bytes()
    for cut in (len(data) - 10, len(data) // 2, 100, 0):
        short = tmp_path / f"short-{cut}.zip"
        short.write_bytes(data[:cut])
        result = check_bundle(short)
        assert not result.ok and "not a readable ZIP" in result.errors[0]


def test_a_forged_manifest_is_rejected(bundle: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(bundle) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    forged_csv = b"id,reference\n1,R1\n"
    for entry in manifest["files"]:
        if entry["path"] == "reports.csv":
            entry["sha256"], entry["size"] = hashlib.sha256(forged_csv).hexdigest(), len(forged_csv)
    target = tmp_path / "forged.zip"
    rewrite(bundle, target, {"reports.csv": forged_csv, "manifest.json": json.dumps(manifest).encode()})
    result = check_bundle(target)
    assert not result.ok and "signature does not match" in result.errors[0]


def test_a_bundle_re_signed_with_another_key_fails_against_the_organisations_key(
    bundle: Path, tmp_path: Path, world: World
) -> None:
    other = Ed25519PrivateKey.generate()
    with zipfile.ZipFile(bundle) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    manifest["public_key"] = other.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    body = json.dumps(manifest).encode()
    target = tmp_path / "resigned.zip"
    rewrite(bundle, target, {"manifest.json": body, "manifest.sig": other.sign(body).hex().encode()})
    assert check_bundle(target).ok  # self-consistent ...
    key = OrganisationKey.objects.get(organisation=world.umoja)
    result = check_bundle(target, key.fingerprint)  # ... but not by the organisation
    assert not result.ok and "not the expected key" in result.errors[0]
    key_file = tmp_path / "umoja.pub"
    key_file.write_text(f"fingerprint: {key.fingerprint}\n")
    assert not check_bundle(target, str(key_file)).ok and check_bundle(bundle, str(key_file)).ok


def test_an_extra_or_a_missing_file_is_rejected(bundle: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra.zip"
    rewrite(bundle, extra, {}, add={"attachments/R1/planted.pdf": b"%PDF-1.4 planted"})
    result = check_bundle(extra)
    assert not result.ok and "not in the manifest" in result.errors[0]
    missing = tmp_path / "missing.zip"
    rewrite(bundle, missing, {"events.csv": None})
    result = check_bundle(missing)
    assert not result.ok and "events.csv: listed in the manifest but missing" in result.errors
    unsigned = tmp_path / "unsigned.zip"
    rewrite(bundle, unsigned, {"manifest.sig": None})
    assert "manifest.sig is missing" in check_bundle(unsigned).errors[0]


def test_verify_bundle_runs_offline_without_settings_or_database(bundle: Path, tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "SAUTI_ENV": "production", "DATABASE_URL": "postgres://nowhere:1/x",
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    ok = subprocess.run([sys.executable, "-m", "sauti", "verify-bundle", str(bundle)],
                        env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert "OK:" in ok.stdout and "fingerprint" in ok.stdout
    broken = tmp_path / "broken.zip"
    broken.write_bytes(bundle.read_bytes()[:-30])
    bad = subprocess.run([sys.executable, "-m", "sauti", "verify-bundle", str(broken), "--json"],
                         env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert bad.returncode == 1 and json.loads(bad.stdout)["ok"] is False
    nothing = subprocess.run([sys.executable, "-m", "sauti", "verify-bundle", str(tmp_path / "none.zip")],
                             env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert nothing.returncode == 1 and "no such file" in nothing.stderr


def test_identities_need_the_explicit_permission_and_are_logged(world: World, case: Case) -> None:
    cases = cases_for_bundle([case.pk], world.wanjiku)
    with pytest.raises(BundleError):
        build_bundle(cases, world.wanjiku, identities=True)  # a coordinator may not
    before = IdentityAccess.objects.filter(user=world.alice).count()
    data = build_bundle(cases_for_bundle([case.pk], world.alice), world.alice, identities=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        reports_csv = archive.read("reports.csv").decode("utf-8-sig")
        assert json.loads(archive.read("manifest.json"))["identities"] is True
    assert "Njeri Wambui" in reports_csv and REPORTER in reports_csv
    assert IdentityAccess.objects.filter(user=world.alice).count() == before + 2


def test_who_may_bundle_which_cases(world: World, case: Case) -> None:
    with pytest.raises(BundleError, match="No such case"):
        cases_for_bundle([case.pk], world.bob)  # another organisation: existence does not leak
    with pytest.raises(BundleError, match="may not make evidence bundles"):
        cases_for_bundle([case.pk], world.otieno)  # a monitor sees cases but may not bundle them
    with pytest.raises(BundleError, match="No such case: 999999"):
        cases_for_bundle([case.pk, 999999], world.wanjiku)
    with pytest.raises(BundleError, match="at least one"):
        cases_for_bundle([], world.wanjiku)


def test_the_bundle_command(world: World, case: Case, tmp_path: Path) -> None:
    out = tmp_path / "cmd.zip"
    code, _out, err = run("evidence", "bundle", "--case", str(case.pk), "-o", str(out), "--user", "wanjiku")
    assert code == 0 and "1 cases" in err and check_bundle(out).ok
    with pytest.raises(CommandError, match="No such case"):
        run("evidence", "bundle", "--case", "999999", "-o", str(out))
    with pytest.raises(CommandError, match="--identities needs --user"):
        run("evidence", "bundle", "--case", str(case.pk), "-o", str(out), "--identities")
    code, stdout, _err = run("evidence", "key", "--org", "umoja")
    assert OrganisationKey.objects.get(organisation=world.umoja).fingerprint in stdout
    code, _out, _err = run("verify_bundle", str(out))
    assert code == 0


def test_verify_files_finds_an_attachment_changed_on_disk(world: World, case: Case) -> None:
    from sauti.monitoring.models import Attachment

    code, _out, _err = run("verify", "--files")
    assert code == 0
    attachment = Attachment.objects.get(report__case=case)
    with attachment.file.open("r+b") as handle:
        handle.seek(10)
        handle.write(b"\xff")
    code, _out, err = run("verify", "--files")
    assert code == 1 and f"attachment {attachment.pk} differs from its SHA-256" in err
    assert run("verify")[0] == 0  # without --files the rows still agree


def test_a_bundle_shared_outside_redacts_its_chain_of_custody(world: World, tmp_path: Path) -> None:
    """Issue 14: custody.json held the audited rows as written (a name and number in a report, a case title, a
    reason); outside the organisation they are redacted like the pages, their hashes kept as recorded."""
    from sauti.monitoring.actions import do_transition
    from sauti.monitoring.models import Status

    text = "Mimi ni Njeri Wambui, simu yangu 0712 000 001. Polisi walinipiga Kwa Reuben."
    report = submit(world, text, reporter=find_contact(world.umoja, REPORTER))
    assert report.case is not None
    do_transition(report.case, Status.TRIAGED, world.wanjiku, reason="Called Njeri Wambui on 0712000001")
    path = tmp_path / "outside.zip"
    path.write_bytes(build_bundle(cases_for_bundle([report.case.pk], world.wanjiku), world.wanjiku))
    with zipfile.ZipFile(path) as archive:
        custody_json = archive.read("custody.json").decode()
        custody_csv = archive.read("custody.csv").decode("utf-8-sig")
    for shown in (custody_json, custody_csv):
        for identity in ("Njeri", "Wambui", "0712 000 001", "0712000001", REPORTER, "712000001"):
            assert identity not in shown, identity
    custody = json.loads(custody_json)
    assert any("Polisi walinipiga" in json.dumps(e["data"], ensure_ascii=False) for e in custody)
    recorded = {
        e.seq: (e.data_hash, e.hash) for e in AuditEntry.objects.filter(seq__in=[c["seq"] for c in custody])
    }
    assert {c["seq"]: (c["data_hash"], c["hash"]) for c in custody} == recorded
    assert check_bundle(path).ok
    # Within the organisation, with identities, the chain is kept as written.
    inside = build_bundle(cases_for_bundle([report.case.pk], world.alice), world.alice, identities=True)
    with zipfile.ZipFile(io.BytesIO(inside)) as archive:
        assert "Njeri Wambui" in archive.read("custody.json").decode()
