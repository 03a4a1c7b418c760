"""Dagster assets and checks of the friction model: training, promotion, hourly scoring."""
