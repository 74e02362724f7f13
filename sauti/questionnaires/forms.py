"""Django forms: upload, the simple builder, a form's options, the web answer form built from the spec,
result filters, links, findings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sauti.monitoring.models import Category
from sauti.people.models import Organisation
from sauti.questionnaires import expressions
from sauti.questionnaires.models import Questionnaire
from sauti.questionnaires.results import CHOICE_TYPES, Filters, choice_label, label_of
from sauti.questionnaires.xlsform import MAX_UPLOAD_BYTES


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("XLSForm (.xlsx)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB; an XLSForm is much smaller."))
        return upload


class BuildForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    form_id = forms.RegexField(
        label=gettext_lazy("Form ID"),
        regex=r"^[A-Za-z_][A-Za-z0-9_]{0,59}$",
        error_messages={"invalid": gettext_lazy("Letters, digits and _ only, not starting with a digit.")},
    )
    lines = forms.CharField(
        label=gettext_lazy("Questions, one per line"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=gettext_lazy(
            "type name | English label | Kiswahili label | choices, e.g. "
            "select_one working | Is it working? | Inafanya kazi? | yes=Yes/Ndiyo, no=No/La"
        ),
    )


class OptionsForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What a submission does"), choices=Questionnaire.Kind.choices)
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category of the reports"), queryset=Category.objects.none(), required=False
    )
    short = forms.BooleanField(label=gettext_lazy("Short form: also by SMS and USSD"), required=False)
    sms_keyword = forms.CharField(label=gettext_lazy("SMS keyword"), max_length=20, required=False)
    published = forms.BooleanField(label=gettext_lazy("Published (takes answers)"), required=False)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(organisation=organisation, is_active=True)  # type: ignore[attr-defined]


class FilterForm(forms.Form):
    since = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ward = forms.TypedChoiceField(label=gettext_lazy("Ward"), required=False, coerce=int, empty_value=None)
    q = forms.ChoiceField(label=gettext_lazy("Answer to"), required=False)
    v = forms.CharField(label=gettext_lazy("is"), required=False, max_length=200)
    rows = forms.ChoiceField(label=gettext_lazy("Cross-tabulate"), required=False)
    cols = forms.ChoiceField(label=gettext_lazy("by"), required=False)

    def __init__(
        self, *args: Any, spec: dict[str, Any], wards: list[tuple[int, str]], lang: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        selects = [("", "—")] + [
            (q["name"], label_of(q, lang)[:60])
            for q in spec["questions"]
            if q["type"] in CHOICE_TYPES and not q["repeat"]
        ]
        self.fields["ward"].choices = [("", "—"), *wards]  # type: ignore[attr-defined]
        for name in ("q", "rows", "cols"):
            self.fields[name].choices = selects  # type: ignore[attr-defined]

    def filters(self) -> Filters:
        d = self.cleaned_data
        return Filters(d.get("since"), d.get("until"), d.get("ward"), d.get("q") or "", d.get("v") or "")


class LinkForm(forms.Form):
    case = forms.IntegerField(label=gettext_lazy("Case number"), required=False, min_value=1)
    meeting = forms.IntegerField(label=gettext_lazy("Meeting number"), required=False, min_value=1)


class SessionForm(forms.Form):
    group = forms.IntegerField(label=gettext_lazy("Group"))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)


class FindingForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Finding"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    figures = forms.MultipleChoiceField(
        label=gettext_lazy("Figures behind it"), required=False, widget=forms.CheckboxSelectMultiple
    )
    cases = forms.CharField(
        label=gettext_lazy("Case numbers (comma separated)"), required=False, max_length=200
    )

    def __init__(self, *args: Any, figure_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["figures"].choices = figure_choices  # type: ignore[attr-defined]

    def clean_cases(self) -> list[int]:
        raw = self.cleaned_data["cases"].replace(" ", "")
        try:
            return [int(x) for x in raw.split(",") if x]
        except ValueError:
            raise forms.ValidationError(_("Case numbers are whole numbers separated by commas.")) from None


class PriorityForm(forms.Form):
    programme = forms.IntegerField(label=gettext_lazy("Dialogue programme"))


# --- the web answer form -----------------------------------------------------------------------------


def field_name(q: dict[str, Any]) -> str:
    return f"{q['repeat']}__0__{q['name']}" if q["repeat"] else q["name"]


class AnswerForm(forms.Form):
    """One field per question of the version (a repeat is answered once on the web); relevance and
    simple constraints are checked on the server, so the page needs no JavaScript."""

    def __init__(self, *args: Any, spec: dict[str, Any], lang: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec, self.lang = spec, lang
        self.notes: dict[str, str] = {}
        for q in spec["questions"]:
            label = label_of(q, lang)
            hint = (q.get("hint") or {}).get(lang) or (q.get("hint") or {}).get("", "")
            required = q["required"] and not q["relevant"] and not q["repeat"]
            kind, name = q["type"], field_name(q)
            common: dict[str, Any] = {"label": label, "required": required, "help_text": hint}
            field: forms.Field
            if kind == "note":
                self.notes[name] = label
                continue
            if kind == "integer":
                field = forms.IntegerField(**common)
            elif kind == "decimal":
                field = forms.FloatField(**common)
            elif kind == "date":
                field = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
            elif kind in CHOICE_TYPES:
                choices = [
                    (c["name"], choice_label(spec, q["list"], c["name"], lang))
                    for c in spec["choices"].get(q["list"], [])
                ]
                if kind == "select_one":
                    field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
                else:
                    field = forms.MultipleChoiceField(
                        choices=choices, widget=forms.CheckboxSelectMultiple, **common
                    )
            elif kind == "geopoint":
                common["help_text"] = hint or _("Latitude and longitude, e.g. -1.2633 36.8580")
                field = forms.CharField(max_length=100, **common)
            elif kind == "image":
                field = forms.ImageField(**common)
            elif kind == "text":
                field = forms.CharField(max_length=5000, **common)
            else:
                continue  # barcode, audio, …: answered on ODK Collect
            field.widget.attrs["data-q"] = q["name"]
            self.fields[name] = field

    def answers(self) -> dict[str, Any]:
        """Answers by name (repeats as a one-item list), dropping questions whose relevance is false."""
        d = self.cleaned_data
        values: dict[str, Any] = {}
        for q in self.spec["questions"]:
            v: Any = d.get(field_name(q))
            if v in (None, "", []) or q["type"] == "image":
                continue
            values[q["name"]] = v.isoformat() if hasattr(v, "isoformat") else v
        out: dict[str, Any] = {}
        repeats: dict[str, dict[str, Any]] = {}
        for q in self.spec["questions"]:
            if q["name"] not in values or not expressions.holds(q["relevant"], values):
                continue
            if q["repeat"]:
                repeats.setdefault(q["repeat"], {})[q["name"]] = values[q["name"]]
            else:
                out[q["name"]] = values[q["name"]]
        for name, item in repeats.items():
            out[name] = [item]
        return out

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        values = {q["name"]: data.get(field_name(q)) for q in self.spec["questions"]}
        for q in self.spec["questions"]:
            name = field_name(q)
            v: Any = data.get(name)
            relevant = expressions.holds(q["relevant"], values)
            if q["required"] and q["relevant"] and relevant and v in (None, "", []) and name in self.fields:
                self.add_error(name, _("This field is required."))
            if v not in (None, "", []) and q["constraint"] and relevant:
                dot = v.isoformat() if hasattr(v, "isoformat") else v
                if not expressions.holds(q["constraint"], values, dot):
                    message = (q.get("constraint_message") or {}).get(self.lang) or _(
                        "This answer is not allowed here."
                    )
                    self.add_error(name, message)
        return data

    def images(self) -> dict[str, Any]:
        return {
            q["name"]: self.cleaned_data[field_name(q)]
            for q in self.spec["questions"]
            if q["type"] == "image" and self.cleaned_data.get(field_name(q))
        }
