"""`sauti dialogues tally|remind|scorecard|import-attendance|indicators` (contracts in the README)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sauti.dialogues import results
from sauti.dialogues.actions import DialogueError, do_import_attendance
from sauti.dialogues.ballots_csv import parse_ballots_csv
from sauti.dialogues.counting import METHODS, BallotError, Method, tally
from sauti.dialogues.models import Meeting, Programme
from sauti.dialogues.reach import SHEET_HEADERS, indicators
from sauti.dialogues.stats import scorecard_json
from sauti.monitoring.ushahidi import system_user
from sauti.people.imports import ImportFileError, read_table
from sauti.people.models import Organisation, User


def _command_user(username: str) -> User:
    """The named user, or the inactive `sauti-system` user that command-line imports are recorded as."""
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user named %(name)s.") % {"name": username})
        return user
    return system_user()


class Command(BaseCommand):
    help = "Count consensus ballots from a CSV file; send commitment reminders."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", metavar="{tally,remind,scorecard,import-attendance,indicators}", required=True
        )
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
        a = actions.add_parser(
            "import-attendance",
            help="Add a sign-in sheet (CSV or XLSX: name, phone, sex, age_band, segment) to a meeting's attendance.",
        )
        a.add_argument("file")
        a.add_argument("--meeting", type=int, required=True)
        a.add_argument(
            "--user", default="", help="Username the import is recorded as (default: sauti-system)."
        )
        a.add_argument("--json", action="store_true")
        i = actions.add_parser("indicators", help="People reached, sessions and activities of a programme.")
        i.add_argument("--programme", type=int, required=True)
        i.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "tally":
            self._tally(options["file"], options["method"], options["json"])
        elif options["action"] == "import-attendance":
            self._import_attendance(options["file"], options["meeting"], options["user"], options["json"])
        elif options["action"] == "indicators":
            self._indicators(options["programme"], options["json"])
        elif options["action"] == "scorecard":
            self._scorecard(options["org"], options["json"])
        else:
            self._remind(options["schedule"])

    def _import_attendance(self, file: str, meeting_id: int, username: str, as_json: bool) -> None:
        meeting = Meeting.objects.select_related("programme__organisation").filter(pk=meeting_id).first()
        if meeting is None:
            raise CommandError(_("No meeting with id %(id)d.") % {"id": meeting_id})
        user = _command_user(username)
        try:
            with Path(file).open("rb") as upload:
                table = read_table(upload, file, headers=SHEET_HEADERS, required=(), any_of=("name", "phone"))
        except FileNotFoundError:
            raise CommandError(_("No such file: %(file)s") % {"file": file}) from None
        except (IsADirectoryError, PermissionError):
            raise CommandError(_("Cannot read %(file)s") % {"file": file}) from None
        except ImportFileError as e:
            raise CommandError(str(e)) from None
        try:
            summary = do_import_attendance(meeting, user, table)
        except DialogueError as e:
            raise CommandError(str(e)) from None
        if as_json:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            _(
                "%(a)d attendances added: %(new)d new people, %(matched)d recognised; %(rejected)d rows rejected."
            )
            % {
                "a": summary["attendances"],
                "new": summary["new_people"],
                "matched": summary["matched_people"],
                "rejected": summary["rejected"],
            }
        )
        for reason in summary["reasons"]:
            self.stdout.write(f"  {reason}")

    def _indicators(self, programme_id: int, as_json: bool) -> None:
        programme = Programme.objects.filter(pk=programme_id).first()
        if programme is None:
            raise CommandError(_("No programme with id %(id)d.") % {"id": programme_id})
        result = indicators(programme)
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            _("%(people)d people reached (%(att)d attendances), %(s)d sessions, %(a)d activities.")
            % {
                "people": result["unique_people"],
                "att": result["attendances"],
                "s": result["sessions"],
                "a": result["activities"],
            }
        )
        for key, target in result["targets"].items():
            self.stdout.write(f"  {key}: {target['achieved']} / {target['target']} ({target['pct']}%)")

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
