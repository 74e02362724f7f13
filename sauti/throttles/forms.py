from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sauti.throttles.models import Scope


class LimitForm(forms.Form):
    scope = forms.ChoiceField(choices=Scope.choices)
    limit = forms.IntegerField(
        label=_("At most"), min_value=0, max_value=100_000, help_text=_("0 turns the limit off.")
    )
    window_seconds = forms.IntegerField(
        label=_("Per how many seconds"), min_value=10, max_value=7 * 24 * 3600
    )
    reset = forms.BooleanField(required=False)
