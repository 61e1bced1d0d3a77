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
    assert path.stat().st_mode & 0o777 == 0o600  # password hashes and sessions: its owner's only
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
    # pg_dump, pg_restore --list (the dump checked whole before anything is replaced), pg_restore
    assert len(argv) == 3 and argv[1].startswith("--list") and not any("s3cret-pw" in ln for ln in argv), argv
    assert lines.count("PGPASSWORD=s3cret-pw") == 2  # the check connects to no server: no password given it
    assert "s3cret-pw" not in os.environ.get("PGPASSWORD", "")


def test_lost_lists_the_batches_committed_or_rolled_back_since_the_backup(store, tmp_path):
    from cockpit.uploads.rollback import rollback
    _batch(store, 1.0)
    (second,) = _batch(store, 2.0)
    path = backup.backup(store, tmp_path / ("b.db" if store.engine.dialect.name == "sqlite" else "b.dump"))
    assert backup.lost(store, path).empty
    rollback(store, second, by="甲", reason="报错了")
    (third,) = _batch(store, 3.0)
    lost = backup.lost(store, path)
    assert dict(zip(lost.id, lost.change)) == {second: "status", third: "new"}
    assert lost.set_index("id").loc[third, "created_by"] == "甲"


def test_an_older_sqlite_backup_without_a_batch_list_is_read_for_it(store, tmp_path):
    import json

    import pytest
    if store.engine.dialect.name != "sqlite":
        pytest.skip("a PostgreSQL dump cannot be read without restoring it")
    _batch(store, 1.0)
    path = backup.backup(store, tmp_path / "b.db")
    manifest = tmp_path / "b.db.manifest.json"
    old = json.loads(manifest.read_text(encoding="utf-8"))
    del old["batches"]  # as backups made before this version wrote them
    manifest.write_text(json.dumps(old), encoding="utf-8")
    (second,) = _batch(store, 2.0)
    assert backup.lost(store, path).id.tolist() == [second]
    assert backup.restore(store, path)["counts"]["upload_batches"] == 1  # and it still restores, verified


def test_a_restore_ends_every_login(store, tmp_path):
    import pytest

    from cockpit import auth, sessions
    auth.add_user(store, "领导甲", "leader", "correct horse battery")
    _, ticket = sessions.start(store, "领导甲")
    cookie = sessions.redeem(store, ticket)
    path = backup.backup(store, tmp_path / ("b.db" if store.engine.dialect.name == "sqlite" else "b.dump"))
    auth.set_disabled(store, "领导甲", True)  # ends the login; restoring would bring the open record back
    backup.restore(store, path)
    with pytest.raises(sessions.Refused, match="数据已从备份恢复"):
        sessions.resume(store, cookie, 480)


def test_a_restore_cannot_start_while_a_server_holds_the_store(store):
    import pytest

    from cockpit import presence
    server = presence.hold(store.url, store.cfg.data_dir)  # as ui/server.py holds it while it runs
    try:
        with pytest.raises(presence.ServerRunning):
            with presence.exclusive(store):
                pass
    finally:
        server.release()
    with presence.exclusive(store):  # the server stopped: nothing holds the store any more
        pass


def test_the_lock_files_are_found_where_sqlalchemy_reads_the_database(tmp_path):
    """The server takes its presence lock without importing SQLAlchemy (cockpit/lockfile.py); a
    restore finds the same file through the same reading of the URL, or it would not see the server."""
    from sqlalchemy.engine import make_url

    from cockpit import lockfile
    for url in ("sqlite:////tmp/a b/c.db", "sqlite:///rel/c.db", "sqlite://", "sqlite:///:memory:",
                "sqlite:////tmp/%E5%95%86%E4%B8%98.db", "sqlite:////tmp/x.db?timeout=5",
                "sqlite+pysqlite:////tmp/y.db", "sqlite:////tmp/商丘/驾驶舱.db", "sqlite:///file:x.db?mode=ro&uri=true",
                f"sqlite:///{tmp_path}/data/cockpit.db"):
        assert lockfile.sqlite_database(url) == make_url(url).database, url
    assert lockfile.path(f"sqlite:///{tmp_path}/商丘.db", tmp_path, "serving") == tmp_path / "商丘.db.serving.lock"
    assert lockfile.path("sqlite://", tmp_path, "serving") == tmp_path / "memory.serving.lock"


def test_backups_taken_within_one_second_are_separate_files_and_each_restores(store, tmp_path, monkeypatch):
    """A restore first saves the current store; restoring that copy right away (to undo) saved the
    store again under the same second's name, over the very copy being restored: the undo was lost."""
    import datetime as dt
    import types

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls(2026, 12, 7, 9, 30, 0)
    monkeypatch.setattr(backup, "dt", types.SimpleNamespace(datetime=Frozen))  # backup's clock only
    _batch(store, 1.0)
    first = backup.backup(store, name="before-restore")
    _batch(store, 2.0)
    second = backup.backup(store, name="before-restore")
    assert first != second and {first.name, second.name} == {
        f"before-restore-20261207-093000{first.suffix}", f"before-restore-20261207-093000-2{first.suffix}"}
    assert backup.restore(store, first)["counts"]["upload_batches"] == 1
    assert backup.restore(store, second)["counts"]["upload_batches"] == 2
