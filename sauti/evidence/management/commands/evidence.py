"""`sauti evidence anchor|backfill|bundle|retention|key`: one command over the audit chain (sauti.audit),
evidence bundles and the retention job (sauti.people.subjects), as the README has it.

Contract (README):
- `sauti evidence anchor [--json] [--note TEXT]` stores and prints the chain head (seq, hash, time).
- `sauti evidence backfill` logs audited rows that have no history yet (data from before the log existed).
- `sauti evidence bundle --case <id>... -o bundle.zip [--user NAME] [--identities]` writes a signed bundle.
- `sauti evidence retention [--days N] [--dry-run]` erases identities past SAUTI_IDENTITY_RETENTION_DAYS.
- `sauti evidence key --org <slug>` prints the organisation's public key and fingerprint.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sauti.audit import actions, audit
from sauti.evidence import bundles
from sauti.people.models import Organisation, User
from sauti.people.subjects import do_retention


class Command(BaseCommand):
    help = "Anchor the history, backfill it, write evidence bundles, show an organisation's key."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", metavar="{anchor,backfill,bundle,retention,key}", required=True
        )
        anchor = sub.add_parser("anchor", help="Store and print the chain head, to print or share.")
        anchor.add_argument("--json", action="store_true")
        anchor.add_argument("--note", default="", help="Where the anchor goes (who it was sent to).")

        backfill = sub.add_parser("backfill", help="Log audited rows that have no history yet.")
        backfill.add_argument("--batch", type=int, default=1000)

        bundle = sub.add_parser("bundle", help="Write a signed evidence bundle (ZIP) for some cases.")
        bundle.add_argument("--case", type=int, nargs="+", required=True, dest="cases", metavar="ID")
        bundle.add_argument("-o", "--output", required=True)
        bundle.add_argument("--user", help="Make the bundle as this user (their rights; logged).")
        bundle.add_argument(
            "--identities", action="store_true", help="Include reporters' names and phones (needs --user)."
        )

        retention = sub.add_parser("retention", help="Erase identities past the retention period.")
        retention.add_argument("--days", type=int, help="Override SAUTI_IDENTITY_RETENTION_DAYS.")
        retention.add_argument("--dry-run", action="store_true", help="Only count who would be erased.")

        key = sub.add_parser("key", help="Print an organisation's public signing key and its fingerprint.")
        key.add_argument("--org", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _anchor(self, options: dict[str, Any]) -> None:
        with audit.acting_as("command:evidence-anchor"):
            anchor = actions.do_anchor(note=options["note"])
        if options["json"]:
            self.stdout.write(
                json.dumps({"seq": anchor.seq, "hash": anchor.hash, "at": anchor.at.isoformat()}, indent=2)
            )
        else:
            self.stdout.write(
                _("Sauti history head #%(seq)d %(hash)s at %(at)s")
                % {"seq": anchor.seq, "hash": anchor.hash, "at": anchor.at.isoformat(timespec="seconds")}
            )
            self.stdout.write(_("Check it later with: sauti verify --anchor %(seq)d:%(hash)s")
                              % {"seq": anchor.seq, "hash": anchor.hash})  # fmt: skip

    def _backfill(self, options: dict[str, Any]) -> None:
        def progress(label: str, done: int) -> None:
            print(f"{label}: {done} rows logged", file=sys.stderr)

        with audit.acting_as("command:evidence-backfill"):
            counts = actions.do_backfill(batch=max(1, options["batch"]), progress=progress)
        self.stdout.write(json.dumps(counts))

    def _bundle(self, options: dict[str, Any]) -> None:
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(_("No active user %(name)r.") % {"name": options["user"]})
        elif options["identities"]:
            raise CommandError(
                _("--identities needs --user: including identities is logged against a person.")
            )
        try:
            with audit.acting_as(user or "command:evidence-bundle"):
                cases = bundles.cases_for_bundle(options["cases"], user)
                data = bundles.build_bundle(cases, user, identities=options["identities"])
        except bundles.BundleError as exc:
            raise CommandError(str(exc)) from None
        out = options["output"]
        if out == "-":
            sys.stdout.buffer.write(data)
        else:
            Path(out).write_bytes(data)
            self.stderr.write(_("Wrote %(path)s (%(size)d bytes, %(n)d cases).")
                              % {"path": out, "size": len(data), "n": len(cases)})  # fmt: skip

    def _retention(self, options: dict[str, Any]) -> None:
        if options["days"] is not None and options["days"] < 0:
            raise CommandError(_("--days must be 0 or more."))
        n = do_retention(options["days"], dry_run=options["dry_run"])
        self.stdout.write(json.dumps({"erased": 0 if options["dry_run"] else n, "candidates": n}))

    def _key(self, options: dict[str, Any]) -> None:
        org = Organisation.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(_("No organisation with the short name %(slug)r.") % {"slug": options["org"]})
        key = actions.organisation_key(org)
        self.stdout.write(f"{org.name}\npublic key: {key.public_key}\nfingerprint: {key.fingerprint}")
