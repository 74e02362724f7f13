"""Log-in hardening: lockout after repeated failures, and TOTP two-factor authentication for the roles
that can see identities and change evidence (deployment administrators, organisation admins, coordinators),
and the per-device passwords for ODK Collect.

The lockout counts failures per (username, address) in the database, so every web process sees them.
Two-factor: an unverified session of such a user is sent to /accounts/2fa/ (enrol or verify) before
anything else; SAUTI_REQUIRE_2FA turns enforcement off (the test suite does, except in its own tests).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pyotp
import segno
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, Throttled

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from sauti.core import clients, crypto
from sauti.people.access import _memberships, request_user
from sauti.people.models import LoginFailure, OdkPassword, RecoveryCode, Role, TOTPDevice, User

SESSION_KEY = "sauti_2fa_verified"
RECOVERY_CODES = 10
ISSUER = "Sauti"
EXEMPT_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/static/", "/i18n/", "/media/public/")

# --- lockout ------------------------------------------------------------------------------------


def client_ip(request: HttpRequest | None) -> str | None:
    # Behind a proxy every client would be the proxy: X-Forwarded-For from SAUTI_TRUSTED_PROXIES (issue 13).
    return clients.client_ip(request)


def _key(username: str) -> str:
    return username.strip().lower()[:160]


def is_locked(username: str, ip: str | None) -> bool:
    """Too many recent failures for this account from this address, or from this address at all."""
    since = timezone.now() - timedelta(seconds=settings.SAUTI_LOGIN_LOCKOUT_SECONDS)
    recent = LoginFailure.objects.filter(at__gte=since)
    if recent.filter(username=_key(username), ip=ip).count() >= settings.SAUTI_LOGIN_MAX_FAILURES:
        return True
    return ip is not None and recent.filter(ip=ip).count() >= settings.SAUTI_LOGIN_MAX_FAILURES_PER_ADDRESS


def record_failure(username: str, ip: str | None) -> None:
    LoginFailure.objects.create(username=_key(username), ip=ip)
    # Keep the table small: what is older than the window no longer counts.
    old = timezone.now() - timedelta(seconds=settings.SAUTI_LOGIN_LOCKOUT_SECONDS * 4)
    LoginFailure.objects.filter(at__lt=old).delete()


@receiver(user_login_failed)
def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kw: Any
) -> None:
    record_failure(str(credentials.get("username", "")), client_ip(request))


@receiver(user_logged_in)
def _on_logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    LoginFailure.objects.filter(username=_key(user.get_username()), ip=client_ip(request)).delete()


def locked_response(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    minutes = max(1, settings.SAUTI_LOGIN_LOCKOUT_SECONDS // 60)
    context["locked"] = _("Too many failed attempts. Try again in %(n)d minutes.") % {"n": minutes}
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(settings.SAUTI_LOGIN_LOCKOUT_SECONDS)
    return response


class LockoutBackend(ModelBackend):
    """The one authentication backend (settings.AUTHENTICATION_BACKENDS), so every way in that checks a
    password (the web log-in, /admin/login/, ODK Collect's HTTP Basic) is refused while locked; failures are
    counted by the `user_login_failed` receiver above. `channel="odk"` (HTTP Basic) also accepts the user's
    per-device ODK passwords, and refuses the account password of a role that needs a second factor."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        channel: str = "web",
        **kwargs: Any,
    ) -> Any:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        if is_locked(str(username), client_ip(request)):
            raise PermissionDenied  # django.contrib.auth.authenticate stops here and signals a failure
        if channel != "odk":
            return super().authenticate(request, username=username, password=password, **kwargs)
        return self._odk(str(username), password)

    def _odk(self, username: str, password: str) -> User | None:
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            User().set_password(password)  # the same work as for a real user (no timing difference)
            return None
        if not self.user_can_authenticate(user):
            return None
        for device in OdkPassword.objects.filter(user=user, revoked_at=None):
            if check_password(password, device.password_hash):
                OdkPassword.objects.filter(pk=device.pk).update(last_used_at=timezone.now())
                return user
        if settings.SAUTI_REQUIRE_2FA and needs_second_factor(user):
            return None  # a password alone is one factor: these roles use a device password over Basic
        return user if user.check_password(password) else None


TOKEN_ACCOUNT = "api-token"  # noqa: S105 (the name failures are counted under, not a secret)


