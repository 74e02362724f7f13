"""Small pieces every view module used to copy: a form's errors as one sentence, and the page that refuses input."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def form_errors(form: forms.BaseForm) -> str:
    """Every error of the form in one line, each field's led by its label so the reader knows which to fix."""
    parts: list[str] = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = f"{field.label}: " if field is not None and field.label else ""
        parts.extend(f"{label}{e}" for e in errors)
    return " ".join(parts)


def refused(request: HttpRequest, reason: str, back: str) -> HttpResponse:
    """Input refused: a 400 page with the reason in the user's language and a way back."""
    return render(request, "refused.html", {"reason": reason, "back": back}, status=400)
