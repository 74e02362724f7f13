"""Small pieces every view module used to copy: a form's errors as one sentence, and the page that refuses input."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def form_errors(form: forms.BaseForm) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def refused(request: HttpRequest, reason: str, back: str) -> HttpResponse:
    """Input refused: a 400 page with the reason in the user's language and a way back."""
    return render(request, "refused.html", {"reason": reason, "back": back}, status=400)
