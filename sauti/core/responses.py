"""Small pieces every view module used to copy: the logged-in user, and a form's errors as one sentence."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest

from sauti.people.models import User


def request_user(request: HttpRequest) -> User:
    """The user of a view behind login_required."""
    assert isinstance(request.user, User)
    return request.user


def form_errors(form: forms.BaseForm) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)
