"""Shared helpers: workbooks, OpenRosa requests, importing the sample forms."""

from __future__ import annotations

import base64
import copy
import uuid
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sauti.people.models import Organisation
from sauti.questionnaires import samples
from sauti.questionnaires.actions import do_import_form
from sauti.questionnaires.models import Questionnaire
from sauti.questionnaires.xlsform import parse_upload
from tests.conftest import PASSWORD


def basic(username: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {token}", "X-OpenRosa-Version": "1.0"}


def sheets(which: str = "water") -> dict[str, list[list[str]]]:
    return copy.deepcopy(samples.WATER if which == "water" else samples.EVICTION)


def imported(org: Organisation, which: str = "water", **changes: Any) -> Questionnaire:
    s = sheets(which)
    for key, value in changes.items():
        s["settings"][1][s["settings"][0].index(key)] = value
    form, _version = do_import_form(org, parse_upload(samples.xlsx(s), f"{which}.xlsx"), None)
    return form


def upload(client: Client, org_slug: str, data: bytes, name: str = "form.xlsx") -> Any:
    return client.post(f"/forms/org/{org_slug}/upload/", {"file": SimpleUploadedFile(name, data)})


def instance(form_id: str, version: str, body: str, instance_id: str | None = None) -> bytes:
    iid = instance_id or f"uuid:{uuid.uuid4()}"
    return (
        f'<?xml version="1.0"?><data id="{form_id}" version="{version}" '
        'xmlns:orx="http://openrosa.org/xforms">'
        f"{body}<meta><instanceID>{iid}</instanceID></meta></data>"
    ).encode()


def post_instance(client: Client, xml: bytes, user: str = "otieno", url: str = "/odk/submission",
                  files: dict[str, tuple[str, bytes]] | None = None) -> Any:  # fmt: skip
    boundary = "sautiboundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="xml_submission_file"; filename="s.xml"\r\n'
        "Content-Type: text/xml\r\n\r\n".encode()
        + xml
        + b"\r\n"
    ]
    for name, (ctype, data) in (files or {}).items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
            f"Content-Type: {ctype}\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return client.generic(
        "POST", url, body, content_type=f"multipart/form-data; boundary={boundary}", headers=basic(user)
    )
