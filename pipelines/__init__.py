"""The Dagster code location of journeyheal; `pipelines.definitions` is its one entry point."""

import warnings

# Partitioned asset checks are "preview" in Dagster 1.13; the contract gate relies on them so
# that a check result belongs to the hour it judged. Drop this filter when they leave preview.
warnings.filterwarnings("ignore", message="Specifying a partitions_def on an AssetCheckSpec")
