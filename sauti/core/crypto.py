"""Identities at rest: Fernet encryption with rotatable keys kept outside the database, and a keyed
hash for lookups (so a phone number can be found without storing it in clear)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from django.conf import settings


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
