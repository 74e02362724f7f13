"""System checks of the deployment (`sauti check --deploy`): every value encrypted with the identity keys
still decrypts with the configured keys, and rotation is not left half done."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Warning, register
from django.db import DatabaseError, connection

from sauti.core import crypto


@register("sauti", deploy=True)
def identity_ciphertexts(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Read every encrypted column (one pass over each table); list the columns with values that the
    configured keys cannot decrypt (an error) or that are not yet under the newest key (a warning)."""
    unreadable: dict[str, int] = {}
    stale: dict[str, int] = {}
    try:
        tables = set(connection.introspection.table_names())
        for model, fields in crypto.encrypted_fields():
            if model._meta.db_table not in tables:  # not migrated yet: nothing stored there
                continue
            for row in model._base_manager.values_list(*fields).iterator(2000):
                for name, value in zip(fields, row, strict=True):
                    if not value:
                        continue
                    where = f"{model._meta.label}.{name}"
                    if not crypto.can_decrypt(value):
                        unreadable[where] = unreadable.get(where, 0) + 1
                    elif not crypto.is_under_newest_key(value):
                        stale[where] = stale.get(where, 0) + 1
    except DatabaseError as exc:
        return [Warning(f"Encrypted identities could not be checked: {exc}", id="sauti.W002")]
    found: list[CheckMessage] = []
    if unreadable:
        listed = ", ".join(f"{k} ({n})" for k, n in sorted(unreadable.items()))
        found.append(
            Error(
                f"Values encrypted with the identity keys cannot be decrypted with SAUTI_IDENTITY_KEYS: {listed}",
                hint="Put back the key they were encrypted with (after the newest), then run `sauti rotate-keys`.",
                id="sauti.E001",
            )
        )
    if stale:
        listed = ", ".join(f"{k} ({n})" for k, n in sorted(stale.items()))
        found.append(
            Warning(
                f"Values not yet encrypted with the newest identity key: {listed}",
                hint="Run `sauti rotate-keys` before removing the older keys.",
                id="sauti.W001",
            )
        )
    return found
