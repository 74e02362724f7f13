"""Repeat groups, nested or not. Answers keep a repeat's entries as a list of dicts under the repeat's
name, inside the entry of the repeat around it (household → members → each member's incidents:
answers["members"][i]["incidents"][j]). Groups are transparent (their questions sit in the dict of the
repeat, or of the submission, around them). The web page of earlier sessions stored the one entry of an
inner repeat beside the outer one (answers["incidents"]); `nested` reads that as the entry of the first
instance of the repeat around it, so such data stays readable."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def parents(spec: Mapping[str, Any]) -> dict[str, str]:
    """{repeat: the repeat around it, or ""}, outer repeats first. Specs imported since session 6 list
    their repeats; for older ones the repeats are those holding questions, placed by the questions' paths."""
    known = spec.get("repeats")
    if isinstance(known, Mapping):
        return {
            name: str(info.get("parent", "")) for name, info in known.items() if isinstance(info, Mapping)
        }
    names = {q["repeat"] for q in spec.get("questions", []) if q.get("repeat")}
    out: dict[str, str] = {}
    for q in spec.get("questions", []):
        outer = ""
        for part in q.get("path", []):
            if part in names:
                out.setdefault(part, outer)
                outer = part
    return out


def chain(spec: Mapping[str, Any], repeat: str) -> list[str]:
    """The repeats from the outermost to `repeat` ([] for the submission itself)."""
    up = parents(spec)
    out: list[str] = []
    while repeat and repeat not in out:
        out.insert(0, repeat)
        repeat = up.get(repeat, "")
    return out


def entries(node: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    items = node.get(name)
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def nested(spec: Mapping[str, Any], answers: Mapping[str, Any]) -> Mapping[str, Any]:
    """The answers with inner repeats stored flat by the older web page moved into the first entry of the
    repeat around them (unchanged, not copied, when there are none)."""
    up = parents(spec)
    flat = [name for name, parent in up.items() if parent and isinstance(answers.get(name), list)]
    if not flat:
        return answers
    out: dict[str, Any] = dict(answers)
    for name in flat:
        items = out.pop(name)
        node: dict[str, Any] = out
        for outer in chain(spec, up[name]):
            current = node.get(outer)
            if not isinstance(current, list) or not current or not isinstance(current[0], dict):
                current = [{}]
            first = dict(current[0])
            node[outer] = [first, *current[1:]]
            node = first
        node.setdefault(name, items)
    return out


def holders(answers: Mapping[str, Any], q: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The dicts that hold `q`'s answer: the answers, or every entry of its repeat at any depth, in order
    (read along the question's path: a name on it that holds a list is a repeat's entries)."""
    nodes: list[Mapping[str, Any]] = [answers]
    if not q.get("repeat"):
        return nodes
    for part in q.get("path", []):
        step: list[Mapping[str, Any]] = []
        for node in nodes:
            items = node.get(part)
            if isinstance(items, list):
                step.extend(i for i in items if isinstance(i, Mapping))
            else:
                step.append(node)
        nodes = step
    return nodes
