"""Where Feast keeps its registry, online store and offline Parquet sources in a home."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from journeyheal.home import Home

REGISTRY_FILE = "registry.db"
ONLINE_STORE_FILE = "online_store.db"
SOURCES_FOLDER = "data"
PARTITION_FILE_FORMAT = "%Y-%m-%dT%H%M.parquet"


def registry_path(home: Home) -> Path:
    """The Feast registry (SQLite file) of a home."""
    return home.feast / REGISTRY_FILE


def online_store_path(home: Home) -> Path:
    """The embedded SQLite online store of a home."""
    return home.feast / ONLINE_STORE_FILE


def source_folder(home: Home, view: str) -> Path:
    """Folder of one feature view's Parquet files, one file per hourly partition."""
    return home.feast / SOURCES_FOLDER / view


def source_glob(home: Home, view: str) -> str:
    """The path pattern a Feast FileSource reads: every partition file of the view."""
    return str(source_folder(home, view) / "*.parquet")


def partition_file(home: Home, view: str, partition_start: datetime) -> Path:
    """The Parquet file of one partition; re-materializing the partition overwrites it."""
    return source_folder(home, view) / partition_start.strftime(PARTITION_FILE_FORMAT)
