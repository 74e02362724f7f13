from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sauti.people.models import LANGUAGE_CHOICES, Contact, Group, GroupMembership
from sauti.people.phones import InvalidPhone, normalise_phone
from sauti.places.models import Ward


class GroupForm(forms.ModelForm[Group]):
    ward_code = forms.IntegerField(
        label=_("Ward (IEBC code)"),
        required=False,
        help_text=_("Find the code on the Places page."),
    )

    class Meta:
        model = Group
        fields = ["name", "kind", "description"]

    def clean_ward_code(self) -> Ward | None:
        code = self.cleaned_data.get("ward_code")
        if code is None:
            return None
        ward = Ward.objects.filter(code=code).first()
        if ward is None:
            raise forms.ValidationError(_("There is no ward with code %(code)d.") % {"code": code})
        return ward


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    phone = forms.CharField(label=_("Phone number"), max_length=32, help_text=_("For example 0712 345 678"))
    language = forms.ChoiceField(label=_("Preferred language"), choices=LANGUAGE_CHOICES, initial="sw")
    gender = forms.ChoiceField(
        label=_("Gender"), choices=[("", "—"), *Contact.GENDER_CHOICES], required=False
    )
    age_band = forms.ChoiceField(label=_("Age band"), choices=[("", "—"), *Contact.AGE_BANDS], required=False)
    role = forms.ChoiceField(label=_("Role in group"), choices=GroupMembership.ROLE_CHOICES, initial="member")
    consent_messaging = forms.BooleanField(
        label=_("Agrees to receive SMS from the organisation"), required=False
    )

    def clean_phone(self) -> str:
        try:
            return normalise_phone(self.cleaned_data["phone"])
        except InvalidPhone as exc:
            raise forms.ValidationError(str(exc)) from None


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Member list (CSV or Excel .xlsx)"),
        help_text=_(
            "First row: column names. Required: name (jina), phone (simu). Optional: language, gender, age, role, ward, village, consent."
        ),
    )
    check_only = forms.BooleanField(label=_("Only check the file, do not import"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx,text/csv"


class MergeForm(forms.Form):
    keep = forms.IntegerField(label=_("Record to keep"))
    other = forms.IntegerField(label=_("Record to merge into it"))

    def pair(self) -> list[int]:
        return [self.cleaned_data["keep"], self.cleaned_data["other"]]
