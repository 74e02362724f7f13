"""The OpenRosa API for ODK Collect and Enketo: form list, form download, submission (HEAD + POST).

Every response carries `X-OpenRosa-Version: 1.0` and, for errors, an OpenRosaResponse message in the
user's language. Access: Perm.SUBMIT_REPORTS in the form's organisation (404 for outsiders, 403 otherwise).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from xml.sax.saxutils import escape

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import translation
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from sauti.monitoring.actions import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, ReportError
from sauti.monitoring.openrosa import actions, registry
from sauti.monitoring.openrosa.auth import CHALLENGE, openrosa_user
from sauti.monitoring.openrosa.submission import SubmissionError, parse_submission, to_report_input
from sauti.monitoring.openrosa.xlsform import form_id_for, slug_from_form_id, spec, workbook_bytes, xform_for
from sauti.people.access import Perm, can, get_organisation_for_user, organisations_for
from sauti.people.models import Organisation, User

OPENROSA_VERSION = "1.0"
# What ODK Collect may send in one POST: the XML plus every attachment a report may have.
ACCEPT_CONTENT_LENGTH = MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES + 1024 * 1024
RESPONSE_NS = "http://openrosa.org/http/response"
FORMLIST_NS = "http://openrosa.org/xforms/xformsList"

View = Callable[..., HttpResponse]


def _xml(body: str | bytes, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def openrosa_message(message: str, status: int, nature: str = "") -> HttpResponse:
    nature_attr = f' nature="{escape(nature)}"' if nature else ""
    return _xml(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<OpenRosaResponse xmlns="{RESPONSE_NS}">'
        f"<message{nature_attr}>{escape(message)}</message></OpenRosaResponse>",
        status,
    )


def openrosa(view: View) -> View:
    """Authenticate (Basic or session), speak the user's language, answer errors the OpenRosa way."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = openrosa_user(request)
        if user is None:
            response = openrosa_message(
                _(
                    "Log in with your Sauti username and password. Administrators and coordinators: use a "
                    "device password made on the ODK passwords page of your account."
                ),
                401,
            )
            response["WWW-Authenticate"] = CHALLENGE
        else:
            with translation.override(_language(request, user)):
                try:
                    response = view(request, user, *args, **kwargs)
                except Http404:
                    response = openrosa_message(_("There is no such form."), 404)
                except PermissionDenied:
                    response = openrosa_message(_("You may not send reports to this organisation."), 403)
        response["X-OpenRosa-Version"] = OPENROSA_VERSION
        response["Date"] = http_date()
        return response

    return wrapper


def _language(request: HttpRequest, user: User) -> str:
    """A browser's chosen language (cookie/Accept-Language, already active); a phone's: the account's."""
    if request.headers.get("Authorization") and user.preferred_language in ("en", "sw"):
        return user.preferred_language
    return translation.get_language() or "en"


def _submittable(user: User, slug: str | None) -> list[Organisation]:
    if slug is not None:
        return [get_organisation_for_user(user, slug, Perm.SUBMIT_REPORTS)]
    return [o for o in organisations_for(user).order_by("name") if can(user, Perm.SUBMIT_REPORTS, o)]


@csrf_exempt
@require_http_methods(["GET", "HEAD"])
@openrosa
def form_list(request: HttpRequest, user: User, slug: str | None = None) -> HttpResponse:
    wanted = request.GET.get("formID", "").strip()
    items = []
    for org in _submittable(user, slug):
        if wanted and wanted != form_id_for(org):
            continue
        form = xform_for(org)
        url = request.build_absolute_uri(reverse("odk_form_xml", args=[org.slug]))
        items.append(_xform_item(form.form_id, form.title, form.version, form.md5, org.name, url))
    for org in _submittable(user, slug):
        for source in registry.sources():
            for other in source.forms(org):
                if wanted and wanted != other.form_id:
                    continue
                url = request.build_absolute_uri(
                    reverse("odk_other_form_xml", args=[org.slug, other.form_id])
                )
                items.append(_xform_item(other.form_id, other.title, other.version, other.md5, org.name, url))
    return _xml(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<xforms xmlns="{FORMLIST_NS}">{"".join(items)}</xforms>'
    )


def _xform_item(form_id: str, title: str, version: str, md5: str, description: str, url: str) -> str:
    return (
        "<xform>"
        f"<formID>{escape(form_id)}</formID>"
        f"<name>{escape(title)}</name>"
        f"<version>{escape(version)}</version>"
        f"<hash>md5:{md5}</hash>"
        f"<descriptionText>{escape(description)}</descriptionText>"
        f"<downloadUrl>{escape(url)}</downloadUrl>"
        "</xform>"
    )


