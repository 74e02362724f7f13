"""Forms of the trust surveys: the anonymous answer form (also used for paper entry), create, add a wave."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sauti.places.models import Settlement
from sauti.trust.models import TrustSurvey

SCALE = [
    ("1", _("1 — strongly disagree")),
    ("2", _("2 — disagree")),
    ("3", _("3 — not sure")),
    ("4", _("4 — agree")),
    ("5", _("5 — strongly agree")),
]


def survey_settlements(survey: TrustSurvey) -> Any:
    programme = survey.programme
    wards = list(programme.wards.all())
    if wards:
        return Settlement.objects.filter(ward__in=wards).order_by("name")
    if programme.county_id:
        return Settlement.objects.filter(county_id=programme.county_id).order_by("name")
    return Settlement.objects.none()


class AnswerForm(forms.Form):
    segment = forms.ChoiceField(label=_("You are answering as"), required=False)
    settlement = forms.ModelChoiceField(
        label=_("Where you live"),
        queryset=Settlement.objects.none(),
        required=False,
        empty_label=_("Prefer not to say"),
    )

    def __init__(self, survey: TrustSurvey, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.items = list(survey.items.all())
        segment_field = self.fields["segment"]
        assert isinstance(segment_field, forms.ChoiceField)
        segment_field.choices = [("", _("Prefer not to say"))] + [
            (s.key, s.label()) for s in survey.programme.segments.all()
        ]
        settlement_field = self.fields["settlement"]
        assert isinstance(settlement_field, forms.ModelChoiceField)
        settlement_field.queryset = survey_settlements(survey)
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.TypedChoiceField(
                label=item.text(),
                choices=SCALE,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose a number from 1 to 5.")},
            )

    def scores(self) -> dict[int, int]:
        return {item.pk: self.cleaned_data[f"item_{item.pk}"] for item in self.items}


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)


class WaveForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=80)
    starts_on = forms.DateField(label=_("Starts"), widget=forms.DateInput(attrs={"type": "date"}))


class SendForm(forms.Form):
    """Whom to send the survey to by SMS: the programme's members, of one segment and one place if chosen."""

    segment = forms.ChoiceField(label=_("Segment"), required=False)
    settlement = forms.ModelChoiceField(
        label=_("Settlement"), queryset=Settlement.objects.none(), required=False, empty_label=_("Everywhere")
    )

    def __init__(self, survey: TrustSurvey, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        segment_field = self.fields["segment"]
        assert isinstance(segment_field, forms.ChoiceField)
        segment_field.choices = [("", _("Every segment"))] + [
            (s.key, s.label()) for s in survey.programme.segments.all()
        ]
        settlement_field = self.fields["settlement"]
        assert isinstance(settlement_field, forms.ModelChoiceField)
        settlement_field.queryset = survey_settlements(survey)
