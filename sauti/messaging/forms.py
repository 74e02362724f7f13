from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sauti.messaging.models import Channel, ChannelKind
from sauti.people.models import Group
from sauti.people.phones import InvalidPhone, normalise_phone


class ChannelForm(forms.ModelForm[Channel]):
    base_url = forms.URLField(
        label=_("API base URL"),
        required=False,
        assume_scheme="https",
        help_text=_("Empty: the provider's default."),
    )
    # Credentials are write-only: never rendered back, kept when left empty on an edit.
    username = forms.CharField(label=_("Username (Africa's Talking)"), required=False, max_length=100)
    api_key = forms.CharField(
        label=_("API key (Africa's Talking)"), required=False, max_length=200, widget=forms.PasswordInput
    )
    account_sid = forms.CharField(label=_("Account SID (Twilio)"), required=False, max_length=100)
    auth_token = forms.CharField(
        label=_("Auth token (Twilio)"), required=False, max_length=200, widget=forms.PasswordInput
    )

    class Meta:
        model = Channel
        fields = ["kind", "name", "address", "ussd_code", "base_url", "price_per_segment", "currency"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == ChannelKind.AFRICASTALKING and not (data.get("username") and data.get("api_key")):
            raise forms.ValidationError(_("Africa's Talking needs a username and an API key."))
        if kind == ChannelKind.TWILIO and not (
            data.get("account_sid") and data.get("auth_token") and data.get("address")
        ):
            raise forms.ValidationError(
                _("Twilio needs an account SID, an auth token and the sending number.")
            )
        return data

    def credentials(self) -> dict[str, str]:
        keys = (
            ("username", "api_key")
            if self.cleaned_data["kind"] == ChannelKind.AFRICASTALKING
            else ("account_sid", "auth_token")
        )
        return {k: self.cleaned_data.get(k, "") for k in keys}


class BroadcastForm(forms.Form):
    group = forms.ModelChoiceField(
        queryset=Group.objects.none(),
        label=_("Group"),
        required=False,
        help_text=_("Empty: every contact of the organisation."),
    )
    language = forms.ChoiceField(
        label=_("Only contacts who speak"),
        required=False,
        choices=[("", _("Any language")), ("sw", _("Kiswahili")), ("en", _("English"))],
    )
    text_sw = forms.CharField(
        label=_("Message in Kiswahili"), max_length=918, widget=forms.Textarea(attrs={"rows": 3})
    )
    text_en = forms.CharField(
        label=_("Message in English"),
        max_length=918,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "{name} is replaced by each person's first name. Empty: everyone gets the Kiswahili text."
        ),
    )

    def __init__(self, *args: Any, groups: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["group"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = groups if groups is not None else Group.objects.none()


class SimulatorForm(forms.Form):
    phone = forms.CharField(label=_("Phone number"), max_length=20, initial="+254799000999")
    text = forms.CharField(
        label=_("Message"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_phone(self) -> str:
        try:
            return normalise_phone(self.cleaned_data["phone"])
        except InvalidPhone as e:
            raise forms.ValidationError(str(e)) from None
