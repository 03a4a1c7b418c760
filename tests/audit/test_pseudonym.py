"""Keyed pseudonyms: stable under one key, different under another, never the raw id."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeyheal.audit.pseudonym import KEY_ENV_VAR, Pseudonymizer


def test_same_key_same_pseudonym_other_key_other_pseudonym() -> None:
    one, other = Pseudonymizer(b"key-one"), Pseudonymizer(b"key-two")

    assert one("customer-42") == one("customer-42")
    assert one("customer-42") != other("customer-42")
    assert one("customer-42") != one("customer-43")


def test_home_key_is_created_once_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV_VAR, raising=False)

    first = Pseudonymizer.for_home(tmp_path)
    second = Pseudonymizer.for_home(tmp_path)

    assert first.key == second.key
    assert (tmp_path / "pseudonym.key").stat().st_mode & 0o777 == 0o600


def test_key_from_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV_VAR, "team-secret")

    assert Pseudonymizer.for_home(tmp_path).key == b"team-secret"
    assert not (tmp_path / "pseudonym.key").exists()
