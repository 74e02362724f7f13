from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from sauti.people.access import Perm, get_organisation_for_user
from sauti.people.models import User
from sauti.throttles import throttle
from sauti.throttles.forms import LimitForm


@login_required
@require_http_methods(["GET", "POST"])
def limits(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's limits on anonymous submissions, who is past them now, and a form to change them."""
    org = get_organisation_for_user(request.user, slug, Perm.MANAGE_LIMITS)
    form = LimitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["reset"]:
            throttle.do_reset_limit(org, data["scope"])
        else:
            assert isinstance(request.user, User)
            throttle.do_set_limit(org, data["scope"], data["limit"], data["window_seconds"], request.user)
        return redirect("throttle_limits", slug=org.slug)
    context = {
        "organisation": org,
        "limits": throttle.limits_for(org),
        "throttled": throttle.throttled_clients(org),
        "form": form,
    }
    return render(request, "throttles/limits.html", context, status=400 if form.errors else 200)
