"""Free text in answers as a reader may see it (issue 20): the same rule and the same redaction as the
texts of reports (monitoring.texts.TextPolicy). Answers are stored as written, like a report's
description; whoever may not see identities in the organisation reads names and phone numbers as
"[name]" and "[phone]" on every page and in every file made for them."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from sauti.monitoring.texts import TextPolicy
from sauti.questionnaires.repeats import holders, nested

# Answers that are never free text: choices (checked against the list), numbers, dates, points, file names.
STRUCTURED = frozenset({"select_one", "select_multiple", "integer", "decimal", "date", "geopoint", "image"})


def free_text(q: Mapping[str, Any]) -> bool:
    return q["type"] not in STRUCTURED


def _texts(spec: Mapping[str, Any], answers: Mapping[str, Any]) -> Iterator[str]:
    answers = nested(spec, answers)
    for q in spec.get("questions", []):
        if not free_text(q):
            continue
        for node in holders(answers, q):
            if isinstance(value := node.get(q["name"]), str) and value:
                yield value


def holds_identities(
    policy: TextPolicy, org_id: int, spec: Mapping[str, Any], answers: Mapping[str, Any]
) -> bool:
    """Whether the redaction would change any free-text answer (a reader who sees them as written sees
    identities: log it)."""
    texts = list(_texts(spec, answers))
    return any(policy.redact(org_id, t).changed for t in texts)


def shown_answers(
    policy: TextPolicy, org_id: int, spec: Mapping[str, Any], answers: Mapping[str, Any]
) -> dict[str, Any]:
    """The answers with their free text as this reader may read it (repeats included)."""
    if policy.sees_original(org_id):
        return dict(nested(spec, answers))
    policy.prepare((org_id, t) for t in _texts(spec, answers))
    out = copy.deepcopy(dict(nested(spec, answers)))
    for q in spec.get("questions", []):
        if not free_text(q):
            continue
        for node in holders(out, q):
            if isinstance(node, dict) and isinstance(node.get(q["name"]), str):
                node[q["name"]] = policy.text(org_id, node[q["name"]]).text
    return out


def redact_cells(policy: TextPolicy | None, org_id: int, rows: list[list[Any]], columns: list[int]) -> None:
    """Redact, in place, the free-text cells of a batch of export rows (one name lookup per batch)."""
    if policy is None or policy.sees_original(org_id) or not columns:
        return
    policy.prepare((org_id, row[i]) for row in rows for i in columns if isinstance(row[i], str))
    for row in rows:
        for i in columns:
            if isinstance(row[i], str) and row[i]:
                row[i] = policy.text(org_id, row[i]).text
