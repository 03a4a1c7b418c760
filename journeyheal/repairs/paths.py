"""Where the repair catalogue lives by default: repair_rules/ at the project root."""

from __future__ import annotations

from pathlib import Path

CATALOGUE_ROOT = Path(__file__).resolve().parents[2] / "repair_rules"
DEFAULT_RULES_DIR = CATALOGUE_ROOT / "rules"
DEFAULT_POLICY_FILE = CATALOGUE_ROOT / "policy.yaml"
