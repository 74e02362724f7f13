"""The schema (JSON by default, YAML on request), a server-rendered reference page, and the token page."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from sauti.api import actions
from sauti.api.errors import field_error
from sauti.people.access import request_user

METHODS = ("get", "post", "put", "patch", "delete")


class SchemaView(SpectacularAPIView):
    """drf-spectacular's view with JSON first, so a plain GET gets JSON; `?format=yaml` or Accept gives YAML."""

    renderer_classes = [OpenApiJsonRenderer2, OpenApiJsonRenderer, OpenApiYamlRenderer, OpenApiYamlRenderer2]

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Each language asked for is kept in memory for good: accept only the languages we have.
        lang = request.query_params.get("lang")
        if lang is not None and lang not in dict(settings.LANGUAGES):
            raise field_error("lang", _("Unknown language."))
        response: Response = super().get(request, *args, **kwargs)  # type: ignore[no-untyped-call]
        return response


@require_GET
def index(request: HttpRequest) -> JsonResponse:
    """`/api/`: where everything is (issue 15), instead of a 404. Public: it names addresses, not data."""
    names = [
        "api_schema",
        "api_docs",
        "api_token",
        "api_categories",
        "api_places",
        "api_place_at",
        "api_reports",
        "api_cases",
        "api_programmes",
        "api_meetings",
        "api_priorities",
        "api_rounds",
        "api_responses",
        "api_commitments",
        "api_follow_ups",
    ]
    return JsonResponse(
        {
            "schema": request.build_absolute_uri(reverse("api_schema")),
            "docs": request.build_absolute_uri(reverse("api_docs")),
            "endpoints": {n.removeprefix("api_"): request.build_absolute_uri(reverse(n)) for n in names},
            "authentication": "Authorization: Token <key>",
        }
    )


@csrf_exempt
def not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def describe(schema: dict[str, Any]) -> str:
    """A short human reading of a schema: `integer 1–47`, `list of Report`, `one of: new, triaged`."""
    if "$ref" in schema:
        return _ref_name(schema["$ref"])
    for combined in ("allOf", "oneOf", "anyOf"):
        if combined in schema:
            parts = [describe(s) for s in schema[combined] if s.get("enum") not in ([""], [None])]
            return " | ".join(p for p in parts if p)
    if "enum" in schema:
        return _("one of: %(values)s") % {"values": ", ".join(str(v) for v in schema["enum"] if v)}
    kind = str(schema.get("type", ""))
    if kind == "array":
        return _("list of %(item)s") % {"item": describe(schema.get("items", {}))}
    if "format" in schema:
        kind = f"{kind} ({schema['format']})"
    if "minimum" in schema and "maximum" in schema:
        kind = f"{kind} {schema['minimum']}–{schema['maximum']}"
    if "maxLength" in schema:
        kind = _("%(kind)s, at most %(n)d characters") % {"kind": kind, "n": schema["maxLength"]}
    return kind


def _fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "type": describe(prop),
            "required": name in required,
            "nullable": bool(prop.get("nullable")),
            "description": prop.get("description", ""),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            out.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "anchor": op.get("operationId", f"{method}-{path}"),
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "required": p.get("required", False),
                            "type": describe(p.get("schema", {})),
                            "description": p.get("description", ""),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "body": describe(body) if body else "",
                    "responses": [
                        {
                            "code": code,
                            "description": response.get("description", ""),
                            "type": describe(response["content"]["application/json"]["schema"])
                            if "application/json" in response.get("content", {})
                            else "",
                        }
                        for code, response in sorted(op.get("responses", {}).items())
                    ],
                }
            )
    return out


@lru_cache(maxsize=len(settings.LANGUAGES))
def reference(language: str) -> dict[str, Any]:
    """What the reference page shows; the schema only changes with the code, so once per language."""
    with translation.override(language):
        schema = SchemaGenerator().get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
        # Force the lazy translations while the language is active.
        schema = json.loads(json.dumps(schema, cls=JSONEncoder))
        components = [
            {"name": name, "description": body.get("description", ""), "fields": _fields(body)}
            for name, body in sorted(schema.get("components", {}).get("schemas", {}).items())
        ]
        return {"info": schema.get("info", {}), "operations": _operations(schema), "components": components}


@require_GET
def docs(request: HttpRequest) -> HttpResponse:
    return render(request, "api/docs.html", reference(translation.get_language() or settings.LANGUAGE_CODE))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if request.method == "POST":
        _token, replaced = actions.do_regenerate_token(user)
        if replaced:
            messages.success(request, _("A new token was made. The old one no longer works."))
        else:
            messages.success(request, _("Your token was made."))
        return redirect("api_token")
    return render(request, "api/token.html", {"token": Token.objects.filter(user=user).first()})
