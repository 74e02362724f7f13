from __future__ import annotations

import pytest

from django.test import override_settings

from sauti.core import crypto


def test_identities_round_trip_and_ciphertext_differs_each_time() -> None:
    a, b = crypto.encrypt("Njeri Wambui"), crypto.encrypt("Njeri Wambui")
    assert a != b and "Njeri" not in a
    assert crypto.decrypt(a) == "Njeri Wambui"


def test_old_keys_still_decrypt_after_a_new_key_is_added_and_rotation_moves_to_it() -> None:
    token = crypto.encrypt("+254712000001")
    with override_settings(SAUTI_IDENTITY_KEYS="new-key,test-identity-key"):
        assert crypto.decrypt(token) == "+254712000001"
        rotated = crypto.reencrypt(token)
    with override_settings(SAUTI_IDENTITY_KEYS="new-key"):
        assert crypto.decrypt(rotated) == "+254712000001"
        with pytest.raises(ValueError, match="cannot be decrypted"):
            crypto.decrypt(token)


def test_lookup_hash_is_keyed() -> None:
    plain = crypto.lookup_hash("+254712000001")
    with override_settings(SAUTI_LOOKUP_KEY="another"):
        assert crypto.lookup_hash("+254712000001") != plain
