"""The Pager answers every page and count exactly as OFFSET and COUNT(*) do."""

import pytest

from tests.emulators.core import Store
from tests.emulators.kept import KeptAnswers
from tests.emulators.paging import Pager

SCHEMA = """
CREATE TABLE rows (id INTEGER PRIMARY KEY AUTOINCREMENT, kind INTEGER);
CREATE INDEX rows_kind ON rows (kind);
"""
SELECT = "SELECT id, kind FROM rows"


@pytest.fixture
def store(tmp_path):
    def seed(db):
        db.executemany("INSERT INTO rows (kind) VALUES (?)", [(n % 3,) for n in range(250)])

    store = Store(str(tmp_path / "rows.sqlite"), SCHEMA, seed)
    yield store
    store.conn.close()


def by_offset(store, descending, limit, offset):
    return store.query("%s WHERE kind = ? ORDER BY id %s LIMIT ? OFFSET ?"
                       % (SELECT, "DESC" if descending else "ASC"), (1, limit, offset))


@pytest.mark.parametrize("descending", [False, True])
def test_a_walk_through_the_pages_reads_each_by_the_last_id(store, descending):
    pager = Pager(store)
    pages, offset = {}, 0
    with store.traced() as issued:
        while offset not in pages:
            pages[offset] = pager.page(SELECT, ["kind = ?"], [1], descending, 7, offset)
            offset += len(pages[offset])
    assert offset == 83
    assert pages == {offset: by_offset(store, descending, 7, offset) for offset in pages}
    assert len(issued) == len(pages) == 13
    assert ["OFFSET" in sql for sql, _args in issued] == [True] + [False] * 12


@pytest.mark.parametrize("descending", [False, True])
def test_pages_that_overlap_the_last_are_read_by_the_id_there_too(store, descending):
    """The CRM client starts each page 10 rows before the last one's end."""
    pager = Pager(store)
    pages, offset = {}, 0
    with store.traced() as issued:
        while not pages or len(pages[max(pages)]) == 7:  # a short page is the last
            pages[offset] = pager.page(SELECT, ["kind = ?"], [1], descending, 7, offset)
            offset += 4
    assert len(pages) == 21
    assert pages == {offset: by_offset(store, descending, 7, offset) for offset in pages}
    assert ["OFFSET" in sql for sql, _args in issued] == [True] + [False] * (len(pages) - 1)


def test_a_write_between_pages_sends_the_next_page_back_to_offset(store):
    pager = Pager(store)
    first = pager.page(SELECT, ["kind = ?"], [1], False, 10, 0)
    with store.transaction() as db:
        db.execute("DELETE FROM rows WHERE id = ?", (first[0]["id"],))
    assert pager.page(SELECT, ["kind = ?"], [1], False, 10, 10) == by_offset(store, False, 10, 10)


def test_a_page_that_starts_elsewhere_is_read_by_offset(store):
    pager = Pager(store)
    pager.page(SELECT, ["kind = ?"], [1], False, 10, 0)
    assert pager.page(SELECT, ["kind = ?"], [1], False, 10, 15) == by_offset(store, False, 10, 15)
    assert pager.page(SELECT, ["kind = ?"], [2], False, 10, 10) == store.query(
        "%s WHERE kind = 2 ORDER BY id LIMIT 10 OFFSET 10" % SELECT)


def test_counts_are_kept_until_a_write(store):
    pager = Pager(store)
    with store.traced() as issued:
        assert pager.count("rows", ["kind = ?"], [0]) == 84
        assert pager.count("rows", ["kind = ?"], [0]) == 84
    assert len(issued) == 1
    store.conn.execute("INSERT INTO rows (kind) VALUES (0)")  # outside any transaction too
    assert pager.count("rows", ["kind = ?"], [0]) == 85


def test_an_answer_kept_before_a_reset_is_not_given_after_it(tmp_path):
    """A reset drops the tables; an emulator whose seed writes no row moved no
    change count with it: a kept answer must still be made again."""
    store = Store(str(tmp_path / "empty.sqlite"), SCHEMA, lambda db: None)
    kept = KeptAnswers(store)
    store.conn.execute("INSERT INTO rows (kind) VALUES (1)")

    def count():
        return store.one("SELECT COUNT(*) AS n FROM rows")["n"]

    assert kept.get("count", count) == 1
    store.reset()
    assert kept.get("count", count) == 0
    store.conn.close()
