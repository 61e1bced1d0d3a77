"""Datasets: tidy frames with the store's canonical columns, the one shape in which data of any
source (a connector, an upload, the demo generator) reaches the store."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

# Canonical columns per dataset; the ingest step checks frames against these.
DATASET_COLUMNS: dict[str, list[str]] = {
    "observations": ["indicator_code", "region_code", "period", "measure", "value"],
    "task_progress": ["task_number", "reported_on", "status", "percent", "note", "reporting_unit"],
    "emergency_events": ["event_type", "level", "title", "region_code", "place", "lon", "lat",
                         "occurred_at", "status", "closed_at"],
    "hotline_tickets": ["created_at", "region_code", "category", "channel", "status", "due_at",
                        "closed_at", "satisfaction"],
    "weather_warnings": ["kind", "level", "region_code", "issued_at", "expires_at", "issuer", "text"],
    "duty_roster": ["duty_date", "role", "name", "unit", "phone"],
}
# Records that change over time and carry their source's own key (`source_key`, a string): a later
# pull of the same key updates the record in place (cockpit/ingest.py keeps the state it replaced).
KEYED = ("emergency_events", "hotline_tickets", "weather_warnings", "duty_roster")
# Kept when present: the source's key, and (filled by ingest.diff_records) the stored record a row replaces.
OPTIONAL_COLUMNS = ("source_key", "record_id")


@dataclass
class Dataset:
    name: str  # a key of DATASET_COLUMNS
    frame: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.name not in DATASET_COLUMNS:
            raise ValueError(f"未知的数据集：{self.name}（已知：{'、'.join(DATASET_COLUMNS)}）")
        missing = [c for c in DATASET_COLUMNS[self.name] if c not in self.frame.columns]
        if missing:
            raise ValueError(f"数据集 {self.name} 缺少列：{'、'.join(missing)}")
        extra = [c for c in OPTIONAL_COLUMNS if c in self.frame.columns and self.name in KEYED]
        self.frame = self.frame[DATASET_COLUMNS[self.name] + extra]
