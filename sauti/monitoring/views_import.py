"""The Ushahidi import page (the command line has `sauti reports import-ushahidi`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from sauti.monitoring import ushahidi
from sauti.people.access import Perm, get_organisation_for_user, organisations_with, request_user
from sauti.people.models import Organisation

MAX_IMPORT_BYTES = 20 * 1024 * 1024
SHOWN_IMPORT_ROWS = 200


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class UshahidiForm(forms.Form):
    org = forms.ChoiceField(label=gettext_lazy("Organisation"))
    file = forms.FileField(
        label=gettext_lazy("Ushahidi export (CSV)"),
        help_text=gettext_lazy(
            "The CSV that Ushahidi's “Download reports” gives: #/Serial, INCIDENT TITLE, INCIDENT DATE, "
            "LOCATION, DESCRIPTION, CATEGORY, LATITUDE, LONGITUDE, APPROVED, VERIFIED."
        ),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the reports"), choices=settings.LANGUAGES, initial="en"
    )

    def __init__(self, organisations: list[Organisation], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "org", [(o.slug, o.name) for o in organisations])
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is larger than 20 MB; import it with the command `sauti reports import-ushahidi`."
                )
            )
        return upload


@login_required
@require_http_methods(["GET", "POST"])
def import_ushahidi(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    organisations = organisations_with(user, Perm.TRIAGE_CASES)
    form = UshahidiForm(organisations, request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form}
    if request.method != "POST":
        return render(request, "monitoring/import_ushahidi.html", context)
    if not form.is_valid():
        return render(request, "monitoring/import_ushahidi.html", context, status=400)
    org = get_organisation_for_user(user, form.cleaned_data["org"], Perm.TRIAGE_CASES)
    upload = form.cleaned_data["file"]
    try:
        summary = ushahidi.do_import_ushahidi(
            org, upload.file, by=user, language=form.cleaned_data["language"]
        )
    except ushahidi.UshahidiFileError as exc:
        form.add_error("file", str(exc))
        return render(request, "monitoring/import_ushahidi.html", context, status=400)
    context.update(
        {
            "summary": summary,
            "organisation": org,
            "shown_rows": summary.rows_for_display(SHOWN_IMPORT_ROWS),
            "counts": [
                (ushahidi.reason_label(code), n)
                for code, n in sorted(summary.reason_counts.items(), key=lambda kv: -kv[1])
            ],
        }
    )
    return render(request, "monitoring/import_ushahidi.html", context)
