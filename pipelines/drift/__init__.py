"""Drift watch in Dagster: the hourly drift report, its checks and the retraining sensor."""