@csrf_exempt
@require_http_methods(["GET", "HEAD"])
@openrosa
def other_form_xml(request: HttpRequest, user: User, slug: str, form_id: str) -> HttpResponse:
    """A form of another app (an organisation's own questionnaire), see registry.py."""
    org = get_organisation_for_user(user, slug, Perm.SUBMIT_REPORTS)
    for source in registry.sources():
        xml = source.xml(org, form_id)
        if xml is not None:
            return _xml(xml)
    raise Http404


@csrf_exempt
@require_http_methods(["GET", "HEAD"])
@openrosa
def form_xml(request: HttpRequest, user: User, slug: str) -> HttpResponse:
    org = get_organisation_for_user(user, slug, Perm.SUBMIT_REPORTS)
    return _xml(xform_for(org).xml)


@csrf_exempt
@require_http_methods(["GET", "HEAD"])
@openrosa
def xlsform(request: HttpRequest, user: User, slug: str) -> HttpResponse:
    org = get_organisation_for_user(user, slug, Perm.SUBMIT_REPORTS)
    response = HttpResponse(
        workbook_bytes(spec(org)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{form_id_for(org)}.xlsx"'
    return response


@csrf_exempt
@require_http_methods(["HEAD", "POST"])
@openrosa
def submission(request: HttpRequest, user: User, slug: str | None = None) -> HttpResponse:
    if slug is not None:
        get_organisation_for_user(user, slug, Perm.SUBMIT_REPORTS)
    if request.method == "HEAD":
        response = HttpResponse(status=204)
        response["X-OpenRosa-Accept-Content-Length"] = str(ACCEPT_CONTENT_LENGTH)
        return response
    try:
        files = request.FILES
        fields = request.POST
    except RequestDataTooBig:
        return openrosa_message(_("The submission is too large."), 413)
    except (MultiPartParserError, SuspiciousOperation):
        return openrosa_message(_("The submission could not be read."), 400)
    upload = files.get("xml_submission_file")
    if upload is not None:
        data = upload.read(MAX_ATTACHMENT_BYTES + 1)
    elif fields.get("xml_submission_file"):
        data = fields["xml_submission_file"].encode("utf-8")
    else:
        return openrosa_message(
            _("Send the form as multipart/form-data with an xml_submission_file part."), 400
        )
    if fields.get("*isIncomplete*") == "yes":
        return openrosa_message(_("The submission is too large: send fewer or smaller photos."), 413)
    try:
        sub = parse_submission(data)
        form_slug = slug_from_form_id(sub.form_id)
        if form_slug is None:
            other = _receive_other(user, slug, sub, data, files)
            if other is not None:
                nature = "submit_success" if other.status < 300 else "submit_failure"
                return openrosa_message(other.message, other.status, nature)
        if form_slug is None or (slug is not None and form_slug != slug):
            raise SubmissionError(_("This form (%(id)s) is not a Sauti form.") % {"id": sub.form_id[:80]})
        org = get_organisation_for_user(user, form_slug, Perm.SUBMIT_REPORTS)
        inp = to_report_input(
            sub,
            user,
            {
                name: part
                for name in files
                if name != "xml_submission_file" and (part := files.get(name)) is not None
            },
        )
        received = actions.do_receive_submission(org, inp)
    except (SubmissionError, ReportError) as exc:
        return openrosa_message(str(exc), 400, "submit_failure")
    if received.outcome == actions.DUPLICATE:
        return openrosa_message(_("Duplicate submission"), 202, "submit_success")
    if received.outcome == actions.CONFLICT:
        return openrosa_message(
            _("A different submission with the same instance ID was already received."), 409, "submit_failure"
        )
    return openrosa_message(
        _("Thank you: report %(reference)s received.") % {"reference": received.report.reference},
        201,
        "submit_success",
    )


def _receive_other(
    user: User, slug: str | None, sub: Any, data: bytes, files: Any
) -> registry.Outcome | None:
    """A submission to another app's form (registry.py), in the organisation named or any of the user's."""
    parts = {name: part for name in files if (part := files.get(name)) is not None}
    for org in _submittable(user, slug):
        for source in registry.sources():
            outcome = source.receive(org, user, sub, data, parts)
            if outcome is not None:
                return outcome
    return None
