"""Check the history: the chain links up, no entry is missing or edited, anchors still match, and every
audited row in the database is exactly what its latest entry says (nothing changed outside the app)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sauti.audit import audit
from sauti.audit.models import Action, Anchor, AuditEntry, ChainHead, OrganisationKey, SignedHead


@dataclass(frozen=True)
class Problem:
    kind: str  # gap, edited, broken_link, truncated, anchor, changed, inserted, deleted
    message: str
    seq: int | None = None
    model: str = ""
    pk: str = ""


@dataclass
class Result:
    entries: int = 0
    rows: int = 0
    signed_heads: int = 0
    redacted: int = 0  # entries whose snapshot an erasure redacted (declared in a later erase entry)
    head_seq: int = 0
    head_hash: str = audit.GENESIS
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        chain = [p for p in self.problems if p.kind in CHAIN_KINDS and p.seq is not None]
        if chain:
            return min(chain, key=lambda p: p.seq or 0)
        return self.problems[0] if self.problems else None

    def to_json(self) -> dict[str, Any]:
        first = self.first
        return {
            "ok": self.ok,
            "entries": self.entries,
            "rows": self.rows,
            "redacted": self.redacted,
            "signed_heads": self.signed_heads,
            "head": {"seq": self.head_seq, "hash": self.head_hash},
            "first_broken": asdict(first) if first else None,
            "problems": [asdict(p) for p in self.problems],
        }


CHAIN_KINDS = frozenset({"gap", "edited", "broken_link", "truncated", "anchor", "signed_head"})
Progress = Callable[[str], None]
FileCheck = Callable[[], Iterator[Problem]]

# What `verify --files` runs: each app that keeps files with a recorded hash registers a check of them in
# its AppConfig.ready() (monitoring: attachments), since audit imports no app above it.
_file_checks: list[FileCheck] = []


def register_file_check(check: FileCheck) -> None:
    if check not in _file_checks:
        _file_checks.append(check)


def verify(
    extra_anchors: Iterable[tuple[int, str]] = (),
    progress: Progress | None = None,
    every: int = 100_000,
    *,
    files: bool = False,
) -> Result:
    result = Result()
    latest: dict[tuple[str, str], tuple[int, str, str]] = {}
    hashes_at: dict[int, str] = {0: audit.GENESIS}  # an anchor taken before the first entry
    anchors = list(Anchor.objects.values_list("seq", "hash")) + list(extra_anchors)
    # Read before the walk: the head moves forward after each commit, so it may lag the entries read, and
    # must never lead them.
    head = ChainHead.objects.filter(pk=1).values_list("seq", "hash").first()
    signed = list(
        SignedHead.objects.order_by("seq", "pk").values_list(
            "pk", "organisation_id", "seq", "hash", "statement", "signature", "public_key"
        )
    )
    wanted = {seq for seq, _h in anchors} | ({head[0]} if head else set()) | {row[2] for row in signed}
    expected, prev = 1, audit.GENESIS
    snapshots_differ: dict[int, tuple[str, str, str]] = {}
    declared: dict[int, str] = {}  # seq -> SHA-256 of the redacted snapshot an erase entry declared
    rows = AuditEntry.objects.order_by("seq").values_list(
        "seq", "at", "actor", "action", "model", "object_pk", "data", "data_hash", "prev_hash", "hash"
    )
    for seq, at, actor, action, model, pk, data, data_hash, prev_hash, digest in rows.iterator(5000):
        result.entries += 1
        if progress and result.entries % every == 0:
            progress(f"{result.entries} entries checked")
        if seq != expected:
            result.problems.append(Problem("gap", f"entries #{expected}–#{seq - 1} are missing", expected))
        elif prev_hash != prev:
            result.problems.append(
                Problem("broken_link", f"entry #{seq} does not link to entry #{seq - 1}", seq, model, pk)
            )
        if audit.entry_hash(prev_hash, seq, at, actor, action, model, pk, data_hash) != digest:
            result.problems.append(
                Problem("edited", f"entry #{seq} ({model} {pk}) was altered", seq, model, pk)
            )
        elif audit.sha256_hex(data) != data_hash:
            # Either edited, or redacted by an erasure that a later erase entry declares (checked below).
            snapshots_differ[seq] = (model, pk, audit.sha256_hex(data))
        for redacted_seq, redacted_hash in audit.redaction_declarations(action, model, data).items():
            if redacted_seq < seq:
                declared[redacted_seq] = redacted_hash
        latest[(model, pk)] = (seq, action, data_hash)
        if seq in wanted:
            hashes_at[seq] = digest
        expected, prev = seq + 1, digest
    result.head_seq, result.head_hash = expected - 1, prev
    for seq, (model, pk, found) in sorted(snapshots_differ.items()):
        if declared.get(seq) == found:
            result.redacted += 1
        else:
            result.problems.append(
                Problem("edited", f"entry #{seq} ({model} {pk}) was altered", seq, model, pk)
            )
    if head is not None:
        _check_head(result, head, hashes_at)
    _check_signed_heads(result, signed, hashes_at)
    for seq, digest in anchors:
        if hashes_at.get(seq) != digest:
            result.problems.append(
                Problem("anchor", f"anchor #{seq} ({digest[:16]}…) no longer matches the log", seq)
            )
    _compare_rows(result, latest, progress, every)
    if files:
        _check_files(result)
    return result


def _check_signed_heads(result: Result, signed: list[tuple[Any, ...]], hashes_at: dict[int, str]) -> None:
    """Each signed head: a valid signature by the organisation's current key over exactly its statement,
    and the chain still holds that hash at that entry (a chain rewritten whole fails here)."""
    keys = dict(OrganisationKey.objects.values_list("organisation_id", "public_key"))
    for _pk, org_id, seq, digest, statement, signature, public_key in signed:
        result.signed_heads += 1
        try:
            Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key)).verify(
                bytes.fromhex(signature), statement.encode()
            )
            said = json.loads(statement)
            valid = (said.get("seq"), said.get("hash")) == (seq, digest)
        except (InvalidSignature, ValueError, TypeError, AttributeError):
            valid = False
        if not valid:
            result.problems.append(
                Problem("signed_head", f"the signature of the chain head #{seq} signed for organisation "
                        f"{org_id} does not match its statement", seq)
            )  # fmt: skip
        elif keys.get(org_id) != public_key:
            result.problems.append(
                Problem("signed_head", f"the chain head #{seq} was signed with a key that is not organisation "
                        f"{org_id}'s key", seq)
            )  # fmt: skip
        elif hashes_at.get(seq) != digest:
            result.problems.append(
                Problem("signed_head", f"the chain head #{seq} signed by organisation {org_id} "
                        f"({digest[:16]}…) is no longer in the log: the chain was rewritten", seq)
            )  # fmt: skip


def _check_head(result: Result, head: tuple[int, str], hashes_at: dict[int, str]) -> None:
    seq, digest = head
    end = result.head_seq
    if seq > end:
        result.problems.append(
            Problem("truncated", f"the chain head says entry #{seq} but the log ends at #{end}", end + 1)
        )
    elif hashes_at.get(seq) != digest:
        result.problems.append(
            Problem("truncated", f"entry #{seq} is not the one the chain head recorded: the log was cut there "
                    "and written again", seq)
        )  # fmt: skip


def _check_files(result: Result) -> None:
    for check in _file_checks:
        result.problems.extend(check())


def _compare_rows(
    result: Result, latest: dict[tuple[str, str], tuple[int, str, str]], progress: Progress | None, every: int
) -> None:
    for spec in audit.registered():
        present: set[str] = set()
        for pk, data in audit.snapshots(spec):
            result.rows += 1
            if progress and result.rows % every == 0:
                progress(f"{result.rows} rows compared")
            present.add(pk)
            last = latest.get((spec.label, pk))
            if last is None or last[1] == Action.DELETE:
                result.problems.append(
                    Problem("inserted", f"{spec.label} {pk} was added outside the application", None,
                            spec.label, pk)
                )  # fmt: skip
            elif last[2] != audit.sha256_hex(data):
                result.problems.append(
                    Problem(
                        "changed",
                        f"{spec.label} {pk} was changed outside the application (last logged in entry #{last[0]})",
                        last[0],
                        spec.label,
                        pk,
                    )
                )
        for (label, pk), (seq, action, _h) in latest.items():
            if label == spec.label and action != Action.DELETE and pk not in present:
                result.problems.append(
                    Problem("deleted", f"{label} {pk} was deleted outside the application (entry #{seq})",
                            seq, label, pk)
                )  # fmt: skip
