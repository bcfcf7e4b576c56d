"""The store's SQLite file is the emulator's own while it runs, and kept after it."""

import os
import sqlite3
import subprocess
import sys

import pytest

from tests.emulators.core import Store
from tests.unit.probes import COLLECTION
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


def test_a_killed_store_keeps_every_write_it_committed(tmp_path):
    # A restart must find every write an emulator answered, even when its process
    # was killed rather than stopped: its commits are in the write-ahead log, not
    # synced at each commit (a power cut may lose the last ones, a kill does not).
    path = str(tmp_path / "killed.sqlite")
    code = (
        "import os, sys; from tests.emulators.core import Store\n"
        "store = Store(sys.argv[1], %r, lambda db: None)\n"
        "for n in range(50):\n"
        "    with store.transaction() as db:\n"
        "        db.execute(\"INSERT INTO rows (name) VALUES ('w%%d')\" %% n)\n"
        "os._exit(9)\n" % SCHEMA
    )
    finished = subprocess.run([sys.executable, "-c", code, path], cwd=COLLECTION, check=False)
    assert finished.returncode == 9
    # the writes are in the log beside the file, which the next store reads back
    assert os.path.getsize(path + "-wal") > 0
    again = Store(path, SCHEMA, seed)
    try:
        assert [row["name"] for row in again.query("SELECT name FROM rows ORDER BY id")] == [
            "w%d" % n for n in range(50)]
    finally:
        again.conn.close()
