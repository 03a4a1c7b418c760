"""Keyed pseudonyms for customer identifiers: stable within a home, useless without the key."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

KEY_ENV_VAR = "JOURNEYHEAL_PSEUDONYM_KEY"
KEY_FILE_NAME = "pseudonym.key"
KEY_BYTES = 32
PSEUDONYM_HEX_CHARS = 20
PREFIX = "cust_"


@dataclass(frozen=True)
class Pseudonymizer:
    """HMAC-SHA256 of a raw identifier under a secret key."""

    key: bytes

    def __call__(self, raw_id: str) -> str:
        digest = hmac.new(self.key, raw_id.encode(), hashlib.sha256).hexdigest()
        return PREFIX + digest[:PSEUDONYM_HEX_CHARS]

    @classmethod
    def for_home(cls, root: Path) -> Pseudonymizer:
        """The key from JOURNEYHEAL_PSEUDONYM_KEY, else the home's key file (made on first use)."""
        from_env = os.environ.get(KEY_ENV_VAR)
        if from_env:
            return cls(from_env.encode())

        path = root / KEY_FILE_NAME
        if not path.exists():
            root.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(KEY_BYTES), encoding="utf-8")
            path.chmod(0o600)
        return cls(path.read_text(encoding="utf-8").strip().encode())
