"""The reporting period (chosen freely: a donor's year, a quarter, a project's life) and which programmes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sauti.dialogues.models import Programme
from sauti.impact.report import Period
from sauti.people.models import Organisation

MAX_DAYS = 366 * 20
# Beyond these a period's local midnights overflow Python's dates (9999-12-31 + 1 day): a 500, not a report.
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


class PeriodForm(forms.Form):
    since = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    programme = forms.ModelMultipleChoiceField(
        label=_("Programmes (none chosen: all)"), queryset=Programme.objects.none(), required=False
    )
    lang = forms.ChoiceField(
        label=_("Language of the report"), choices=[("en", "English"), ("sw", "Kiswahili")], required=False
    )

    def __init__(self, organisation: Organisation, data: Any) -> None:
        today = timezone.localdate()
        values = data.copy() if data else {}
        values.setdefault("since", (today - dt.timedelta(days=365)).isoformat())
        values.setdefault("until", today.isoformat())
        super().__init__(values)
        self.organisation = organisation
        field = self.fields["programme"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Programme.objects.filter(organisation=organisation).order_by("title")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until:
            if not (EARLIEST <= since <= LATEST and EARLIEST <= until <= LATEST):
                raise forms.ValidationError(_("Choose dates between 1900 and 2999."))
            if since > until:
                raise forms.ValidationError(_("The start date is after the end date."))
            if (until - since).days > MAX_DAYS:
                raise forms.ValidationError(_("Choose a period of at most twenty years."))
        return data

    def period(self) -> Period:
        return Period(
            self.cleaned_data["since"],
            self.cleaned_data["until"],
            tuple(sorted(p.pk for p in self.cleaned_data["programme"])),
        )
