"""Dagster assets of the feature domain: feature tables, the Feast registry and online store."""
