"""Substring searches through SQLite's trigram full-text index, with exact answers.

A b-tree index finds a value or a prefix, never text inside a value, so the
APIs' substring searches (SIMPLer's ``nickname`` contains, CRM and UserSide
``LIKE '%...%'``) would read every record. An FTS5 table with the trigram
tokenizer (SQLite 3.34 and later) indexes every three characters of a value
in a row and finds the records that can match; the search's own condition
(``instr``, ``LIKE``) then decides on those few, so an answer stays exactly
what reading every record would give. Two limits, both handled here:

* fewer than three characters in a row give the index nothing to look up
  (and a trigram ``LIKE`` then finds nothing instead of everything): such a
  search is not narrowed and reads every record;
* the ``case_sensitive 0`` tokenizer folds case by Unicode rules, SQLite's
  ``LIKE`` by ASCII only: the index finds more candidates, never fewer, and
  ``LIKE`` drops the extra ones. A search that folds with Python's
  ``str.lower()`` keeps its own lower-cased copy of each value, indexed
  ``case_sensitive 1``, so that the index compares exactly what it compares.

Triggers keep each full-text table in step with its table, whatever writes
it (the API, or a test's own SQL). Rows a trigger indexes one statement at a
time cost FTS5 about five times as much as rows one statement inserts (here
200,000 rows: 4.3 s against 0.9 s), so many rows go in through
:func:`bulk_insert`.
"""

import re

# Characters in a row the trigram index needs to look anything up.
TRIGRAM = 3
# A long search text is first looked up by a piece this long (three trigrams: a
# lookup's cost grows with each trigram's rows, and three in a row are rare as a
# rule - 200,000 invoicing ids of six digits hold "09082" four times) ...
PIECE = 5
# ... whose rows name the candidates when they are fewer than this.
FEW = 256
LIKE_WILDCARDS = re.compile(r"[%_]")


def trigram_index(name, table, columns, case_sensitive=False):
    """SQL creating full-text table ``name`` over ``columns`` of ``table`` (rows by
    ``id``; the table holds the text) and the triggers that keep it in step."""
    listed = ", ".join(columns)
    new = ", ".join("new." + column for column in columns)
    old = ", ".join("old." + column for column in columns)
    return """
CREATE VIRTUAL TABLE {name} USING fts5({listed}, content='{table}', content_rowid='id',
    tokenize='trigram case_sensitive {sensitive}');
CREATE TRIGGER {name}_insert AFTER INSERT ON {table} BEGIN
    INSERT INTO {name} (rowid, {listed}) VALUES (new.id, {new});
END;
CREATE TRIGGER {name}_delete AFTER DELETE ON {table} BEGIN
    INSERT INTO {name} ({name}, rowid, {listed}) VALUES ('delete', old.id, {old});
END;
CREATE TRIGGER {name}_update AFTER UPDATE OF id, {listed} ON {table} BEGIN
    INSERT INTO {name} ({name}, rowid, {listed}) VALUES ('delete', old.id, {old});
    INSERT INTO {name} (rowid, {listed}) VALUES (new.id, {new});
END;
""".format(name=name, table=table, listed=listed, new=new, old=old,
           sensitive=int(bool(case_sensitive)))


def bulk_insert(db, table, columns, rows, indexes=()):
    """Insert ``rows`` (tuples of ``columns``) into ``table`` in one statement, through
    a temporary table without types (so that ``table`` converts each value once,
    as a direct insert would); then merge each full-text table of ``indexes`` into
    one segment, which halves the time of a lookup after a large load."""
    listed = ", ".join(columns)
    db.execute("CREATE TEMP TABLE bulk_rows (%s)" % listed)
    try:
        db.executemany("INSERT INTO bulk_rows VALUES (%s)" % ", ".join("?" * len(columns)), rows)
        db.execute("INSERT INTO %s (%s) SELECT %s FROM bulk_rows" % (table, listed, listed))
    finally:
        db.execute("DROP TABLE temp.bulk_rows")
    for index in indexes:
        db.execute("INSERT INTO %s (%s) VALUES ('optimize')" % (index, index))


def like_narrows(pattern):
    """Whether the trigram index should narrow ``LIKE pattern``: the pattern starts
    with a wildcard (else the column's ``NOCASE`` b-tree index finds its prefix)
    and holds three characters in a row without one."""
    return bool(LIKE_WILDCARDS.match(pattern)) and max(
        len(run) for run in LIKE_WILDCARDS.split(pattern)) >= TRIGRAM


def phrase(column, text):
    """The FTS5 query for rows whose ``column`` contains ``text`` (three characters or more)."""
    return '%s : "%s"' % (column, text.replace('"', '""'))


def candidates(query, index, column, text):
    """Ids of the rows whose ``column`` (of full-text table ``index``) may contain
    ``text``: every row that does, and maybe a few that do not; None when the index
    cannot narrow the search (fewer than three characters).

    A phrase costs a seek per trigram in it, and in 200,000 similar values
    (``cpe_seed_000001``, ...) most trigrams of a long text are in every row. So
    the last, then the first, ``PIECE`` characters are looked up alone first
    (whatever contains the text contains them): the first that finds fewer than
    ``FEW`` rows names the candidates. Only when neither does is the whole text
    looked up. ``query(sql, args)`` runs a query (the store's, so that tests see it).
    """
    if len(text) < TRIGRAM or "\0" in text:
        return None
    sql = "SELECT rowid FROM %s WHERE %s MATCH ?" % (index, index)
    pieces = (text[-PIECE:], text[:PIECE]) if len(text) > PIECE else ()
    for piece in pieces:
        rows = query(sql + " LIMIT ?", (phrase(column, piece), FEW))
        if len(rows) < FEW:
            return [row["rowid"] for row in rows]
    return [row["rowid"] for row in query(sql, (phrase(column, text),))]