class LockoutTokenAuthentication(TokenAuthentication):
    """API tokens under the same lockout: failures count against the client address (the account is not
    known before the token is), and a locked address is refused even a valid token (no guessing oracle)."""

    def authenticate(self, request: Any) -> Any:
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() != self.keyword.lower().encode():
            return None
        ip = client_ip(request)
        if is_locked(TOKEN_ACCOUNT, ip):
            minutes = max(1, settings.SAUTI_LOGIN_LOCKOUT_SECONDS // 60)
            raise Throttled(
                wait=settings.SAUTI_LOGIN_LOCKOUT_SECONDS,
                detail=_("Too many failed attempts. Try again in %(n)d minutes.") % {"n": minutes},
            )
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            record_failure(TOKEN_ACCOUNT, ip)
            raise


class RateLimitedLoginView(LoginView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = str(request.POST.get("username", ""))
        if is_locked(username, client_ip(request)):
            return locked_response(
                request, "registration/login.html", self.get_context_data(form=self.get_form())
            )
        return super().post(request, *args, **kwargs)


# --- two factors --------------------------------------------------------------------------------


def needs_second_factor(user: Any) -> bool:
    """Deployment administrators, organisation admins and coordinators (they can see identities)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.is_staff:
        return True
    # The same per-request membership cache the access checks use: no extra query on most pages.
    return any(m.role in (Role.ADMIN, Role.COORDINATOR) for m in _memberships(user).values())


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.SAUTI_REQUIRE_2FA
            and request.user.is_authenticated
            and not request.session.get(SESSION_KEY)
            and not request.path.startswith(EXEMPT_PREFIXES)
            and needs_second_factor(request.user)
        ):
            return HttpResponseRedirect(f"/accounts/2fa/?next={quote(request.get_full_path())}")
        return self.get_response(request)


def _hash_code(code: str) -> str:
    return hashlib.sha256(
        ("sauti-recovery:" + code.replace("-", "").replace(" ", "").lower()).encode()
    ).hexdigest()


def _totp(device: TOTPDevice) -> pyotp.TOTP:
    return pyotp.TOTP(crypto.decrypt(device.secret_ciphertext))


def pending_device(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, secret_ciphertext=crypto.encrypt(pyotp.random_base32()))
    return device


@transaction.atomic
def check_code(user: User, code: str) -> bool:
    """A current TOTP code (each used once) or an unused recovery code."""
    code = "".join(code.split())
    device = TOTPDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        return False
    if code.isdigit() and len(code) == 6:
        totp = _totp(device)
        now = timezone.now()
        for drift in (0, -1, 1):
            moment = now + timedelta(seconds=30 * drift)
            step = totp.timecode(moment)
            if step > device.last_step and secrets.compare_digest(totp.at(moment), code):
                device.last_step = step
                device.save(update_fields=["last_step"])
                return True
        return False
    if not device.confirmed:
        return False
    found = RecoveryCode.objects.filter(user=user, code_hash=_hash_code(code), used_at=None).first()
    if found is None:
        return False
    found.used_at = timezone.now()
    found.save(update_fields=["used_at"])
    return True


@transaction.atomic
def do_confirm_device(user: User) -> list[str]:
    """Confirm the authenticator and issue fresh recovery codes (shown once)."""
    TOTPDevice.objects.filter(user=user).update(confirmed=True)
    RecoveryCode.objects.filter(user=user).delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _i in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_hash_code(c)) for c in codes])
    return codes


def _safe_next(request: HttpRequest) -> str:
    target = str(request.POST.get("next") or request.GET.get("next") or "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return "/"
    return target


@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enrol (QR code, then a first code) or verify (a code from the app, or a recovery code)."""
    if not request.user.is_authenticated or not isinstance(request.user, User):
        return HttpResponseRedirect(f"/accounts/login/?next={quote(request.get_full_path())}")
    user = request.user
    device = pending_device(user)
    context: dict[str, Any] = {"next": _safe_next(request), "enrolling": not device.confirmed}
    if not device.confirmed:
        secret = crypto.decrypt(device.secret_ciphertext)
        uri = pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name=ISSUER)
        context.update(
            secret=secret, qr_svg=segno.make(uri, error="m").svg_inline(scale=4, title=_("QR code"))
        )
    if request.method == "POST":
        ip = client_ip(request)
        key = f"2fa:{user.get_username()}"
        if is_locked(key, ip):
            return locked_response(request, "people/two_factor.html", context)
        if check_code(user, str(request.POST.get("code", ""))):
            LoginFailure.objects.filter(username=_key(key), ip=ip).delete()
            request.session.cycle_key()
            request.session[SESSION_KEY] = True
            if not device.confirmed:
                codes = do_confirm_device(user)
                return render(
                    request, "people/recovery_codes.html", {"codes": codes, "next": context["next"]}
                )
            return HttpResponseRedirect(context["next"])
        record_failure(key, ip)
        context["error"] = _(
            "That code is not right. Use the 6-digit code your app shows now, or a recovery code."
        )
        return render(request, "people/two_factor.html", context, status=400)
    return render(request, "people/two_factor.html", context)


# --- ODK device passwords -----------------------------------------------------------------------

# Lower-case letters and digits without look-alikes: typed on a phone keyboard into ODK Collect.
ODK_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def do_create_odk_password(user: User, name: str) -> tuple[OdkPassword, str]:
    """A new device password (about 98 bits, shown once; only its hash is stored)."""
    groups = ["".join(secrets.choice(ODK_ALPHABET) for _i in range(5)) for _g in range(4)]
    secret = "-".join(groups)
    device = OdkPassword.objects.create(
        user=user, name=name.strip()[:80], password_hash=make_password(secret)
    )
    return device, secret


def do_revoke_odk_password(device: OdkPassword) -> None:
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])


class OdkPasswordForm(forms.Form):
    name = forms.CharField(label=_lazy("Device"), max_length=80, strip=True)


def _odk_page(
    request: HttpRequest, user: User, form: OdkPasswordForm, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {
        "form": form,
        "devices": OdkPassword.objects.filter(user=user),
        "server": request.build_absolute_uri("/odk"),
        "needs_device_password": settings.SAUTI_REQUIRE_2FA and needs_second_factor(user),
        **extra,
    }
    return render(request, "people/odk_passwords.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def odk_passwords(request: HttpRequest) -> HttpResponse:
    """The user's own ODK Collect device passwords: make one (shown once), see when each was last used."""
    user = request_user(request)
    if request.method != "POST":
        return _odk_page(request, user, OdkPasswordForm())
    form = OdkPasswordForm(request.POST)
    if not form.is_valid():
        return _odk_page(request, user, form, status=400)
    device, secret = do_create_odk_password(user, form.cleaned_data["name"])
    return _odk_page(request, user, OdkPasswordForm(), created=device, secret=secret)


@login_required
@require_POST
def odk_password_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    device = OdkPassword.objects.filter(user=request_user(request), pk=pk).first()
    if device is None:
        raise Http404
    do_revoke_odk_password(device)
    messages.success(request, _("Device password revoked: that phone can no longer send forms."))
    return redirect("odk_passwords")
