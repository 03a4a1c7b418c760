"""Repair catalogue and guardrails: declarative rules, deny-by-default policy, decisions."""
