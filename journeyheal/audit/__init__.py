"""The append-only audit trail of every repair decision and state change."""
