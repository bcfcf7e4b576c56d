"""What every backend emulator shares: a Flask app, SQLite state, counters, faults.

An emulator subclasses :class:`Emulator`, declares its SQLite schema, its
seed data and its routes (each marked ``read`` or ``write``), and answers
exactly as the vendor's server does (``CONTRACTS.md`` of the project's
design). The shared part adds what a test needs on top, under
``/_emulator/`` (never counted, never faulted):

* ``GET /_emulator/counters`` — reads and writes per endpoint since the last
  reset; ``DELETE /_emulator/counters`` resets them.
* ``GET|PUT /_emulator/faults`` — added latency, a failing percentage with a
  chosen status, and ``drop_writes``: the number of coming writes whose answer
  is cut off *after* the write was committed (the client sees the connection
  break mid-answer). ``only`` limits failures and drops to endpoints whose
  name contains it.
* ``POST /_emulator/reset`` — back to the seed data.
* ``GET|PUT /_emulator/config`` — the backend's own run-time options.
"""

import json
import random
import sqlite3
import threading
import time

from flask import Flask, Response, g, jsonify, request

CONTROL_PREFIX = "/_emulator/"


class Store:
    """SQLite state that survives a restart; one lock, so requests see whole writes."""

    def __init__(self, path, schema, seed):
        self.path = path
        self.schema = schema
        self.seed = seed
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        with self.lock:
            fresh = not self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table'"
            ).fetchall()
            if fresh:
                self.reset()

    def reset(self):
        with self.lock:
            tables = [
                row[0]
                for row in self.conn.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            ]
            for table in tables:
                self.conn.execute('DROP TABLE "%s"' % table)
            self.conn.executescript(self.schema)
            with self.transaction() as db:
                self.seed(db)

    def transaction(self):
        return _Transaction(self)

    def query(self, sql, args=()):
        with self.lock:
            return [dict(row) for row in self.conn.execute(sql, args).fetchall()]

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
    def __init__(self, latency_ms=0, fail_percent=0, fail_status=503, drop_writes=0, only=""):
        self.lock = threading.Lock()
        self.settings = {}
        self.update(
            dict(
                latency_ms=latency_ms,
                fail_percent=fail_percent,
                fail_status=fail_status,
                drop_writes=drop_writes,
                only=only,
            )
        )

    def update(self, settings):
        with self.lock:
            for key in ("latency_ms", "fail_percent", "fail_status", "drop_writes"):
                if key in settings:
                    self.settings[key] = int(settings[key])
            if "only" in settings:
                self.settings["only"] = str(settings["only"] or "")

    def applies(self, endpoint):
        return self.settings["only"] in endpoint

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


class Emulator:
    """Base of every backend emulator.

    Subclasses set ``name``, ``base_path`` (the folder the module's ``url``
    names), ``schema`` (SQL) and ``options`` (launcher options), implement
    ``seed(db)`` and ``routes()``, and may extend ``config``.
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

    def __init__(self, db_path, faults=None, **config):
        self.app = Flask("emulator-" + self.name)
        self.app.json.sort_keys = False
        self.config = self.default_config()
        self.config.update((k, v) for k, v in config.items() if v is not None)
        self.store = Store(db_path, self.schema, self.seed)
        self.faults = Faults(**(faults or {}))
        self.counters = Counters()
        self.random = random.Random(7)
        self._kinds = {}
        self.app.before_request(self._before)
        self.app.after_request(self._after)
        self._control_routes()
        self.routes()

    # --- for subclasses -------------------------------------------------------
    def default_config(self):
        return {}

    def seed(self, db):
        pass

    def routes(self):
        raise NotImplementedError

    def route(self, rule, kind, methods=("POST",), counter=None):
        """Register a view; ``kind`` is ``read`` or ``write`` (what the counters count)."""

        def register(view):
            endpoint = "%s %s" % ("|".join(methods), rule)
            self._kinds[endpoint] = (kind, counter or rule)
            self.app.add_url_rule(rule, endpoint, view, methods=list(methods))
            return view

        return register

    # --- the shared layer ------------------------------------------------------
    def _before(self):
        if request.path.startswith(CONTROL_PREFIX) or request.endpoint not in self._kinds:
            return None
        kind, counter = self._kinds[request.endpoint]
        g.kind, g.counter = kind, counter
        self.counters.count(kind, counter)
        settings = self.faults.settings
        if settings["latency_ms"]:
            time.sleep(settings["latency_ms"] / 1000.0)
        if (
            settings["fail_percent"]
            and self.faults.applies(counter)
            and self.random.uniform(0, 100) < settings["fail_percent"]
        ):
            return Response(
                "emulated failure", status=settings["fail_status"], mimetype="text/plain"
            )
        return None

    def _after(self, response):
        if g.get("kind") == "write" and g.get("committed") and self.faults.take_drop(g.counter):
            return self._broken_answer(response)
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
            return jsonify(self.counters.snapshot())

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
            return jsonify(reset=True)

    def configure(self, changes):
        """Apply run-time config; subclasses may act on a key (``expire_tokens``)."""
        for key, value in changes.items():
            if key in self.config:
                self.config[key] = type(self.config[key])(value)
