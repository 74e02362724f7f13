"""Forms of peer learning."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sauti.peers.models import Adoption, Lesson, Practice
from sauti.people.models import Group, Organisation
from sauti.places.models import County


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Problem or approach"), required=False, max_length=120)
    county = forms.ModelChoiceField(
        label=_("County"), queryset=County.objects.order_by("name"), required=False, empty_label=_("Anywhere")
    )


class PracticeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Practice
        fields = [
            "title",
            "language",
            "problem",
            "approach",
            "cost",
            "where_it_works",
            "county",
            "groups",
            "shareable",
        ]

    def __init__(self, org: Organisation, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups = self.fields["groups"]
        assert isinstance(groups, forms.ModelMultipleChoiceField)
        groups.queryset = Group.objects.filter(organisation=org)


class FileForm(forms.Form):
    file = forms.FileField(label=_("Photo or PDF"))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class VisitForm(forms.Form):
    host_group = forms.ModelChoiceField(label=_("Host group"), queryset=Group.objects.none())
    visiting_groups = forms.ModelMultipleChoiceField(
        label=_("Visiting groups"), queryset=Group.objects.none(), required=False
    )
    other_visitors = forms.CharField(
        label=_("Visiting groups from elsewhere (group names)"), max_length=400, required=False
    )
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    practices = forms.ModelMultipleChoiceField(label=_("Practices shown"), queryset=Practice.objects.none())

    def __init__(self, org: Organisation, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups = Group.objects.filter(organisation=org)
        for name in ("host_group", "visiting_groups"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = groups
        practices = self.fields["practices"]
        assert isinstance(practices, forms.ModelChoiceField)
        practices.queryset = Practice.objects.filter(organisation=org) | Practice.objects.filter(
            shareable=True
        )


class LessonForm(forms.Form):
    side = forms.ChoiceField(label=_("Who learnt it"), choices=Lesson.Side.choices)
    group_name = forms.CharField(label=_("Group"), max_length=200)
    text = forms.CharField(label=_("Lesson"), widget=forms.Textarea(attrs={"rows": 3}))


class AdoptionForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Adopting group"), queryset=Group.objects.none())
    status = forms.ChoiceField(label=_("Status"), choices=Adoption.Status.choices)
    started_on = forms.DateField(
        label=_("Started"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    results = forms.CharField(
        label=_("Results so far"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, org: Organisation, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["group"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Group.objects.filter(organisation=org)
