"""The hourly partitions every journey asset shares: one partition per arrival hour (UTC)."""

import dagster as dg

PARTITIONS_START = "2026-01-01-00:00"

hourly_partitions = dg.HourlyPartitionsDefinition(start_date=PARTITIONS_START, timezone="UTC")
