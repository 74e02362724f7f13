"""Parts of the submission page and of a conclusion that apps above questionnaires add (issue 20, item 3
and 5): budgets shows "linked to project …" with its form on a submission, and "item of memorandum …"
with its form on a conclusion. Questionnaires may not import them; they register here in `ready()`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    # The template's context for this object and request, or None to show nothing.
    context: Callable[[HttpRequest, Any], dict[str, Any] | None]


SUBMISSION: list[Panel] = []
CONCLUSION: list[Panel] = []


def _register(panels: list[Panel], panel: Panel) -> None:
    if all(p.key != panel.key for p in panels):
        panels.append(panel)


def register_submission_panel(panel: Panel) -> None:
    _register(SUBMISSION, panel)


def register_conclusion_panel(panel: Panel) -> None:
    _register(CONCLUSION, panel)


def render(panels: list[Panel], request: HttpRequest, obj: Any) -> list[SafeString]:
    out = []
    for panel in panels:
        context = panel.context(request, obj)
        if context is not None:
            out.append(mark_safe(render_to_string(panel.template, context, request=request)))  # noqa: S308
    return out
