from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sauti.budgets.actions import CORRECTABLE, FORMATS
from sauti.budgets.models import BudgetDocument, Proposal, SiteStatus
from sauti.places.models import County


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"))
    county = forms.ModelChoiceField(County.objects.all(), label=_("County"), to_field_name="code")
    file_format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("Guess from the file")), *((f, f) for f in FORMATS)],
    )
    kind = forms.ChoiceField(
        label=_("Kind of list"), required=False, choices=[("", "—"), *BudgetDocument.Kind.choices]
    )


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(
        label=_("Figure"),
        choices=[
            (f, label)
            for f, label in zip(
                CORRECTABLE,
                (
                    _("Contract sum"),
                    _("Paid in the year"),
                    _("Cumulative expenditure"),
                    _("Percent complete"),
                    _("Expected completion"),
                ),
                strict=True,
            )
        ],
    )
    value = forms.CharField(label=_("Corrected value"), max_length=60, required=False)
    reason = forms.CharField(
        label=_("Reason and source"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class WardForm(forms.Form):
    ward = forms.IntegerField(label=_("Ward"), required=False)
    ward_other = forms.IntegerField(label=_("Or any ward of the county"), required=False)
    county_wide = forms.BooleanField(label=_("County-wide (no single ward)"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["ward"] = data.get("ward") or data.get("ward_other")
        if not data.get("ward") and not data.get("county_wide"):
            raise forms.ValidationError(_("Choose a ward, or mark the project county-wide."))
        return data


class CategoryForm(forms.Form):
    category = forms.TypedChoiceField(label=_("Category"), coerce=int)
    same_sector = forms.BooleanField(
        label=_("Every project published under the same sector (the department's mapping)"), required=False
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )

    def __init__(self, *args: Any, categories: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [(c.pk, c.label) for c in categories]


class LinkCaseForm(forms.Form):
    reference = forms.RegexField(
        label=_("Case or report reference"),
        regex=r"^\s*[CcRr]?\d{1,9}\s*$",
        error_messages={
            "invalid": _("Give a case reference such as C12, or a report reference such as R34.")
        },
    )


class ObservationForm(forms.Form):
    status = forms.ChoiceField(
        label=_("What did you see?"), choices=SiteStatus.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    observed_on = forms.DateField(
        label=_("Date of the visit"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    cycle = forms.CharField(label=_("Planning cycle"), max_length=80, help_text=_("e.g. ADP 2026/27"))
    priorities = forms.TypedMultipleChoiceField(label=_("Agreed priorities"), coerce=int, required=False)
    projects = forms.TypedMultipleChoiceField(label=_("Flagged projects"), coerce=int, required=False)
    office = forms.TypedChoiceField(label=_("Office addressed"), coerce=int, required=False, empty_value=None)

    def __init__(
        self, *args: Any, priorities: Any = (), projects: Any = (), offices: Any = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["priorities"]).choices = [(p.pk, p.title) for p in priorities]
        cast(forms.ChoiceField, self.fields["projects"]).choices = [
            (p.pk, f"{p.reference} {p.name}") for p in projects
        ]
        cast(forms.ChoiceField, self.fields["office"]).choices = [
            ("", "—"),
            *((o.pk, o.name) for o in offices),
        ]


class FateForm(forms.Form):
    fate = forms.ChoiceField(label=_("Outcome"), choices=Proposal.Fate.choices)
    note = forms.CharField(
        label=_("What was decided, and where it is written"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=4000,
    )


class DocumentForm(forms.Form):
    language = forms.ChoiceField(choices=[("en", "English"), ("sw", "Kiswahili")])
    format = forms.ChoiceField(choices=[("pdf", "PDF"), ("docx", "DOCX")])


class SubmissionProjectForm(forms.Form):
    project = forms.IntegerField(label=_("Project"), required=False, min_value=1)


class ConclusionForm(forms.Form):
    proposal = forms.IntegerField(label=_("Memorandum"), min_value=1)
