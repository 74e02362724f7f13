"""Offline check of an evidence bundle: no database, no Django, only `cryptography`.

    sauti verify-bundle bundle.zip [--key PUBKEY|FINGERPRINT|FILE] [--json]
    python -m sauti.evidence.bundlecheck bundle.zip ...

Exit 0 only when the signature over manifest.json is valid (and by the expected key, when one is given),
every file the manifest lists is present with its SHA-256 and size, and the ZIP holds nothing else.
Without --key only the bundle's integrity is checked (against the key inside it): the output says so and
names the organisation only as a claim.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import struct
import sys
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sauti.core.keys import fingerprint as fingerprint  # part of this module's interface (bundles, tests)

FORMAT = "sauti-evidence-bundle/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
MAX_MANIFEST_BYTES = 50 * 1024 * 1024
# What reading a damaged member can raise: a flipped bit in deflate data often ends as zlib.error, and a
# tampered compression-method field makes zipfile raise NotImplementedError (an unknown method).
_DAMAGED = (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError, RuntimeError)


# Every member is written the same way (bundles.write_zip): stored, not deflated, so that every byte of
# member data is covered by the signed hashes; fixed time and attributes, so that the headers are too.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644 << 16
_LOCAL = struct.Struct("<4s5H3L2H")


def member_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.external_attr = FILE_MODE
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = 3
    return info


def _header_problem(handle: Any, info: zipfile.ZipInfo) -> str | None:
    """Anything in a member's two headers that differs from what Sauti writes (they are not hashed)."""
    if (info.compress_type, info.date_time, info.external_attr, info.internal_attr, info.flag_bits) != (
        zipfile.ZIP_STORED, FIXED_TIME, FILE_MODE, 0, 0,
    ) or (info.create_system, info.create_version, info.extract_version, info.volume) != (3, 20, 20, 0) or (
        info.extra or info.comment
    ):  # fmt: skip
        return "its directory entry was altered"
    handle.seek(info.header_offset)
    header = handle.read(_LOCAL.size)
    if len(header) < _LOCAL.size:
        return "its header is cut off"
    magic, version, flags, method, mtime, mdate, crc, csize, usize, nlen, xlen = _LOCAL.unpack(header)
    dostime = (info.date_time[3] << 11) | (info.date_time[4] << 5) | (info.date_time[5] // 2)
    dosdate = ((info.date_time[0] - 1980) << 9) | (info.date_time[1] << 5) | info.date_time[2]
    expected = (b"PK\x03\x04", 20, 0, 0, dostime, dosdate, info.CRC, info.compress_size, info.file_size,
                len(info.filename.encode()), 0)  # fmt: skip
    if (magic, version, flags, method, mtime, mdate, crc, csize, usize, nlen, xlen) != expected:
        return "its header was altered"
    return None


@dataclass
class Check:
    ok: bool = False
    errors: list[str] = field(default_factory=list)
    files: int = 0
    fingerprint: str = ""
    organisation: str = ""  # as the manifest claims it; confirmed only when key_checked
    created_at: str = ""
    key_checked: bool = False  # a pinned key (--key) was given and is the one that signed
    key_url: str = ""  # where the manifest says the organisation publishes its key (a claim too)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "errors": self.errors,
            "files": self.files,
            "fingerprint": self.fingerprint,
            "key_checked": self.key_checked,
            "integrity_only": self.ok and not self.key_checked,
            # Named only when the signing key was checked against a pinned one: otherwise anyone can
            # write any organisation's name into a bundle signed with their own key.
            "organisation": self.organisation if self.key_checked else "",
            "claimed_organisation": self.organisation,
            "key_url": self.key_url,
            "created_at": self.created_at,
        }


def _expected_key(raw: str) -> str:
    """A hex public key, a fingerprint, or a file holding either -> normalised for comparison."""
    text = raw.strip()
    path = Path(text)
    if len(text) < 200 and not _hex_or_fingerprint(text) and path.is_file():
        text = path.read_text(encoding="utf-8", errors="replace").strip()
        for line in text.splitlines():
            value = line.split(":", 1)[-1].strip()
            if _hex_or_fingerprint(value):
                text = value
                break
    return text.replace(" ", "").lower()


def _hex_or_fingerprint(text: str) -> bool:
    compact = text.replace(" ", "")
    return len(compact) in (32, 64) and all(c in "0123456789abcdefABCDEF" for c in compact)


def check_bundle(path: str | Path, key: str | None = None) -> Check:
    result = Check()
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        result.errors.append(f"{path}: no such file")
        return result
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        result.errors.append(f"{path}: not a readable ZIP file ({exc})")
        return result
    with archive:
        _check_archive(archive, key, result)
        if not result.errors:
            if archive.comment:
                result.errors.append("the ZIP carries a comment Sauti never writes")
            with open(path, "rb") as handle:
                for info in archive.infolist():
                    problem = _header_problem(handle, info)
                    if problem:
                        result.errors.append(f"{info.filename}: {problem}")
        if not result.errors and not _rebuilds_identically(archive, Path(path)):
            # Bytes zipfile ignores (reserved fields, end-record counts) are not hashed anywhere else.
            result.errors.append("the ZIP structure was altered: it is not byte for byte what Sauti wrote")
    result.ok = not result.errors
    return result


