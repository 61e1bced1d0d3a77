"""Backup and restore reproduce batch counts and checksums, on SQLite and PostgreSQL."""
from __future__ import annotations

import pandas as pd

from cockpit import backup, ingest
from connectors.base import Dataset


def _batch(store, value):
    ds = Dataset("observations", pd.DataFrame([{"indicator_code": "RETAIL", "region_code": "411402",
                                                "period": "2026-09", "measure": "month", "value": value}]))
    return ingest.load(store, [ds], source="excel", created_by="甲", sha256=f"{value:064.0f}")


def test_restore_brings_back_exactly_what_was_saved(store, tmp_path):
    _batch(store, 1.0)
    _batch(store, 2.0)
    saved = backup.manifest(store)
    path = backup.backup(store, tmp_path / ("b.db" if store.engine.dialect.name == "sqlite" else "b.dump"))
    _batch(store, 3.0)  # work done after the backup
    assert backup.manifest(store) != saved
    restored = backup.restore(store, path)
    assert restored == saved
    assert restored["counts"]["upload_batches"] == 2
    assert store.observations(regions=["411402"]).value.tolist() == [2.0]
