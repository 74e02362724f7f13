"""Ballots from CSV (the `sauti dialogues tally` contract): voter, group, optional weight, one column per priority."""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.utils.translation import gettext as _

from sauti.dialogues.counting import Ballot, BallotError, validate_ballot

FIXED = ("voter", "group")


def parse_ballots_csv(text: str) -> tuple[list[str], list[Ballot]]:
    """Every problem is a BallotError naming the line; nothing is counted unless the whole file is clean."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise BallotError(_("The file is empty."))
    header = [h.strip() for h in rows[0]]
    if header[:2] != list(FIXED):
        raise BallotError(
            _("The first columns must be 'voter' and 'group'; found: %(found)s.")
            % {"found": ", ".join(header[:2])}
        )
    has_weight = len(header) > 2 and header[2] == "weight"
    candidates = header[3:] if has_weight else header[2:]
    if not candidates:
        raise BallotError(_("There are no priority columns after voter, group and weight."))
    for name in candidates:
        if not name:
            raise BallotError(_("A priority column has no name (line 1)."))
        if name in (*FIXED, "weight"):
            raise BallotError(
                _("Column %(name)r is out of place: it must come before the priorities.") % {"name": name}
            )
    if len(set(candidates)) != len(candidates):
        dup = next(c for c in candidates if candidates.count(c) > 1)
        raise BallotError(_("The priority column %(name)r appears twice.") % {"name": dup})
    if len(rows) == 1:
        raise BallotError(_("The file has a header but no ballots."))

    ballots: list[Ballot] = []
    voters: set[str] = set()
    offset = 3 if has_weight else 2
    for lineno, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise BallotError(
                _("Line %(line)d has %(got)d columns; the header has %(want)d.")
                % {"line": lineno, "got": len(row), "want": len(header)}
            )
        voter, group = row[0].strip(), row[1].strip()
        if not voter:
            raise BallotError(_("Line %(line)d: the voter is missing.") % {"line": lineno})
        if voter in voters:
            raise BallotError(
                _("Line %(line)d: voter %(voter)r has already voted.") % {"line": lineno, "voter": voter}
            )
        voters.add(voter)
        weight = Fraction(1)
        if has_weight and row[2].strip():
            try:
                weight = Fraction(Decimal(row[2].strip()))
            except (InvalidOperation, ValueError):
                weight = Fraction(-1)
            if weight <= 0:
                raise BallotError(
                    _("Line %(line)d: the weight must be a positive number.") % {"line": lineno}
                )
        ranks: dict[str, int] = {}
        for name, cell in zip(candidates, row[offset:], strict=True):
            value = cell.strip()
            if not value:
                continue
            if not value.isdigit() or int(value) < 1:
                raise BallotError(
                    _("Line %(line)d: the rank for %(name)r must be a positive whole number, not %(value)r.")
                    % {"line": lineno, "name": name, "value": value}
                )
            ranks[name] = int(value)
        ballot = Ballot(voter=voter, group=group, ranks=ranks, weight=weight)
        try:
            validate_ballot(ballot, candidates)
        except BallotError as e:
            raise BallotError(_("Line %(line)d: %(problem)s") % {"line": lineno, "problem": e}) from None
        ballots.append(ballot)
    return candidates, ballots
