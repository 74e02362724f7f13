"""`sauti opinions analyze|import`: Polis-style opinion maps from the console.

`analyze <dir> [--groups K] [--assign FILE] --json` is a contract scripts rely on (README, Contract): it prints
participants, in_conv, tids, pca {center, comps} (Polis' sign: agree = -1), groups (pid -> group or null),
consensus {agree, disagree} (tids), repness (group -> tids) and group_aware_consensus (tid -> value); extra keys
may be added. Ids are those of the input files.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sauti.opinions.polis import (
    NotEnoughData,
    PolisDataError,
    analyze,
    history_in_conv,
    load_assignment,
    load_folder,
    replay,
)


class Command(BaseCommand):
    help = "Opinion maps: analyse a Polis export folder, or import one as a conversation."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="{analyze,import}", required=True)
        an = actions.add_parser(
            "analyze", help="Run the pipeline on a Polis export folder without storing it."
        )
        an.add_argument("folder", help="openData CSV folder or API JSON folder.")
        an.add_argument("--groups", type=int, help="Force the number of groups (1-5; default: summary.csv).")
        an.add_argument("--assign", help="JSON file participant id -> group: skip clustering.")
        an.add_argument("--seed", type=int, default=0, help="Random seed (default 0).")
        an.add_argument(
            "--no-history",
            action="store_true",
            help="Analyse the final votes only; by default timestamped votes replay Polis' update history.",
        )
        an.add_argument("--json", action="store_true", help="Print JSON (the contract).")

        im = actions.add_parser("import", help="Store a Polis export folder as a conversation.")
        im.add_argument("folder", help="openData CSV folder or API JSON folder.")
        im.add_argument("--org", required=True, help="Slug of the organisation that owns the conversation.")
        im.add_argument("--title", help="Title (default: the export's topic).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "analyze":
            self._analyze(options)
        else:
            self._import(options)

    def _analyze(self, options: dict[str, Any]) -> None:
        groups = options.get("groups")
        if groups is not None and not 1 <= groups <= 5:
            raise CommandError(_("--groups must be between 1 and 5."))
        try:
            folder = load_folder(options["folder"])
            assign = load_assignment(options["assign"]) if options.get("assign") else None
            started = time.perf_counter()
            k = groups if groups is not None else folder.votes.groups_hint
            history = folder.votes.events is not None and not options["no_history"] and assign is None
            if history:
                result = replay(folder.votes, groups=k, seed=options["seed"])
            else:
                keep = history_in_conv(folder.votes) if not options["no_history"] else frozenset()
                result = analyze(folder.votes, groups=k, assign=assign, seed=options["seed"], keep=keep)
            elapsed = time.perf_counter() - started
        except PolisDataError as exc:
            raise CommandError(
                _("Cannot read %(folder)s: %(reason)s") % {"folder": options["folder"], "reason": exc}
            ) from None
        except NotEnoughData as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            out = result.to_json()
            out["sign_convention_flipped"] = folder.flipped
            out["history_replayed"] = history
            self.stdout.write(json.dumps(out, ensure_ascii=False))
            return
        self.stdout.write(
            _(
                "%(title)s: %(n)d participants, %(c)d in the conversation, %(t)d statements, %(k)d groups (%(s).2f s)"
            )
            % {
                "title": folder.title,
                "n": len(result.pids),
                "c": int(result.in_conv.sum()),
                "t": len(result.tids),
                "k": result.k,
                "s": elapsed,
            }
        )
        if folder.flipped:
            self.stdout.write(_("Votes were stored with -1 = agree (raw Polis export); read them flipped."))
        if history:
            self.stdout.write(
                _("Polis' update history was replayed from the vote times (--no-history: final votes only).")
            )
        for g, size in result.group_sizes.items():
            tids = ", ".join(str(r["tid"]) for r in result.repness.get(g, []))
            self.stdout.write(
                _("Group %(g)d: %(n)d people; representative statements: %(tids)s")
                % {"g": g, "n": size, "tids": tids}
            )
        for direction, rows in result.consensus.items():
            self.stdout.write(
                _("Consensus (%(d)s): %(tids)s")
                % {"d": direction, "tids": ", ".join(str(r["tid"]) for r in rows) or "-"}
            )

    def _import(self, options: dict[str, Any]) -> None:
        from sauti.opinions.imports import import_folder

        try:
            conversation = import_folder(
                options["folder"],
                org_slug=options["org"],
                title=options.get("title"),
                progress=self.stdout.write,
            )
        except PolisDataError as exc:
            raise CommandError(
                _("Cannot read %(folder)s: %(reason)s") % {"folder": options["folder"], "reason": exc}
            ) from None
        self.stdout.write(
            _("Imported conversation %(id)d: %(title)s")
            % {"id": conversation.pk, "title": conversation.title}
        )
