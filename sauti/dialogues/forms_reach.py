"""Forms of the people-reached pages (sign-in sheets, targets, segments, merging participants)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sauti.dialogues.models import Indicator, OutcomeKind


class AttendanceSheetForm(forms.Form):
    sheet = forms.FileField(
        label=_("Sign-in sheet (CSV or XLSX: name, phone, sex, age_band, segment)"),
        error_messages={"required": _("Choose the sign-in sheet to upload.")},
    )


class TargetsForm(forms.Form):
    unique_people = forms.IntegerField(
        label=Indicator.UNIQUE_PEOPLE.label, min_value=0, max_value=10_000_000, required=False
    )
    sessions = forms.IntegerField(
        label=Indicator.SESSIONS.label, min_value=0, max_value=1_000_000, required=False
    )
    activities = forms.IntegerField(
        label=Indicator.ACTIVITIES.label, min_value=0, max_value=1_000_000, required=False
    )


class SegmentForm(forms.Form):
    key = forms.SlugField(label=_("Short key (letters, digits, dashes)"), max_length=30)
    label_en = forms.CharField(label=_("Name in English"), max_length=80)
    label_sw = forms.CharField(label=_("Name in Kiswahili"), max_length=80)


class MergeParticipantsForm(forms.Form):
    keep = forms.IntegerField(label=_("Keep person #"), min_value=1)
    other = forms.IntegerField(label=_("Merge person #"), min_value=1)


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=OutcomeKind.choices)
    count = forms.IntegerField(label=_("How many"), min_value=1, max_value=1_000_000)
    description = forms.CharField(label=_("What (no names)"), max_length=300)
    achieved_on = forms.DateField(label=_("When"), widget=forms.DateInput(attrs={"type": "date"}))
