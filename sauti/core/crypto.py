"""Identities at rest: Fernet encryption with rotatable keys kept outside the database, and a keyed
hash for lookups (so a phone number can be found without storing it in clear)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache
from typing import Any, overload

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from django.apps import apps
from django.conf import settings
from django.db import models


def _fernet_key(secret: str) -> bytes:
    """Accept a real Fernet key as is; derive one from any other secret string."""
    try:
        if len(base64.urlsafe_b64decode(secret.encode())) == 32:
            return secret.encode()
    except (ValueError, TypeError):
        pass
    digest = hashlib.sha256(b"sauti-identity-key:" + secret.encode()).digest()
    return base64.urlsafe_b64encode(digest)


@lru_cache(maxsize=4)
def _multifernet(keys: str) -> MultiFernet:
    secrets_ = [k.strip() for k in keys.split(",") if k.strip()]
    return MultiFernet([Fernet(_fernet_key(s)) for s in secrets_])


def _box() -> MultiFernet:
    return _multifernet(settings.SAUTI_IDENTITY_KEYS)


def encrypt(value: str) -> str:
    if value == "":
        return ""
    return _box().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if token == "":
        return ""
    try:
        return _box().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("identity ciphertext cannot be decrypted with the configured keys") from None


def reencrypt(token: str) -> str:
    """Re-encrypt under the newest key (used by `sauti rotate-keys`)."""
    if token == "":
        return ""
    return _box().rotate(token.encode()).decode()


def is_under_newest_key(token: str) -> bool:
    """Whether the newest key alone decrypts this token (so rotation can skip it)."""
    if token == "":
        return True
    newest = next(k.strip() for k in settings.SAUTI_IDENTITY_KEYS.split(",") if k.strip())
    try:
        Fernet(_fernet_key(newest)).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def lookup_hash(value: str) -> str:
    return hmac.new(settings.SAUTI_LOOKUP_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def new_key() -> str:
    return Fernet.generate_key().decode()


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A column holding a Fernet token made with the identity keys (`encrypt`/`decrypt` above).

    Declaring a column with this class is what puts it under `sauti rotate-keys` and the `check --deploy`
    decryption check (`encrypted_fields`); tests/people/test_key_rotation.py fails for any column named
    like a ciphertext or a secret that is not declared so. In migrations it is an ordinary TextField."""

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs


class EncryptedPhone:
    """A model's `phone`: reading decrypts `phone_ciphertext`; writing encrypts it and keeps `phone_hash`,
    the keyed hash a number is found by, in step ("" for no number). The model declares both columns."""

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> EncryptedPhone: ...
    @overload
    def __get__(self, obj: models.Model, owner: type[Any]) -> str: ...
    def __get__(self, obj: models.Model | None, owner: type[Any]) -> EncryptedPhone | str:
        if obj is None:
            return self
        return decrypt(obj.phone_ciphertext)  # type: ignore[attr-defined]

    def __set__(self, obj: models.Model, e164: str) -> None:
        obj.phone_ciphertext = encrypt(e164)  # type: ignore[attr-defined]
        obj.phone_hash = lookup_hash(e164) if e164 else ""  # type: ignore[attr-defined]


def encrypted_fields() -> list[tuple[type[models.Model], tuple[str, ...]]]:
    """Every concrete model with identity-key ciphertext, and those columns' attnames (model label order)."""
    found = []
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        names = tuple(f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField))
        if names:
            found.append((model, names))
    return found


def can_decrypt(token: str) -> bool:
    if token == "":
        return True
    try:
        _box().decrypt(token.encode())
    except InvalidToken:
        return False
    return True
