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


def test_the_postgresql_password_never_appears_on_a_command_line(store, tmp_path, monkeypatch):
    """pg_dump and pg_restore get the password through the environment: `ps` shows argv to everyone."""
    import os
    import stat

    import pytest
    from sqlalchemy.engine import make_url

    from cockpit.store import Store
    if store.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    # The test server trusts local connections, so any password in the URL is accepted and must be hidden.
    url = make_url(store.url).set(password="s3cret-pw").render_as_string(hide_password=False)
    secured = Store(url, store.cfg)
    seen = tmp_path / "seen.txt"
    real = backup._tool

    def recording(name):  # a real pg_dump/pg_restore behind a wrapper that writes down its argv and env
        shim = tmp_path / name
        shim.write_text(f'#!/bin/sh\necho "$@" >> {seen}\necho "PGPASSWORD=$PGPASSWORD" >> {seen}\n'
                        f'exec {real(name)} "$@"\n')
        shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
        return str(shim)
    monkeypatch.setattr(backup, "_tool", recording)
    _batch(secured, 1.0)
    path = backup.backup(secured, tmp_path / "b.dump")
    backup.restore(secured, path)
    lines = seen.read_text().splitlines()
    argv = [ln for ln in lines if not ln.startswith("PGPASSWORD=")]
    assert len(argv) == 2 and not any("s3cret-pw" in ln for ln in argv), argv
    assert lines.count("PGPASSWORD=s3cret-pw") == 2
    assert "s3cret-pw" not in os.environ.get("PGPASSWORD", "")
