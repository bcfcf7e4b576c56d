"""What every backend emulator shares: a Flask app, SQLite state, counters, faults.

An emulator subclasses :class:`Emulator`, declares its SQLite schema, its
seed data and its routes (each marked ``read`` or ``write``), and answers
exactly as the vendor's server does (``CONTRACTS.md`` of the project's
design). The shared part adds what a test needs on top, under
``/_emulator/`` (never counted, never faulted):

* ``GET /_emulator/counters`` — reads and writes per endpoint since the last
  reset; ``DELETE /_emulator/counters`` resets them.
* ``GET|PUT /_emulator/faults`` — added latency, a failing percentage with a
  chosen status (a 429 says ``Retry-After: <retry_after>``, 1 s unless set;
  ``echo`` makes the failure repeat the request), and ``drop_writes``: the number of coming writes whose answer
  is cut off *after* the write was committed (the client sees the connection
  break mid-answer). ``down_after_writes``: the backend goes down once that
  many more writes are committed - every request after them fails as
  ``fail_status`` says (403: the credentials refused, which a client takes
  for a backend it cannot use) until the fault is set again. ``only`` limits
  failures, drops and the writes counted to endpoints whose name contains it.
* ``POST /_emulator/reset`` — back to the seed data (with the generated
  records the emulator was started with).
* ``GET|PUT /_emulator/config`` — the backend's own run-time options.
* ``POST /_emulator/seed {"count": N, "prefix": "...", "start": 1}`` — insert
  N generated, valid records (numbered from ``start``) in one transaction, so
  that a benchmark starts from 200,000 records in seconds, not through the
  API; each emulator's docstring gives the shape. A clash with a record that
  exists (the same prefix seeded twice) answers 409 and inserts nothing. The
  launcher's ``--seed-records N --seed-prefix P`` and the constructor's
  ``seed_records``/``seed_prefix`` generate them into every fresh or reset
  database.
* ``GET /_emulator/stats`` — the emulator's own cost since the last reset of
  the counters: the process's CPU time and, per endpoint, requests, total and
  median service time (from the first request hook, or the fast path's
  start, to the answer, injected latency included) and CPU time of the
  serving thread. ``DELETE`` resets it,
  as ``DELETE /_emulator/counters`` does.

A request is read as the vendor's server reads it, whatever it holds: an
integer no SQL column holds, a JSON text with a lone UTF-16 surrogate, a NUL,
an emoji answer the API's own error (or find nothing), never an HTML 500
(:func:`sql_integer`, :func:`parse_json`; ``tests/unit/emulators/test_bad_values.py``
sends every such value in every writable field of every emulator).

Every lookup the emulated APIs offer is an indexed SQLite query, so that an
answer takes the same time at 1,000 and at 200,000 records
(``tests/unit/emulators/test_indexes.py`` holds each to SQLite's query plan);
:meth:`Store.traced` lists the statements a request issued, for that test.
"""

import array
import contextlib
import json
import random
import re
import sqlite3
import statistics
import threading
import time
import zlib

from flask import Flask, Response, g, jsonify, request

from tests.emulators.fastpath import FastPath

CONTROL_PREFIX = "/_emulator/"

# The ranges of SQL's integer columns, which the servers keep their numbers in.
INT = (-2 ** 31, 2 ** 31 - 1)
BIGINT = (-2 ** 63, 2 ** 63 - 1)  # SQLite's own: a wider number cannot even be looked up
DECIMAL = re.compile(r"\s*([-+]?[0-9]+)\s*\Z")


