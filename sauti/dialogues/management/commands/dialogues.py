"""`sauti dialogues tally <ballots.csv> --method borda|schulze --json`, `sauti dialogues remind`,
`sauti dialogues scorecard --org <slug> --json` (contracts in the README)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sauti.dialogues import results
from sauti.dialogues.ballots_csv import parse_ballots_csv
from sauti.dialogues.counting import METHODS, BallotError, Method, tally
from sauti.dialogues.stats import scorecard_json
from sauti.people.models import Organisation


class Command(BaseCommand):
    help = "Count consensus ballots from a CSV file; send commitment reminders."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="{tally,remind,scorecard}", required=True)
        t = actions.add_parser("tally", help="Count ballots from a CSV file.")
        t.add_argument("file", help="CSV: voter, group, weight (optional), then one column per priority.")
        t.add_argument("--method", choices=METHODS, default="borda")
        t.add_argument("--json", action="store_true", help="Print the result as JSON.")
        r = actions.add_parser(
            "remind", help="Send reminders before commitment due dates and escalate overdue ones."
        )
        r.add_argument(
            "--schedule",
            action="store_true",
            help="Also queue a daily run in the background worker (sauti worker).",
        )

        sc = actions.add_parser(
            "scorecard",
            help="Commitments with the office's claim, the community's verdict and the result (issue 15).",
        )
        sc.add_argument("--org", required=True, help="The organisation's slug.")
        sc.add_argument("--json", action="store_true", help="Print the scorecard as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "tally":
            self._tally(options["file"], options["method"], options["json"])
        elif options["action"] == "scorecard":
            self._scorecard(options["org"], options["json"])
        else:
            self._remind(options["schedule"])

    def _scorecard(self, slug: str, as_json: bool) -> None:
        org = Organisation.objects.filter(slug=slug).first()
        if org is None:
            raise CommandError(_("No organisation with the slug “%(slug)s”.") % {"slug": slug})
        data = scorecard_json(org.pk)
        if as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        rows = cast("list[dict[str, Any]]", data["commitments"])
        for row in rows:
            v = row["verdict"]
            self.stdout.write(
                f"#{row['id']} {row['due']} {row['office']}: {row['text']}\n"
                f"    {row['official_status']} · {v['yes']}/{v['no']}/{v['unsure']} · {results.label(row['result'])}"
            )
        summary = cast("dict[str, Any]", data["summary"])
        pct = "—" if summary["kept_pct"] is None else f"{summary['kept_pct']}%"
        self.stdout.write(_("Kept: %(pct)s of %(n)d counted") % {"pct": pct, "n": summary["counted"]})

    def _tally(self, file: str, method: Method, as_json: bool) -> None:
        path = Path(file)
        try:
            text = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            raise CommandError(_("No such file: %(file)s") % {"file": file}) from None
        except (IsADirectoryError, PermissionError):
            raise CommandError(_("Cannot read %(file)s") % {"file": file}) from None
        except UnicodeDecodeError:
            raise CommandError(_("%(file)s is not UTF-8 text.") % {"file": file}) from None
        try:
            candidates, ballots = parse_ballots_csv(text)
        except BallotError as e:
            raise CommandError(str(e)) from None
        result = tally(ballots, candidates, method)
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        ranking = cast("list[list[str]]", result["ranking"])
        for i, tier in enumerate(ranking, start=1):
            self.stdout.write(f"{i}. {' = '.join(tier)}")
        self.stdout.write(_("Condorcet winner: %(w)s") % {"w": result["condorcet_winner"] or "-"})

    def _remind(self, schedule: bool) -> None:
        from django.utils import timezone

        from sauti.dialogues.actions import do_send_due_reminders, do_send_follow_up_reminders
        from sauti.dialogues.tasks import next_run, send_due_reminders

        sent = do_send_due_reminders()
        self.stdout.write(_("%(n)d reminders and escalations recorded.") % {"n": sent})
        owners = do_send_follow_up_reminders()
        self.stdout.write(_("%(n)d SMS to owners of follow-up actions.") % {"n": owners})
        if schedule:
            from django_tasks import default_task_backend

            if not default_task_backend.supports_defer:
                raise CommandError(
                    _("This task backend cannot run tasks later; run this command daily (cron) instead.")
                )
            when = next_run(timezone.now())
            send_due_reminders.using(run_after=when).enqueue(reschedule=True)
            self.stdout.write(
                _("Daily run queued from %(when)s.") % {"when": when.strftime("%Y-%m-%d %H:%M")}
            )
