"""Django forms: upload, the simple builder, a form's options, the web answer form built from the spec,
result filters, links, findings."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sauti.monitoring.models import Category
from sauti.people.models import Organisation
from sauti.questionnaires import expressions, repeats
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


MAX_ENTRIES = 50
MAX_SCOPES = 400
Scope = tuple[tuple[str, str], ...]  # ((repeat, field-name prefix), …) from the form itself ("", "") inward


def field_name(q: dict[str, Any]) -> str:
    """The field of the question (of its repeat's first entry)."""
    return f"{q['repeat']}__0__{q['name']}" if q["repeat"] else q["name"]


def fixed_count(spec: dict[str, Any], repeat: str, data: Any) -> int | None:
    """The number of entries the form sets (repeat_count: a number, or ${question} answered by a whole
    number before the repeat); None: the respondent adds and removes entries."""
    expr = str((spec.get("repeats", {}).get(repeat) or {}).get("count", "")).strip()
    if expr.startswith("${") and expr.endswith("}"):
        expr = str((data or {}).get(expr[2:-1], "")).strip()
        if not expr:
            return None
    try:
        return max(0, min(MAX_ENTRIES, int(expr)))
    except ValueError:
        return None


def entry_count(spec: dict[str, Any], repeat: str, key: str, data: Any) -> int:
    fixed = fixed_count(spec, repeat, data)
    if fixed is not None:
        return fixed
    try:
        return max(0, min(MAX_ENTRIES, int((data or {}).get(f"_n_{key}", 1))))
    except (TypeError, ValueError):
        return 1


def changed_entries(data: Any) -> Any | None:
    """The posted data after an "Add another …" or "Remove" button (a copy with one entry more, or with the
    removed entry's fields dropped and the later ones moved up); None when neither was pressed."""
    if add := data.get("_add"):
        out = data.copy()
        try:
            out[f"_n_{add}"] = str(min(MAX_ENTRIES, int(data.get(f"_n_{add}", 1)) + 1))
        except ValueError:
            out[f"_n_{add}"] = "1"
        return out
    if "_remove" not in data:
        return None
    if not (m := re.fullmatch(r"(.+)__(\d+)", data.get("_remove", ""))):
        return data.copy()  # a button that names no entry: the page again, unchanged, nothing sent
    key, gone = m.group(1), int(m.group(2))
    out = data.copy()
    shifted = re.compile(rf"(_n_)?{re.escape(key)}__(\d+)__(.*)", re.S)
    for name in list(out.keys()):
        if (found := shifted.fullmatch(name)) is None:
            continue
        number = int(found.group(2))
        values = out.getlist(name)
        del out[name]
        if number > gone:
            out.setlist(f"{found.group(1) or ''}{key}__{number - 1}__{found.group(3)}", values)
    try:
        out[f"_n_{key}"] = str(max(0, int(data.get(f"_n_{key}", 1)) - 1))
    except ValueError:
        out[f"_n_{key}"] = "0"
    return out


class AnswerForm(forms.Form):
    """One field per question of the version and per entry of its repeat (`members__0__incidents__1__kind`:
    the second incident of the first member); the number of entries comes from the page (`_n_<repeat>`,
    changed by its "Add another …" and "Remove" buttons) or from the form's repeat_count. Relevance and
    simple constraints are checked on the server, so the page needs no JavaScript."""

    def __init__(
        self, *args: Any, spec: dict[str, Any], lang: str, entries: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.spec, self.lang = spec, lang
        self.entries = entries if entries is not None else (self.data or {})
        self.up = repeats.parents(spec)
        self.notes: dict[str, str] = {}
        self.known: dict[str, list[Scope]] = {}
        self.budget = MAX_SCOPES  # entries of all repeats together: a crafted page cannot ask for millions
        self.slots: list[tuple[dict[str, Any], str, Scope]] = []
        for q in spec["questions"]:
            for scope in self.scopes(q["repeat"]):
                name = scope[-1][1] + q["name"]
                self.slots.append((q, name, scope))
                field = self._field(q, name)
                if field is not None:
                    field.widget.attrs["data-q"] = q["name"]
                    self.fields[name] = field

    def scopes(self, repeat: str) -> list[Scope]:
        """One scope per entry of `repeat` (the form itself for "")."""
        if not repeat:
            return [(("", ""),)]
        if repeat in self.known:
            return self.known[repeat]
        self.known[repeat] = out = []
        for outer in self.scopes(self.up.get(repeat, "")):
            key = outer[-1][1] + repeat
            for i in range(entry_count(self.spec, repeat, key, self.entries)):
                if self.budget <= 0:
                    break
                self.budget -= 1
                out.append((*outer, (repeat, f"{key}__{i}__")))
        return out

    def _field(self, q: dict[str, Any], name: str) -> forms.Field | None:
        spec, lang = self.spec, self.lang
        label = label_of(q, lang)
        hint = (q.get("hint") or {}).get(lang) or (q.get("hint") or {}).get("", "")
        required = q["required"] and not q["relevant"] and not q["repeat"]
        kind = q["type"]
        common: dict[str, Any] = {"label": label, "required": required, "help_text": hint}
        if kind == "note":
            self.notes[name] = label
            return None
        if kind == "integer":
            return forms.IntegerField(**common)
        if kind == "decimal":
            return forms.FloatField(**common)
        if kind == "date":
            return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        if kind in CHOICE_TYPES:
            choices = [
                (c["name"], choice_label(spec, q["list"], c["name"], lang))
                for c in spec["choices"].get(q["list"], [])
            ]
            if kind == "select_one":
                return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
            return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
        if kind == "geopoint":
            common["help_text"] = hint or _("Latitude and longitude, e.g. -1.2633 36.8580")
            return forms.CharField(max_length=100, **common)
        if kind == "image":
            return forms.ImageField(**common)
        if kind == "text":
            return forms.CharField(max_length=5000, **common)
        return None  # barcode, audio, …: answered on ODK Collect

    def _given(self) -> dict[str, Any]:
        d = self.cleaned_data
        out: dict[str, Any] = {}
        for q, name, _scope in self.slots:
            v: Any = d.get(name)
            if v in (None, "", []) or q["type"] == "image":
                continue
            out[name] = v.isoformat() if hasattr(v, "isoformat") else v
        return out

    def _values(self, given: dict[str, Any], scope: Scope) -> dict[str, Any]:
        """The answers a question of this entry sees, by name: its own entry's and those around it."""
        prefixes = dict(scope)
        return {
            q["name"]: given.get(prefixes[q["repeat"]] + q["name"])
            for q in self.spec["questions"]
            if q["repeat"] in prefixes
        }

    def answers(self) -> dict[str, Any]:
        """Answers by name, repeats as lists of entries (inside the entry around them), dropping questions
        whose relevance is false."""
        given = self._given()
        out: dict[str, Any] = {}
        nodes: dict[str, dict[str, Any]] = {"": out}
        for scope in sorted(dict.fromkeys(s for _q, _n, s in self.slots), key=len):
            if len(scope) == 1:
                continue
            (repeat, prefix), parent = scope[-1], nodes[scope[-2][1]]
            nodes[prefix] = entry = dict[str, Any]()
            parent.setdefault(repeat, []).append(entry)
        for q, name, scope in self.slots:
            if name in given and expressions.holds(q["relevant"], self._values(given, scope)):
                nodes[scope[-1][1]][q["name"]] = given[name]
        return _pruned(out)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = {name: data.get(name) for _q, name, _s in self.slots}
        for q, name, scope in self.slots:
            values = self._values(given, scope)
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


def _pruned(node: dict[str, Any]) -> dict[str, Any]:
    """Entries left empty dropped, and repeats left with no entry (as ODK sends them)."""
    for key, value in list(node.items()):
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            kept = [e for e in (_pruned(v) for v in value) if e]
            if kept:
                node[key] = kept
            else:
                del node[key]
    return node
