"""The store's SQLite file is the emulator's own while it runs, and kept after it."""

import sqlite3

import pytest

from tests.emulators.core import Store

SCHEMA = "CREATE TABLE rows (id INTEGER PRIMARY KEY, name TEXT);"


def seed(db):
    db.execute("INSERT INTO rows (name) VALUES ('seeded')")


def test_the_file_is_locked_while_the_store_runs_and_kept_after(tmp_path):
    path = str(tmp_path / "own.sqlite")
    store = Store(path, SCHEMA, seed)
    with store.transaction() as db:
        db.execute("INSERT INTO rows (name) VALUES ('written')")
    assert [row["name"] for row in store.query("SELECT name FROM rows ORDER BY id")] == [
        "seeded", "written"]
    # Locked once and kept (PRAGMA locking_mode = EXCLUSIVE): no statement locks,
    # unlocks and re-checks the file, so no other connection may read it meanwhile.
    other = sqlite3.connect(path, timeout=0)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("SELECT name FROM rows").fetchall()
        store.conn.close()
        assert other.execute("SELECT name FROM rows ORDER BY id").fetchall() == [
            ("seeded",), ("written",)]
    finally:
        other.close()
    again = Store(path, SCHEMA, seed)
    try:
        assert len(again.query("SELECT name FROM rows")) == 2
    finally:
        again.conn.close()