def _rebuilds_identically(archive: zipfile.ZipFile, path: Path) -> bool:
    """Sauti writes bundles deterministically, so writing the verified members again must give the same file."""
    with tempfile.SpooledTemporaryFile(max_size=64 << 20) as rebuilt:
        with zipfile.ZipFile(rebuilt, "w") as again:
            for info in archive.infolist():
                again.writestr(member_info(info.filename), archive.read(info.filename))
        rebuilt.seek(0)
        with open(path, "rb") as original:
            while True:
                a, b = rebuilt.read(1 << 20), original.read(1 << 20)
                if a != b:
                    return False
                if not a:
                    return True


def _read(archive: zipfile.ZipFile, name: str, result: Check, limit: int | None = None) -> bytes | None:
    try:
        with archive.open(name) as handle:
            data = handle.read() if limit is None else handle.read(limit + 1)
    except _DAMAGED as exc:
        result.errors.append(f"{name}: damaged ({exc})")
        return None
    if limit is not None and len(data) > limit:
        result.errors.append(f"{name}: larger than {limit} bytes")
        return None
    return data


def _check_archive(archive: zipfile.ZipFile, key: str | None, result: Check) -> None:
    names = [info.filename for info in archive.infolist()]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        result.errors.append(f"files appear twice: {', '.join(duplicates)}")
    for required in (MANIFEST, SIGNATURE):
        if required not in names:
            result.errors.append(f"{required} is missing: this is not a signed Sauti bundle")
    if result.errors:
        return
    manifest_bytes = _read(archive, MANIFEST, result, MAX_MANIFEST_BYTES)
    signature_raw = _read(archive, SIGNATURE, result, 1024)
    if manifest_bytes is None or signature_raw is None:
        return
    try:
        manifest = json.loads(manifest_bytes)
        public = bytes.fromhex(manifest["public_key"])
        listed = {str(f["path"]): (str(f["sha256"]), int(f["size"])) for f in manifest["files"]}
        if manifest.get("format") != FORMAT:
            raise ValueError(f"unknown format {manifest.get('format')!r}")
        public_key = Ed25519PublicKey.from_public_bytes(public)
        signature = bytes.fromhex(signature_raw.decode("ascii").strip())
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, AttributeError) as exc:
        result.errors.append(f"{MANIFEST} or {SIGNATURE} is malformed ({exc})")
        return
    result.fingerprint = fingerprint(public)
    result.organisation = str(manifest.get("organisation", {}).get("name", ""))
    result.created_at = str(manifest.get("created_at", ""))
    result.key_url = str(manifest.get("key_url", ""))
    try:
        public_key.verify(signature, manifest_bytes)
    except InvalidSignature:
        result.errors.append("the signature does not match manifest.json: the manifest was altered or forged")
        return
    if key is not None:
        wanted = _expected_key(key)
        if wanted not in (public.hex(), result.fingerprint.replace(" ", "").lower()):
            result.errors.append(
                f"signed with key {result.fingerprint}, not the expected key: wrong key or forged bundle"
            )
            return
        result.key_checked = True
    for name in names:
        if name in (MANIFEST, SIGNATURE):
            continue
        if name not in listed:
            result.errors.append(f"{name}: not in the manifest (added after signing)")
    for name, (sha256, size) in sorted(listed.items()):
        if name not in names:
            result.errors.append(f"{name}: listed in the manifest but missing")
            continue
        digest, got = hashlib.sha256(), 0
        try:
            with archive.open(name) as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
                    got += len(chunk)
        except _DAMAGED as exc:
            result.errors.append(f"{name}: damaged ({exc})")
            continue
        if got != size or digest.hexdigest() != sha256:
            result.errors.append(f"{name}: content differs from the manifest (SHA-256 mismatch)")
        else:
            result.files += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="sauti verify-bundle", description="Check a Sauti evidence bundle offline."
    )
    parser.add_argument("bundle")
    parser.add_argument(
        "--key", help="The organisation's public key (hex), its fingerprint, or a file with it."
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = check_bundle(args.bundle, args.key)
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    elif result.ok and result.key_checked:
        print(f"OK: {result.files} files intact, signed with the expected key {result.fingerprint}")
        print(f"made for {result.organisation} on {result.created_at}")
    elif result.ok:
        print(f"OK: integrity only. {result.files} files intact and consistent with the signature of the key")
        print(f"inside the bundle, fingerprint {result.fingerprint}.")
        print("The key was not checked, so nothing here shows who made this bundle: anyone can sign a bundle")
        print(f"with a key of their own. The bundle claims to come from {result.organisation!r}; compare the")
        where = f" ({result.key_url})" if result.key_url else ""
        print(f"fingerprint with the one that organisation publishes{where}, or run again with --key.")
    else:
        print(f"REJECTED: {args.bundle}", file=sys.stderr)
        for error in result.errors:
            print(f"  {error}", file=sys.stderr)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
