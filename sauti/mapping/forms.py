"""Forms of mapping exercises."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sauti.mapping.models import Actor, ActorKind, HotspotKind, MappingExercise, TieKind


class ExerciseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class HotspotForm(forms.Form):
    label = forms.CharField(label=_("Place (as people name it)"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=HotspotKind.choices)
    reason = forms.CharField(label=_("Why"), max_length=300, required=False)
    segment = forms.ChoiceField(label=_("Marked by (segment)"), required=False)
    lat = forms.FloatField(label=_("Latitude (optional)"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude (optional)"), required=False, min_value=-180, max_value=180)

    def __init__(self, exercise: MappingExercise, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["segment"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—")] + [(s.key, s.label()) for s in exercise.meeting.programme.segments.all()]


class ActorForm(forms.Form):
    name = forms.CharField(label=_("Actor (institution, group or category — never a person)"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=ActorKind.choices)


class TieForm(forms.Form):
    source = forms.ModelChoiceField(label=_("From"), queryset=Actor.objects.none())
    target = forms.ModelChoiceField(label=_("To"), queryset=Actor.objects.none())
    kind = forms.ChoiceField(label=_("Kind of tie"), choices=TieKind.choices)
    strength = forms.TypedChoiceField(
        label=_("Strength"), choices=[("1", _("1 weak")), ("2", _("2")), ("3", _("3 strong"))], coerce=int
    )

    def __init__(self, exercise: MappingExercise, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("source", "target"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Actor.objects.filter(exercise=exercise)
