"""Offset paging and counts of id-ordered lists, in time independent of the offset.

A client reads a long list page by page, each page starting where the last
one ended, or a few rows before it (the CRM client's pages overlap by 10).
SQLite's ``OFFSET`` steps over every row before the page, so the 2,000th page
of a 200,000-record list costs 2,000 times the first. The :class:`Pager` keeps
the id at each offset of the pages it answered, and answers a page that starts
at one of them with ``id > that`` (``id < that`` descending) through the index
instead. Counts are kept too.

Both answers equal what ``OFFSET`` and ``COUNT(*)`` give as long as nothing
was written in between, and only then are they used: each kept position and
count carries the connection's change count (every INSERT, UPDATE and DELETE
moves it), and a moved count sends the request back to plain SQL.
"""

from collections import OrderedDict


class Pager:
    def __init__(self, store, keep=25600):
        self.store = store
        self.keep = keep
        # (query, offset) -> (change count, id of the row before that offset): every
        # offset of the last ``keep`` / 100 pages of 100 rows
        self.positions = OrderedDict()
        # (source, conditions, args) -> (change count, count)
        self.counts = OrderedDict()

    def page(self, select, where, args, descending, limit, offset):
        """Rows of ``select WHERE where ORDER BY id LIMIT limit OFFSET offset``.

        ``select`` is ``SELECT <columns> FROM <table>`` and must return ``id``;
        ``where`` is a list of SQL conditions, ``args`` their arguments.
        """
        order = "DESC" if descending else "ASC"
        query = (select, tuple(where), tuple(args), order)
        with self.store.lock:
            changes = self.store.changes()
            position = self.positions.get((query, offset))
            if offset and position and position[0] == changes:
                after = "id < ?" if descending else "id > ?"
                rows = self.store.query(
                    "%s WHERE %s ORDER BY id %s LIMIT ?"
                    % (select, " AND ".join(list(where) + [after]), order),
                    list(args) + [position[1], limit])
            else:
                rows = self.store.query(
                    "%s WHERE %s ORDER BY id %s LIMIT ? OFFSET ?"
                    % (select, " AND ".join(where), order),
                    list(args) + [limit, offset])
            for index, row in enumerate(rows, start=offset + 1):
                self._keep(self.positions, (query, index), (changes, row["id"]))
        return rows

    def count(self, source, where, args):
        """``SELECT COUNT(*) FROM source WHERE where``, counted once per state of the data."""
        key = (source, tuple(where), tuple(args))
        with self.store.lock:
            changes = self.store.changes()
            kept = self.counts.get(key)
            if kept and kept[0] == changes:
                return kept[1]
            found = self.store.one("SELECT COUNT(*) AS n FROM %s WHERE %s"
                                   % (source, " AND ".join(where)), args)["n"]
            self._keep(self.counts, key, (changes, found))
        return found

    def _keep(self, kept, key, value):
        kept[key] = value
        kept.move_to_end(key)
        while len(kept) > self.keep:
            kept.popitem(last=False)