def sql_integer(value, column=BIGINT):
    """The integer that ``value`` (text or a JSON number) spells in ASCII digits, when
    an integer column of range ``column`` holds it; None otherwise (``"²"``, ``"1.5"``,
    ``"10" * 30``), for the caller to answer as its server does."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    match = DECIMAL.match(str(value))
    if match is None:
        return None
    number = int(match.group(1))
    lowest, highest = column
    return number if lowest <= number <= highest else None


def sql_id(value):
    """A row id as the servers read one: ASCII digits (spaces around them aside) that a
    SQL integer holds; None for any other value, which names no row."""
    text = "" if value is None else str(value).strip()
    return sql_integer(text) if text.isascii() and text.isdigit() else None


def parse_json(text):
    """A JSON body as the vendors' parsers (PHP's json_decode, Perl's JSON::XS) read it:
    None when it is no JSON, or when it holds a lone UTF-16 surrogate (``"\\ud800"``),
    which they refuse and Python would let through to SQLite."""
    text = text or "null"
    try:
        data = json.loads(text)
        # A surrogate is spelled \ud800 or written as it is (not ASCII): a plain
        # ASCII body without escapes, the rule, needs no second look.
        if "\\u" in text or not text.isascii():
            json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        return None
    return data


class Store:
    """SQLite state that survives a restart; one lock, so requests see whole writes."""

    def __init__(self, path, schema, seed):
        self.path = path
        self.schema = schema
        self.seed = seed
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        # The file is this process's alone while it runs: SQLite then takes its lock
        # once and keeps its page cache, where it would otherwise lock, unlock and
        # check the file again around every statement (a dozen system calls and a
        # third of a lookup's time: 20 of 28 us for a customer by id).
        self.conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        # A restart must find every answered write, a power cut need not: a commit
        # goes to the write-ahead log beside the file (FILE-wal, copied into the file
        # from time to time and when the store closes), not synced, which a process
        # that stops or is killed leaves whole. The rollback journal cost a file
        # created, synced twice and deleted per write, under the store's one lock
        # (0.38 ms of a 2-core machine's disk and 0.18 ms of CPU, against 0.01 ms).
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        # (sql, args) of every query while a test traces them (see traced()).
        self.issued = None
        # Resets so far: dropping the tables moves no change count (see changes()).
        self.resets = 0
        with self.lock:
            fresh = not self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table'"
            ).fetchall()
            # A file written under another schema (an older emulator: no indexes
            # its queries need) starts over from the seed data.
            stale = self.conn.execute("PRAGMA user_version").fetchone()[0] != self.version()
            if fresh or stale:
                self.reset()

    def version(self):
        """The schema's fingerprint, kept in the file's ``user_version``."""
        return zlib.crc32(self.schema.encode()) & 0x7FFFFFFF or 1

    def reset(self):
        with self.lock:
            # Full-text tables first: dropping one drops its shadow tables.
            tables = [
                row[0]
                for row in self.conn.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY sql LIKE 'CREATE VIRTUAL%' DESC"
                )
            ]
            self.resets += 1
            for table in tables:
                self.conn.execute('DROP TABLE IF EXISTS "%s"' % table)
            self.conn.executescript(self.schema)
            self.conn.execute("PRAGMA user_version = %d" % self.version())
            with self.transaction() as db:
                self.seed(db)
            self.empty_log()

    def empty_log(self):
        """Copy the write-ahead log into the file and empty it: after a large write
        (seeding 200,000 records), not to keep a log of its size beside the file."""
        with self.lock:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def transaction(self):
        return _Transaction(self)

    def query(self, sql, args=()):
        with self.lock:
            if self.issued is not None:
                self.issued.append((sql, tuple(args)))
            return [dict(row) for row in self.conn.execute(sql, args).fetchall()]

    def changes(self):
        """Rows written through this connection so far, and the resets: equal twice,
        nothing changed between (a reset that seeds nothing writes no row)."""
        with self.lock:
            return self.resets, self.conn.total_changes

    @contextlib.contextmanager
    def traced(self):
        """``with store.traced() as issued:`` — the (sql, args) of every query meanwhile."""
        with self.lock:
            self.issued = []
        try:
            yield self.issued
        finally:
            with self.lock:
                self.issued = None

    def one(self, sql, args=()):
        rows = self.query(sql, args)
        return rows[0] if rows else None


class _Transaction:
    """``with store.transaction() as db:`` — a write that commits whole, and is marked.

    The mark tells the fault layer that this request committed a write, so a
    ``drop_writes`` fault cuts the answer only after the state changed.
    """

    def __init__(self, store):
        self.store = store

    def __enter__(self):
        self.store.lock.acquire()
        self.store.conn.execute("BEGIN")
        return self.store.conn

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.store.conn.execute("COMMIT")
                try:
                    g.committed = True
                except RuntimeError:  # outside a request (seeding)
                    pass
            else:
                self.store.conn.execute("ROLLBACK")
        finally:
            self.store.lock.release()
        return False


class Faults:
    def __init__(self, latency_ms=0, fail_percent=0, fail_status=503, drop_writes=0, only="",
                 echo=0, retry_after=1, down_after_writes=0):
        self.lock = threading.Lock()
        self.settings = {}
        self.down = False
        # Called after every update: the emulator's settings_changed, once it has one.
        self.changed = None
        self.update(
            dict(
                latency_ms=latency_ms,
                fail_percent=fail_percent,
                fail_status=fail_status,
                drop_writes=drop_writes,
                only=only,
                echo=echo,
                retry_after=retry_after,
                down_after_writes=down_after_writes,
            )
        )

    def update(self, settings):
        with self.lock:
            for key in ("latency_ms", "fail_percent", "fail_status", "drop_writes", "echo",
                        "retry_after", "down_after_writes"):
                if key in settings:
                    self.settings[key] = int(settings[key])
            if "down_after_writes" in settings:
                self.down = False
            if "only" in settings:
                self.settings["only"] = str(settings["only"] or "")
        if self.changed is not None:
            self.changed()

    def applies(self, endpoint):
        return self.settings["only"] in endpoint

    def count_write(self, endpoint):
        """A write committed: the backend goes down after the last one it may take."""
        with self.lock:
            if self.settings["down_after_writes"] > 0 and self.applies(endpoint):
                self.settings["down_after_writes"] -= 1
                self.down = self.settings["down_after_writes"] == 0

    def take_drop(self, endpoint):
        with self.lock:
            if self.settings["drop_writes"] > 0 and self.applies(endpoint):
                self.settings["drop_writes"] -= 1
                return True
            return False


class Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.counts = {"reads": {}, "writes": {}}

    def count(self, kind, endpoint):
        with self.lock:
            bucket = self.counts[kind + "s"]
            bucket[endpoint] = bucket.get(endpoint, 0) + 1

    def snapshot(self):
        with self.lock:
            snapshot = json.loads(json.dumps(self.counts))
        snapshot["total_reads"] = sum(snapshot["reads"].values())
        snapshot["total_writes"] = sum(snapshot["writes"].values())
        return snapshot


class ServiceTimes:
    """Per endpoint, how long each answer took (wall and the serving thread's CPU)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.cpu_start = time.process_time()
            # endpoint -> (wall seconds, CPU seconds) of each answer, compact arrays
            self.samples = {}

    def record(self, endpoint, wall, cpu):
        with self.lock:
            walls, cpus = self.samples.setdefault(endpoint, (array.array("d"), array.array("d")))
            walls.append(wall)
            cpus.append(cpu)

    def snapshot(self):
        with self.lock:
            samples = {name: (list(walls), list(cpus))
                       for name, (walls, cpus) in self.samples.items()}
            cpu = time.process_time() - self.cpu_start
        endpoints = {
            name: {
                "requests": len(walls),
                "total_ms": round(sum(walls) * 1000, 3),
                "median_ms": round(statistics.median(walls) * 1000, 3),
                "cpu_ms": round(sum(cpus) * 1000, 3),
            }
            for name, (walls, cpus) in sorted(samples.items())
        }
        return {"cpu_seconds": round(cpu, 3), "endpoints": endpoints}


class Emulator:
    """Base of every backend emulator.

    Subclasses set ``name``, ``base_path`` (the folder the module's ``url``
    names), ``schema`` (SQL) and ``options`` (launcher options), implement
    ``seed(db)``, ``generate(db, count, prefix, start)`` and ``routes()``, and
    may extend ``config``.
    """

    name = "base"
    base_path = "/"
    schema = ""
    # (flag, argparse keyword arguments): backend options of the launcher
    options = ()
    # Instances the test harness starts: instance name -> config. Integration
    # targets see ``<instance>_url`` (what a module's ``url`` takes) and
    # ``<instance>_emulator`` (the root, for /_emulator/ calls).
    harness = {}
    # The demo's fixed loopback port and config (playbooks/ names this port).
    demo = {}
    # What generated records are named after unless a seed names a prefix.
    seed_prefix = "SEED"

    def __init__(self, db_path, faults=None, seed_records=0, seed_prefix=None, **config):
        self.app = Flask("emulator-" + self.name)
        self.app.json.sort_keys = False
        self.config = self.default_config()
        self.config.update((k, v) for k, v in config.items() if v is not None)
        # Generated records every fresh or reset database starts with.
        self.seeded = (int(seed_records or 0), seed_prefix or self.seed_prefix)
        self.store = Store(db_path, self.schema, self._seed_state)
        self.faults = Faults(**(faults or {}))
        self.faults.changed = self.settings_changed
        self.counters = Counters()
        self.times = ServiceTimes()
        self.random = random.Random(7)
        self._kinds = {}
        # Called with sleeps() whenever the faults or the config are set (watch_sleeps).
        self._sleep_watchers = []
        # The request each serving thread answers (see the ``request`` property).
        self._serving = threading.local()
        self.fast = FastPath(self, self.app.wsgi_app)
        self.app.wsgi_app = self.fast
        # Registered first, so that the clock runs through every other hook.
        self.app.before_request(self._start_clock)
        self.app.before_request(self._before)
        self.app.after_request(self._after)
        self._control_routes()
        self.routes()

    # --- for subclasses -------------------------------------------------------
    def default_config(self):
        return {}

    def seed(self, db):
        pass

    def generate(self, db, count, prefix, start):
        """Insert ``count`` valid records numbered ``start``, ``start + 1``, ... named
        after ``prefix``, in as few statements as SQLite takes them (200,000 in
        seconds); ValueError for a prefix the records cannot carry."""
        raise NotImplementedError

    def routes(self):
        raise NotImplementedError

    def _seed_state(self, db):
        self.seed(db)
        count, prefix = self.seeded
        if count:
            self.generate(db, count, prefix, 1)

    def seed_records(self, count, prefix=None, start=1):
        """Add ``count`` generated records in one transaction; nothing when one clashes."""
        with self.store.transaction() as db:
            self.generate(db, int(count), prefix or self.seed_prefix, int(start))
        self.store.empty_log()

    def route(self, rule, kind, methods=("POST",), counter=None, fast=()):
        """Register a view; ``kind`` is ``read`` or ``write`` (what the counters count).
        The ``fast`` methods of a read whose view reads the request as ``self.request``
        (and no other Flask global) are served by :mod:`tests.emulators.fastpath`."""

        def register(view):
            endpoint = "%s %s" % ("|".join(methods), rule)
            self._kinds[endpoint] = (kind, counter or rule)
            self.app.add_url_rule(rule, endpoint, view, methods=list(methods))
            self.fast.add(fast, rule, view, endpoint)
            return view

        return register

    # --- the shared layer ------------------------------------------------------
    @property
    def request(self):
        """The request this thread answers, whether Flask or the fast path serves it."""
        return self._serving.request

    def serve(self, request_object):
        """Make ``request_object`` the request this thread answers; return it."""
        self._serving.request = request_object
        return request_object

    def _start_clock(self):
        g.clock = (time.perf_counter(), time.thread_time())
        self.serve(request._get_current_object())

    def classify(self, request_object, endpoint):
        """(kind, counter) that a request of ``endpoint`` is counted as; None: not counted."""
        if request_object.path.startswith(CONTROL_PREFIX) or endpoint not in self._kinds:
            return None
        return self._kinds[endpoint]

    def _before(self):
        counted = self.classify(request, request.endpoint)
        return None if counted is None else self._admit_flask(*counted)

    def _admit_flask(self, kind, counter):
        """:meth:`admit` a request Flask serves, noting for ``_after`` what it counted."""
        g.kind, g.counter = kind, counter
        return self.admit(kind, counter)

    def admit(self, kind, counter):
        """Count a request as a ``kind`` (read or write) of ``counter``, then inject the
        faults: the latency, and the failure to answer instead (None: it goes on)."""
        self.counters.count(kind, counter)
        settings = self.faults.settings
        if settings["latency_ms"]:
            time.sleep(settings["latency_ms"] / 1000.0)
        if self.faults.down:
            return self._failure(settings)
        if (
            settings["fail_percent"]
            and self.faults.applies(counter)
            and self.random.uniform(0, 100) < settings["fail_percent"]
        ):
            return self._failure(settings)
        return None

    def _failure(self, settings):
        status = settings["fail_status"]
        if settings["echo"]:
            failure = self._echo(status)
        else:
            failure = Response("emulated failure", status=status, mimetype="text/plain")
        if status == 429:
            # Too Many Requests says when to come back (RFC 6585), as rate limiters do;
            # a small default keeps the tests that inject it fast.
            failure.headers["Retry-After"] = str(settings["retry_after"])
        return failure

    def _echo(self, status):
        """A failure that repeats the request - its headers (the token with them)
        and its body as sent, escaped - as debugging servers and proxies do."""
        asked = self.request
        said = "%s %s %s %s" % (
            asked.method, asked.full_path, asked.get_data(as_text=True),
            " ".join("%s: %s" % header for header in asked.headers.items()))
        return Response(json.dumps({"message": said, "error": said}), status=status,
                        mimetype="application/json")

    def _after(self, response):
        if g.get("kind") == "write" and g.get("committed"):
            self.faults.count_write(g.counter)
            if self.faults.take_drop(g.counter):
                response = self._broken_answer(response)
        if g.get("counter") and g.get("clock"):
            started, cpu = g.clock
            self.times.record(g.counter, time.perf_counter() - started, time.thread_time() - cpu)
        return response

    @staticmethod
    def _broken_answer(response):
        """Promise a longer body than is sent: the server closes mid-answer."""

        def first_byte():
            yield b"{"

        broken = Response(first_byte(), status=response.status_code, mimetype="application/json")
        broken.headers["Content-Length"] = "4096"
        return broken

    def _control_routes(self):
        app = self.app

        @app.route(CONTROL_PREFIX + "health")
        def health():
            return jsonify(backend=self.name, base_path=self.base_path)

        @app.route(CONTROL_PREFIX + "counters", methods=["GET", "DELETE"])
        def counters():
            if request.method == "DELETE":
                self.counters.reset()
                self.times.reset()
            return jsonify(self.counters.snapshot())

        @app.route(CONTROL_PREFIX + "stats", methods=["GET", "DELETE"])
        def stats():
            if request.method == "DELETE":
                self.times.reset()
            return jsonify(self.times.snapshot())

        @app.route(CONTROL_PREFIX + "seed", methods=["POST"])
        def seed():
            body = request.get_json(force=True, silent=True) or {}
            try:
                count, start = int(body.get("count", 0)), int(body.get("start", 1))
            except (TypeError, ValueError):
                count = start = -1
            if count < 0 or start < 1:
                return jsonify(error="count must be a number >= 0, start >= 1"), 400
            prefix = str(body["prefix"]) if body.get("prefix") else None
            started = time.perf_counter()
            try:
                self.seed_records(count, prefix, start)
            except sqlite3.IntegrityError as exc:
                return jsonify(error="a generated record clashes with a stored one: %s" % exc), 409
            except ValueError as exc:  # a prefix the records cannot carry
                return jsonify(error=str(exc)), 400
            return jsonify(seeded=count, seconds=round(time.perf_counter() - started, 3))

        @app.route(CONTROL_PREFIX + "faults", methods=["GET", "PUT"])
        def faults():
            if request.method == "PUT":
                self.faults.update(request.get_json(force=True) or {})
            return jsonify(self.faults.settings)

        @app.route(CONTROL_PREFIX + "config", methods=["GET", "PUT"])
        def config():
            if request.method == "PUT":
                self.configure(request.get_json(force=True) or {})
            return jsonify(self.config)

        @app.route(CONTROL_PREFIX + "reset", methods=["POST"])
        def reset():
            self.store.reset()
            self.counters.reset()
            self.times.reset()
            return jsonify(reset=True)

    def configure(self, changes):
        """Apply run-time config; subclasses may act on a key (``expire_tokens``)."""
        for key, value in changes.items():
            if key in self.config:
                self.config[key] = type(self.config[key])(value)
        self.settings_changed()

    def settings_changed(self):
        """The faults or the config were set: tell each watcher whether answering sleeps."""
        for watcher in self._sleep_watchers:
            watcher(self.sleeps())

    def sleeps(self):
        """Whether answering sleeps: an injected latency, or (a subclass's config) a
        backend's own slow writes - the server then serves more requests at once."""
        return self.faults.settings["latency_ms"] > 0

    def watch_sleeps(self, watcher):
        """Call ``watcher(sleeps())`` now and whenever the faults or the config are set."""
        self._sleep_watchers.append(watcher)
        watcher(self.sleeps())
