"""Issue 14, must-hold 6: the chain head signed with each organisation's key (on a schedule and with every
bundle), public keys published at a public URL and in every bundle's instructions, and `verify-bundle`
without a pinned key saying plainly that it checked integrity only."""

from __future__ import annotations

import json
import zipfile
from datetime import timedelta
from pathlib import Path

import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from django.test import Client
from django.utils import timezone

from sauti.audit import audit
from sauti.audit.actions import do_sign_heads, organisation_key
from sauti.audit.models import AuditEntry, SignedHead
from sauti.evidence.bundlecheck import main as verify_bundle
from sauti.evidence.bundles import build_bundle, cases_for_bundle
from sauti.ops import schedule
from tests.audit.helpers import submit, verify_json
from tests.conftest import World


def make_bundle(world: World, tmp_path: Path) -> Path:
    report = submit(world, "Water cut in Kwa Reuben, 200 families")
    path = tmp_path / "bundle.zip"
    path.write_bytes(build_bundle(cases_for_bundle([report.case_id or 0], world.wanjiku), world.wanjiku))
    return path


def test_the_worker_signs_the_chain_head_at_intervals(world: World) -> None:
    submit(world, "Water cut in Kwa Reuben")
    schedule.minutely()
    heads = list(SignedHead.objects.order_by("organisation__slug"))
    seq, digest = audit.last_entry()
    assert [h.organisation.slug for h in heads] == ["haki", "umoja"]
    assert all((h.seq, h.hash) == (seq, digest) for h in heads)
    assert all(h.public_key == organisation_key(h.organisation).public_key for h in heads)
    schedule.minutely()  # nothing new within the interval
    assert SignedHead.objects.count() == 2
    submit(world, "Still no water")
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        schedule.minutely()
    assert SignedHead.objects.count() == 4
    code, result = verify_json()
    assert code == 0 and result["signed_heads"] == 4


def test_a_chain_rewritten_whole_no_longer_matches_its_signed_heads(world: World) -> None:
    submit(world, "Water cut in Kwa Reuben")
    do_sign_heads(force=True)
    # Someone with database write access rewrites the whole chain consistently (new data, new hashes) ...
    prev = audit.GENESIS
    for entry in AuditEntry.objects.order_by("seq"):
        data = entry.data.replace("Kwa Reuben", "Kwa Rasta")
        data_hash = audit.sha256_hex(data)
        digest = audit.entry_hash(prev, entry.seq, entry.at, entry.actor, entry.action, entry.model,
                                  entry.object_pk, data_hash)  # fmt: skip
        AuditEntry.objects.filter(pk=entry.pk).update(
            data=data, data_hash=data_hash, prev_hash=prev, hash=digest
        )
        prev = digest
    from sauti.audit.models import ChainHead

    ChainHead.objects.update(hash=prev)
    # ... but cannot sign the new head with the organisation's key.
    code, result = verify_json()
    assert code != 0 and {p["kind"] for p in result["problems"]} >= {"signed_head"}
    # A forged signature on a doctored head is caught as well.
    head = SignedHead.objects.first()
    assert head is not None
    SignedHead.objects.filter(pk=head.pk).update(hash=prev)
    problems = verify_json()[1]["problems"]
    assert any("signature" in p["message"] for p in problems if p["kind"] == "signed_head")


def test_public_keys_are_published_without_logging_in(world: World) -> None:
    key = organisation_key(world.umoja)
    submit(world, "Water cut in Kwa Reuben")
    assert do_sign_heads(force=True) == 2
    page = Client().get("/evidence/public-keys/")
    assert page.status_code == 200
    body = page.content.decode()
    assert key.fingerprint in body and key.public_key in body and world.haki.name in body
    data = Client().get("/evidence/public-keys/?format=json").json()
    umoja = next(o for o in data["organisations"] if o["slug"] == "umoja")
    assert umoja["public_key"] == key.public_key and umoja["signed_heads"][0]["signature"]
    text = Client().get("/evidence/public-keys/umoja.txt")
    assert text.status_code == 200 and f"fingerprint: {key.fingerprint}" in text.content.decode()
    assert Client().get("/evidence/public-keys/nowhere.txt").status_code == 404
    sw = Client(headers={"Accept-Language": "sw"})
    sw.cookies["sauti_language"] = "sw"
    assert 'lang="sw"' in sw.get("/evidence/public-keys/").content.decode()


def test_every_bundle_carries_instructions_with_the_key_and_a_signed_head(
    world: World, tmp_path: Path
) -> None:
    path = make_bundle(world, tmp_path)
    key = organisation_key(world.umoja)
    with zipfile.ZipFile(path) as archive:
        readme = archive.read("README.txt").decode()
        manifest = json.loads(archive.read("manifest.json"))
    assert key.fingerprint in readme and "/evidence/public-keys/umoja.txt" in readme
    assert "sauti verify-bundle" in readme and "--key" in readme
    assert manifest["key_url"].endswith("/evidence/public-keys/umoja.txt")
    assert SignedHead.objects.filter(organisation=world.umoja, reason="bundle").exists()
    head = SignedHead.objects.get(organisation=world.umoja, reason="bundle")
    assert manifest["chain_head"] == {"seq": head.seq, "hash": head.hash}


def test_verify_bundle_without_a_key_checks_integrity_only_and_names_no_organisation(
    world: World, tmp_path: Path, capsys: object
) -> None:
    path = make_bundle(world, tmp_path)
    key = organisation_key(world.umoja)
    assert verify_bundle([str(path)]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "integrity only" in out and key.fingerprint in out
    assert "signed by Umoja" not in out and "not checked" in out
    assert verify_bundle([str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)  # type: ignore[attr-defined]
    assert data["key_checked"] is False and data["organisation"] == ""
    assert data["claimed_organisation"] == world.umoja.name
    assert verify_bundle([str(path), "--key", key.fingerprint]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "integrity only" not in out and f"signed with the expected key {key.fingerprint}" in out
    # Re-signed by someone else: still self-consistent, but the output says it is not the organisation's key.
    other = Ed25519PrivateKey.generate()
    with zipfile.ZipFile(path) as archive:
        members = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    manifest = json.loads(members["manifest.json"])
    manifest["public_key"] = other.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    from sauti.evidence.bundlecheck import fingerprint, member_info

    manifest["fingerprint"] = fingerprint(bytes.fromhex(manifest["public_key"]))
    members["manifest.json"] = json.dumps(manifest).encode()
    members["manifest.sig"] = other.sign(members["manifest.json"]).hex().encode()
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(forged, "w") as archive:
        for name, content in members.items():
            archive.writestr(member_info(name), content)
    assert verify_bundle([str(forged)]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "integrity only" in out and key.fingerprint not in out and "Umoja" not in out.split("claims")[0]
    assert verify_bundle([str(forged), "--key", key.fingerprint]) == 1
