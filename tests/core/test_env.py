from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from django.core.exceptions import ImproperlyConfigured

from sauti.core.env import env_bool, env_choice, env_int, env_list, env_secret


def test_typed_helpers_read_good_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env_bool("X_BOOL") is True
    assert env_int("X_INT", 1) == 42
    assert env_list("X_LIST") == ["a", "b", "c"]
    assert env_int("X_MISSING", 7) == 7


@pytest.mark.parametrize(
    ("name", "value", "call"),
    [
        ("X_BOOL", "maybe", lambda: env_bool("X_BOOL")),
        ("X_INT", "ten", lambda: env_int("X_INT", 1)),
        ("X_INT", "-5", lambda: env_int("X_INT", 1, minimum=0)),
        ("X_CHOICE", "staging", lambda: env_choice("X_CHOICE", ("development", "production"), "development")),
    ],
)
def test_bad_values_fail_loudly(monkeypatch: pytest.MonkeyPatch, name: str, value: str, call: object) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        call()  # type: ignore[operator]


def test_local_secrets_are_generated_once_and_production_requires_them(tmp_path: Path) -> None:
    file = tmp_path / "secret"
    first = env_secret("X_SECRET_UNSET", file=file, required=False)
    assert len(first) >= 50 and env_secret("X_SECRET_UNSET", file=file, required=False) == first
    assert oct(file.stat().st_mode)[-3:] == "600"
    with pytest.raises(ImproperlyConfigured):
        env_secret("X_SECRET_UNSET", file=tmp_path / "other", required=True)


def run_sauti(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("SAUTI_", "SECRET_KEY", "DATABASE_URL"))
    }
    return subprocess.run(
        [sys.executable, "-m", "sauti", *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_mode_passes_the_deploy_check_with_a_sensible_environment(tmp_path: Path) -> None:
    env = {
        "SAUTI_ENV": "production",
        "SECRET_KEY": "p" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
        "SAUTI_IDENTITY_KEYS": "identity-key-from-a-vault",
        "SAUTI_LOOKUP_KEY": "lookup-key-from-a-vault",
        "ALLOWED_HOSTS": "sauti.example.org",
        "SAUTI_VAR_DIR": str(tmp_path),
    }
    result = run_sauti(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_mode_refuses_to_start_without_secrets(tmp_path: Path) -> None:
    result = run_sauti(["check"], {"SAUTI_ENV": "production", "SAUTI_VAR_DIR": str(tmp_path)}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_hyphenated_commands_map_to_management_commands(tmp_path: Path) -> None:
    result = run_sauti(["demo-data", "--help"], {"SAUTI_VAR_DIR": str(tmp_path)}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "demo dataset" in result.stdout
