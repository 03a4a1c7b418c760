"""Dagster assets, job and schedule of the repair domain."""
