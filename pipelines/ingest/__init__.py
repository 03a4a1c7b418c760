"""Ingest domain: landing files to raw, validated and quarantined journey events."""
