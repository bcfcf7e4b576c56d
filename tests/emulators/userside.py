"""Emulator of the UserSide ERP API, category ``customer`` (seed 004, CONTRACTS §5).

Serves ``/api.php?key=KEY&cat=customer&action=<action>&<params>``; parameters
come from the query string or a form body alike (``subcat=`` is accepted for
``action=``). Answers as CONTRACTS §5 says:

* envelope ``{"Result": "OK", ...}`` / ``{"Result": "ERROR", "ErrorText": ...}``
  with a non-200 status on error; ``lowercase_envelope`` answers ``result``,
  ``data``, ``id``, ``error`` instead;
* ``add`` answers ``Id``; ``get_abon_id`` answers ``Id`` (an int for one
  match, a list for several); ``get_customers_id`` answers ``data`` = list of
  ids and refuses a call without a condition;
* ``get_data`` answers the read shape, which differs from the write shape
  (``full_name``, ``phone``/``email``/``agreement``/``address`` lists, DD.MM.YYYY
  dates, ``ip_mac`` map with integer IPs, ``group``/``mark`` maps, ``state_id``);
* current versions (3.21+) refuse a write sent with GET and read a customer's
  id from ``customer_id`` alone (``usercode`` left 3.17); ``pre_3_21`` is an
  older server: it accepts a write over GET, answers ``get_customers_id`` as
  ``list`` (a comma-separated string) and reads ``usercode`` too.

Where CONTRACTS says nothing, this emulator picks (and the client accepts
other plausible shapes too):

* errors: wrong key 403 ``Access denied``; GET write 405; unknown customer 404;
  any other refusal 400 — texts are in the code below;
* ``get_abon_id`` without a match answers ``Id`` 0; ``billing_uid`` and
  ``codeti`` both look up the add's ``codeti``; ``mail`` and ``login`` are
  exact, case-insensitive matches;
* ``get_data`` also answers ``manager_id`` and ``service`` (a map of
  additional services by id); ``tariff`` is ``{"current": {"<id>": {...}}}``;
  ``address`` has one entry of ``type`` ``"connect"`` once a house is set,
  ``entrance``/``floor`` 0 when unset; ``agreement`` date is null when unset;
  ``phone`` lists ``phone0`` (``flag_main`` 1) before ``phone1`` (0), leaving
  out empty ones; MACs come back lower-case with colons;
* a customer may hold more agreements and e-mails than the main ones that
  ``edit`` sets (tables ``customer_agreements`` and ``customer_emails``, which
  a test fills directly): ``get_data`` lists them after the main one
  (``flag_main`` 0) and ``get_abon_id`` finds the customer by any of them;
* integers are kept in SQL ``INT`` columns: a parameter that is no integer
  such a column holds (``house_id`` 10^30, ``1.5``, ``²``) is a 400
  ``Incorrect value of parameter <name>``, and so is a ``price`` that is no
  finite number;
* a new customer is active (``state_id`` 2); ``edit`` with a login another
  customer holds, ``tarif_change``/``mark_add``/``service_add`` with an
  unknown id, a second ``ip_add`` of a bound IP are refused (400);
  ``mark_add`` of a mark already set and ``mark_delete``/``service_remove``
  of one not set succeed.

Every lookup is indexed: each ``get_abon_id`` key (case-insensitive ones
with ``NOCASE`` indexes, the further agreements and e-mails too), each
``get_customers_id`` condition, a customer's marks, IPs, services,
agreements and e-mails by customer id; a ``name`` with ``is_like`` is
narrowed by the trigram index ``customer_names`` when it holds three
characters or more (:mod:`tests.emulators.fulltext`), a shorter one reads
every customer.

Seeded with tariffs, marks, groups, services and three customers that a
test must never touch (login ``seed-*``).

Generated records (``--seed-records N``, ``POST /_emulator/seed``): customer
``n`` has ``login`` ``<prefix lower-case>-<n, 6 digits>`` (``seed-000001``),
``full_name`` ``<prefix> Customer <n, 6 digits>``, ``agreement_number``
``<prefix>-<n, 6 digits>`` dated 2025-01-01, ``account_number``
``<prefix><n, 6 digits>``, ``email`` ``<login>@example.net``, ``phone0``
``+7`` + ``n`` in 10 digits, house 12, group 1, tariff 1, ``state_id`` 2,
created ``2025-01-01 00:00:00``; the prefix takes letters, digits and ``_``.
"""

import datetime
import ipaddress
import json
import math
import re
import time

from flask import Response

from tests.emulators.core import INT, Emulator, sql_integer
from tests.emulators.fulltext import bulk_insert, like_narrows, trigram_index

TARIFFS = [(1, "Home 100"), (2, "Home 500"), (3, "Business 1G")]
MARKS = [(1, "managed-by-ansible"), (2, "VIP"), (3, "debtor")]
GROUPS = [(1, "Residential"), (2, "Business"), (3, "Test")]
SERVICES = [(1, "Static IP"), (2, "IPTV"), (3, "Router rental")]
SEED_CUSTOMERS = [
    dict(login="seed-alice", full_name="Alice Seed", agreement_number="A-1",
         agreement_date="2020-01-15", house_id=10, group_id=1, tariff_id=1, state_id=2),
    dict(login="seed-bob", full_name="Bob Seed", agreement_number="A-2", house_id=10,
         group_id=2, tariff_id=2, state_id=1, flag_corporate=1),
    dict(login="seed-carol", full_name="Carol Seed", house_id=11, group_id=1, state_id=0),
]
SEED_MARKS = [(1, 2), (3, 3)]

SCHEMA = """
CREATE TABLE tariffs (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE mark_types (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE groups (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE service_types (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE customers (
    id INTEGER PRIMARY KEY AUTOINCREMENT, login TEXT NOT NULL DEFAULT '',
    full_name TEXT NOT NULL DEFAULT '', codeti TEXT NOT NULL DEFAULT '',
    billing_id INTEGER NOT NULL DEFAULT 0, is_potential INTEGER NOT NULL DEFAULT 0,
    flag_corporate INTEGER NOT NULL DEFAULT 0, agreement_number TEXT NOT NULL DEFAULT '',
    agreement_date TEXT, account_number TEXT NOT NULL DEFAULT '',
    phone0 TEXT NOT NULL DEFAULT '', phone1 TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '', house_id INTEGER NOT NULL DEFAULT 0,
    apartment TEXT NOT NULL DEFAULT '', entrance INTEGER NOT NULL DEFAULT 0,
    floor INTEGER NOT NULL DEFAULT 0, comment TEXT NOT NULL DEFAULT '',
    group_id INTEGER NOT NULL DEFAULT 0, manager_id INTEGER NOT NULL DEFAULT 0,
    state_id INTEGER NOT NULL DEFAULT 2, tariff_id INTEGER NOT NULL DEFAULT 0,
    balance REAL NOT NULL DEFAULT 0, date_create TEXT, date_connect TEXT);
CREATE TABLE customer_marks (customer_id INTEGER, mark_id INTEGER,
    PRIMARY KEY (customer_id, mark_id));
CREATE TABLE customer_ips (id INTEGER PRIMARY KEY AUTOINCREMENT, customer_id INTEGER,
    ip INTEGER NOT NULL DEFAULT 0, mac TEXT NOT NULL DEFAULT '');
CREATE TABLE customer_services (customer_id INTEGER, service_id INTEGER, price REAL,
    comment TEXT NOT NULL DEFAULT '', PRIMARY KEY (customer_id, service_id));
CREATE TABLE customer_agreements (customer_id INTEGER, number TEXT, date TEXT);
CREATE TABLE customer_emails (customer_id INTEGER, address TEXT);
CREATE INDEX customers_login ON customers (login COLLATE NOCASE);
CREATE INDEX customers_codeti ON customers (codeti COLLATE NOCASE);
CREATE INDEX customers_agreement ON customers (agreement_number COLLATE NOCASE);
CREATE INDEX customers_account_nocase ON customers (account_number COLLATE NOCASE);
CREATE INDEX customers_account ON customers (account_number, billing_id);
CREATE INDEX customers_email ON customers (email COLLATE NOCASE);
CREATE INDEX customers_phone0 ON customers (phone0);
CREATE INDEX customers_phone1 ON customers (phone1);
CREATE INDEX customers_full_name ON customers (full_name);
CREATE INDEX customers_house ON customers (house_id);
CREATE INDEX customers_billing ON customers (billing_id);
CREATE INDEX customers_state ON customers (state_id);
CREATE INDEX customers_tariff ON customers (tariff_id);
CREATE INDEX customers_corporate ON customers (flag_corporate);
CREATE INDEX customers_apartment ON customers (apartment);
CREATE INDEX customer_marks_mark ON customer_marks (mark_id);
CREATE INDEX customer_ips_customer ON customer_ips (customer_id);
CREATE INDEX customer_ips_ip ON customer_ips (ip);
CREATE INDEX customer_ips_mac ON customer_ips (mac);
CREATE INDEX customer_agreements_customer ON customer_agreements (customer_id);
CREATE INDEX customer_agreements_number ON customer_agreements (number COLLATE NOCASE);
CREATE INDEX customer_emails_customer ON customer_emails (customer_id);
CREATE INDEX customer_emails_address ON customer_emails (address COLLATE NOCASE);
""" + trigram_index("customer_names", "customers", ("full_name",))
PREFIX = re.compile(r"^\w+\Z", re.ASCII)
GENERATED_COLUMNS = ("login", "full_name", "agreement_number", "agreement_date", "account_number",
                     "email", "phone0", "house_id", "group_id", "tariff_id", "state_id",
                     "date_create")

WRITES = frozenset((
    "add", "edit", "delete", "state_change", "tarif_change", "mark_add", "mark_delete",
    "ip_add", "ip_delete", "service_add", "service_remove",
))
READS = frozenset(("get_data", "get_customers_id", "get_abon_id", "get_customer_group"))
# edit parameter -> column; every other edit parameter of the seed is accepted and ignored
EDIT_COLUMNS = {
    "name": "full_name", "login": "login", "account_number": "account_number",
    "agreement_number": "agreement_number", "apartment_number": "apartment",
    "comment": "comment", "email": "email", "phone0": "phone0", "phone1": "phone1",
}
EDIT_INTEGERS = {
    "entrance": "entrance", "floor": "floor", "group_id": "group_id", "house_id": "house_id",
    "manager_id": "manager_id", "flag_corporate": "flag_corporate",
    "is_potential": "is_potential",
}
ABON_ID_COLUMNS = {
    "account": "account_number", "billing_uid": "codeti", "codeti": "codeti",
    "dognumber": "agreement_number", "login": "login", "mail": "email",
}
# main column -> (table, column) of a customer's further values
SECONDARY = {
    "agreement_number": ("customer_agreements", "number"),
    "email": ("customer_emails", "address"),
}
# What get_data reads of a customer beside its row, in one statement (a statement
# costs more than its few rows here): (part, sort, a, b, source), each part's rows
# in the order of its ``sort``.
SIDE_PARTS = (
    ("mark", "m.id", "m.name", "NULL",
     "customer_marks c JOIN mark_types m ON m.id = c.mark_id WHERE c.customer_id = ?"),
    ("ip", "id", "ip", "mac", "customer_ips WHERE customer_id = ?"),
    ("service", "service_id", "price", "comment", "customer_services WHERE customer_id = ?"),
    ("email", "rowid", "address", "NULL", "customer_emails WHERE customer_id = ?"),
    ("agreement", "rowid", "number", "date", "customer_agreements WHERE customer_id = ?"),
)
SIDE_ROWS = " UNION ALL ".join(
    "SELECT '%s' AS part, %s AS sort, %s AS a, %s AS b FROM %s" % part for part in SIDE_PARTS
) + " ORDER BY part, sort"
CONDITIONS = {
    "house_id": "house_id", "billing_id": "billing_id", "state_id": "state_id",
    "tariff_id": "tariff_id", "is_corporate": "flag_corporate", "appartment": "apartment",
}


class Refused(Exception):
    def __init__(self, status, text):
        super().__init__(text)
        self.status = status
        self.text = text


def ip_to_int(text):
    try:
        return int(ipaddress.IPv4Address(str(text).strip()))
    except ValueError:
        raise Refused(400, "Incorrect IP address")


def mac_digits(text):
    digits = re.sub(r"[^0-9a-fA-F]", "", str(text or "")).lower()
    if digits and len(digits) != 12:
        raise Refused(400, "Incorrect MAC address")
    return digits


def iso_date(text):
    """Dates are accepted as YYYY-MM-DD or DD.MM.YYYY; stored ISO; '' clears."""
    text = str(text).strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    raise Refused(400, "Incorrect date format")


def named(row_id, name):
    """A group or tariff as get_data answers it, ``{"<id>": {"id": id, "name": name}}``;
    {} for none (``row_id`` None: no row has the customer's id)."""
    return {} if row_id is None else {str(row_id): {"id": row_id, "name": name}}


def ru_date(iso):
    return datetime.date.fromisoformat(iso).strftime("%d.%m.%Y") if iso else None


def as_int(value, name):
    """An integer parameter as the API reads it (blank is 0), if an INT column holds it."""
    number = sql_integer(str(value).strip() or "0", INT)
    if number is None:
        raise Refused(400, "Incorrect value of parameter %s" % name)
    return number


def as_price(value):
    """A price: a finite number (none: blank)."""
    if not value:
        return None
    try:
        price = float(value)
    except ValueError:
        price = math.nan
    if not math.isfinite(price):
        raise Refused(400, "Incorrect value of parameter price")
    return price


class UsersideEmulator(Emulator):
    name = "userside"
    base_path = "/"
    schema = SCHEMA
    options = (
        ("--key", dict(default=None, help="the API key (default: userside-test-key)")),
        ("--lowercase-envelope", dict(action="store_true", default=None,
                                      help="answer result/data/id/error as newer installs")),
        ("--pre-3-21", dict(action="store_true", default=None,
                            help="behave as before 3.21: writes over GET accepted")),
    )
    harness = {
        "userside": {},
        "userside_lower": {"lowercase_envelope": True},
        "userside_legacy": {"pre_3_21": True},
    }
    demo = {"port": 18085, "config": {}}

    def default_config(self):
        return dict(key="userside-test-key", lowercase_envelope=False, pre_3_21=False)

    def seed(self, db):
        db.executemany("INSERT INTO tariffs VALUES (?, ?)", TARIFFS)
        db.executemany("INSERT INTO mark_types VALUES (?, ?)", MARKS)
        db.executemany("INSERT INTO groups VALUES (?, ?)", GROUPS)
        db.executemany("INSERT INTO service_types VALUES (?, ?)", SERVICES)
        for customer in SEED_CUSTOMERS:
            columns = sorted(customer)
            db.execute(
                "INSERT INTO customers (%s, date_create) VALUES (%s, '2020-01-01 10:00:00')"
                % (", ".join(columns), ", ".join("?" * len(columns))),
                [customer[c] for c in columns],
            )
        db.executemany("INSERT INTO customer_marks VALUES (?, ?)", SEED_MARKS)

    def generate(self, db, count, prefix, start):
        if not PREFIX.match(prefix):
            raise ValueError("a UserSide seed prefix takes letters, digits and _ only: %r"
                             % prefix)
        lower = prefix.lower()
        bulk_insert(db, "customers", GENERATED_COLUMNS, (
            ("%s-%06d" % (lower, n), "%s Customer %06d" % (prefix, n), "%s-%06d" % (prefix, n),
             "2025-01-01", "%s%06d" % (prefix, n), "%s-%06d@example.net" % (lower, n),
             "+7%010d" % n, 12, 1, 1, 2, "2025-01-01 00:00:00")
            for n in range(start, start + count)), indexes=("customer_names",))

    # --- counting and faults per action ------------------------------------------
    def classify(self, request_object, endpoint):
        """As the base, but counted as ``customer.<action>`` (one URL serves them all)."""
        if request_object.path != "/api.php":
            return super().classify(request_object, endpoint)
        action = self.action_name()
        return "write" if action in WRITES else "read", "customer." + (action or "?")

    # --- wire helpers --------------------------------------------------------------
    def param(self, name, default=None):
        value = self.request.values.get(name)
        return default if value is None else value

    def action_name(self):
        return self.param("action") or self.param("subcat") or ""

    def envelope(self, status, **fields):
        """fields use the upper-case names; the lower-case mode renames them."""
        if self.config["lowercase_envelope"]:
            fields = {k.lower(): v for k, v in fields.items()}
            fields = {"error" if k == "errortext" else k: v for k, v in fields.items()}
        return Response(json.dumps(fields), status=status, mimetype="application/json")

    def ok(self, **fields):
        return self.envelope(200, Result="OK", **fields)

    def customer_id(self):
        """The id of the customer the request names, which exists (else 404)."""
        row = self.store.one("SELECT id FROM customers WHERE id = ?", (self.named_id(),))
        if row is None:
            raise Refused(404, "Customer not found")
        return row["id"]

    def named_id(self):
        """The customer id the request names, whether a customer has it or not."""
        value = self.param("customer_id")
        if not value and self.config["pre_3_21"]:
            value = self.param("usercode")  # what versions up to 3.16 read
        if not value:
            raise Refused(400, "Parameter customer_id is required")
        return as_int(value, "customer_id")

    def required(self, name):
        value = self.param(name)
        if value is None or value == "":
            raise Refused(400, "Parameter %s is required" % name)
        return value

    # --- dispatch ------------------------------------------------------------------
    def routes(self):
        # Reads come with GET: a POST (its values read with its form) goes through Flask.
        self.route("/api.php", "read", ("GET", "POST"), fast=("GET",))(self.api)

    def api(self):
        try:
            if self.param("key") != self.config["key"]:
                raise Refused(403, "Access denied")
            if self.param("cat") != "customer":
                raise Refused(400, "Unknown category")
            action = self.action_name()
            if action not in WRITES and action not in READS:
                raise Refused(400, "Unknown action")
            if action in WRITES and self.request.method == "GET" and not self.config["pre_3_21"]:
                raise Refused(405, "Write actions must be sent with the POST method")
            return getattr(self, "do_" + action)()
        except Refused as refused:
            return self.envelope(refused.status, Result="ERROR", ErrorText=refused.text)

    # --- reads ---------------------------------------------------------------------
    def do_get_customer_group(self):
        rows = self.store.query("SELECT id, name FROM groups ORDER BY id")
        return self.ok(Data={str(row["id"]): row for row in rows})

    def do_get_abon_id(self):
        typer = self.required("data_typer")
        value = self.required("data_value").strip()
        if typer in ABON_ID_COLUMNS:
            sql = ("SELECT id FROM customers WHERE %s = ? COLLATE NOCASE AND %s != ''"
                   % (ABON_ID_COLUMNS[typer], ABON_ID_COLUMNS[typer]))
            args = [value]
            extra = SECONDARY.get(ABON_ID_COLUMNS[typer])
            if extra:
                sql += (" UNION SELECT customer_id AS id FROM %s WHERE %s = ? COLLATE NOCASE"
                        % extra)
                args.append(value)
            rows = self.store.query(sql + " ORDER BY id", args)
        elif typer == "phone":
            rows = self.store.query(
                "SELECT id FROM customers WHERE (phone0 = ? OR phone1 = ?) AND ? != '' "
                "ORDER BY id", (value, value, value))
        elif typer == "ip":
            rows = self.store.query("SELECT DISTINCT customer_id AS id FROM customer_ips "
                                    "WHERE ip = ? ORDER BY customer_id", (ip_to_int(value),))
        elif typer == "mac":
            rows = self.store.query("SELECT DISTINCT customer_id AS id FROM customer_ips "
                                    "WHERE mac = ? ORDER BY customer_id", (mac_digits(value),))
        else:
            raise Refused(400, "Incorrect value of parameter data_typer")
        ids = [row["id"] for row in rows]
        return self.ok(Id=0 if not ids else ids[0] if len(ids) == 1 else ids)

    def do_get_customers_id(self):
        where, args = [], []
        for name, column in CONDITIONS.items():
            if self.param(name) not in (None, ""):
                where.append("%s = ?" % column)
                args.append(self.param(name) if column == "apartment"
                            else as_int(self.param(name), name))
        if self.param("mark_id") not in (None, ""):
            where.append("id IN (SELECT customer_id FROM customer_marks WHERE mark_id = ?)")
            args.append(as_int(self.param("mark_id"), "mark_id"))
        if self.param("name") not in (None, ""):
            if self.param("is_like") in ("1", "true"):
                pattern = "%" + self.param("name") + "%"
                where.append("full_name LIKE ?")
                args.append(pattern)
                if like_narrows(pattern):
                    where.append("id IN (SELECT rowid FROM customer_names "
                                 "WHERE full_name LIKE ?)")
                    args.append(pattern)
            else:
                where.append("full_name = ?")
                args.append(self.param("name"))
        if not where:
            raise Refused(400, "At least one condition must be specified")
        sql = "SELECT id FROM customers WHERE %s ORDER BY id" % " AND ".join(where)
        if self.param("limit") not in (None, ""):
            sql += " LIMIT %d" % as_int(self.param("limit"), "limit")
        ids = [row["id"] for row in self.store.query(sql, args)]
        if self.config["pre_3_21"]:
            return self.ok(list=",".join(str(i) for i in ids))
        return self.ok(data=ids)

    def do_get_data(self):
        if self.param("customer_id") or self.config["pre_3_21"] and self.param("usercode"):
            customer = self.named_id()  # read_shape finds the customer, or answers 404
        else:
            row = self.store.one(
                "SELECT id FROM customers WHERE account_number = ? AND account_number != '' "
                "AND billing_id = ?", (self.required("account_number"),
                                       as_int(self.required("billing_id"), "billing_id")))
            if row is None:
                raise Refused(404, "Customer not found")
            customer = row["id"]
        return self.ok(Data=self.read_shape(customer))

    def read_shape(self, customer):
        # The customer with its group's and tariff's names, in one read.
        row = self.store.one(
            "SELECT c.*, g.id AS group_row, g.name AS group_name, t.id AS tariff_row, "
            "t.name AS tariff_name FROM customers c "
            "LEFT JOIN groups g ON g.id = c.group_id LEFT JOIN tariffs t ON t.id = c.tariff_id "
            "WHERE c.id = ?", (customer,))
        if row is None:
            raise Refused(404, "Customer not found")
        side = {part[0]: [] for part in SIDE_PARTS}
        for found in self.store.query(SIDE_ROWS, (customer,) * len(SIDE_PARTS)):
            side[found["part"]].append(found)
        marks = [dict(id=mark["sort"], name=mark["a"]) for mark in side["mark"]]
        services = [dict(id=service["sort"], price=service["a"], comment=service["b"])
                    for service in side["service"]]
        group = named(row["group_row"], row["group_name"])
        tariff = named(row["tariff_row"], row["tariff_name"])
        phones = [dict(number=row[column], flag_main=main)
                  for column, main in (("phone0", 1), ("phone1", 0)) if row[column]]
        emails = [dict(address=row["email"], flag_main=1)] if row["email"] else []
        emails += [dict(address=extra["a"], flag_main=0) for extra in side["email"]]
        agreements = []
        if row["agreement_number"] or row["agreement_date"]:
            agreements.append(dict(number=row["agreement_number"],
                                   date=ru_date(row["agreement_date"]), flag_main=1))
        agreements += [dict(number=extra["a"], date=ru_date(extra["b"]), flag_main=0)
                       for extra in side["agreement"]]
        addresses = []
        if row["house_id"]:
            addresses.append(dict(type="connect", house_id=row["house_id"],
                                  apartment=dict(number=row["apartment"]),
                                  entrance=row["entrance"], floor=row["floor"]))
        return {
            "id": row["id"],
            "login": row["login"],
            "full_name": row["full_name"],
            "flag_corporate": row["flag_corporate"],
            "is_potential": row["is_potential"],
            "balance": row["balance"],
            "state_id": row["state_id"],
            "date_create": row["date_create"],
            "date_connect": row["date_connect"],
            "account_number": row["account_number"],
            "comment": row["comment"],
            "billing_id": row["billing_id"],
            "manager_id": row["manager_id"],
            "phone": phones,
            "email": emails,
            "agreement": agreements,
            "address": addresses,
            "group": group,
            "mark": {str(mark["id"]): mark for mark in marks},
            "tariff": {"current": tariff, "new": {}},
            "ip_mac": dict(
                (str(ip["sort"]), dict(ip=ip["a"], mac=":".join(
                    ip["b"][i:i + 2] for i in range(0, len(ip["b"]), 2))))
                for ip in side["ip"]),
            "service": {str(s["id"]): s for s in services},
        }

    # --- writes --------------------------------------------------------------------
    def do_add(self):
        values = dict(
            full_name=self.param("fio", ""),
            codeti=self.param("codeti", ""),
            is_potential=as_int(self.param("is_potential", 0), "is_potential"),
            flag_corporate=as_int(self.param("is_corporate", 0), "is_corporate"),
            billing_id=as_int(self.param("billing_id", 0), "billing_id"),
            date_create=time.strftime("%Y-%m-%d %H:%M:%S"),
        )
        with self.store.transaction() as db:
            cursor = db.execute(
                "INSERT INTO customers (full_name, codeti, is_potential, flag_corporate, "
                "billing_id, date_create) VALUES (:full_name, :codeti, :is_potential, "
                ":flag_corporate, :billing_id, :date_create)", values)
            new_id = cursor.lastrowid
        return self.ok(Id=new_id)

    def do_edit(self):
        customer = as_int(self.required("id"), "id")
        if not self.store.one("SELECT id FROM customers WHERE id = ?", (customer,)):
            raise Refused(404, "Customer not found")
        values = {}
        for name, column in EDIT_COLUMNS.items():
            if self.param(name) is not None:
                values[column] = self.param(name).strip()
        for name, column in EDIT_INTEGERS.items():
            if self.param(name) is not None:
                values[column] = as_int(self.param(name), name)
        if self.param("agreement_date") is not None:
            values["agreement_date"] = iso_date(self.param("agreement_date"))
        if self.param("date_connect") is not None:
            values["date_connect"] = iso_date(self.param("date_connect"))
        # The login's check and the write at once (the store's lock is reentrant):
        # two edits giving one login to two customers at the same time must not
        # both pass the check, or the login would be held twice.
        with self.store.lock:
            if values.get("login") and self.store.one(
                "SELECT id FROM customers WHERE login = ? COLLATE NOCASE AND id != ?",
                (values["login"], customer),
            ):
                raise Refused(400, "Login is already in use by another customer")
            if values.get("group_id") and not self.store.one(
                "SELECT id FROM groups WHERE id = ?", (values["group_id"],)
            ):
                raise Refused(400, "Customer group not found")
            if values:
                with self.store.transaction() as db:
                    db.execute("UPDATE customers SET %s WHERE id = :target" % ", ".join(
                        "%s = :%s" % (column, column) for column in values),
                        dict(values, target=customer))
        return self.ok()

    def do_delete(self):
        customer = as_int(self.required("id"), "id")
        if not self.store.one("SELECT id FROM customers WHERE id = ?", (customer,)):
            raise Refused(404, "Customer not found")
        with self.store.transaction() as db:
            for table in ("customer_marks", "customer_ips", "customer_services",
                          "customer_agreements", "customer_emails"):
                db.execute("DELETE FROM %s WHERE customer_id = ?" % table, (customer,))
            db.execute("DELETE FROM customers WHERE id = ?", (customer,))
        return self.ok()

    def do_state_change(self):
        customer = self.customer_id()
        state = as_int(self.required("state_id"), "state_id")
        if state not in (0, 1, 2):
            raise Refused(400, "Incorrect value of parameter state_id")
        with self.store.transaction() as db:
            db.execute("UPDATE customers SET state_id = ? WHERE id = ?", (state, customer))
        return self.ok()

    def do_tarif_change(self):
        customer = self.customer_id()
        tariff = as_int(self.required("tarif"), "tarif")
        if not self.store.one("SELECT id FROM tariffs WHERE id = ?", (tariff,)):
            raise Refused(400, "Tariff not found")
        with self.store.transaction() as db:
            db.execute("UPDATE customers SET tariff_id = ? WHERE id = ?", (tariff, customer))
        return self.ok()

    def do_mark_add(self):
        customer = self.customer_id()
        mark = as_int(self.required("mark_id"), "mark_id")
        if not self.store.one("SELECT id FROM mark_types WHERE id = ?", (mark,)):
            raise Refused(400, "Mark not found")
        with self.store.transaction() as db:
            db.execute("INSERT OR IGNORE INTO customer_marks VALUES (?, ?)", (customer, mark))
        return self.ok()

    def do_mark_delete(self):
        customer = self.customer_id()
        mark = as_int(self.required("mark_id"), "mark_id")
        with self.store.transaction() as db:
            db.execute("DELETE FROM customer_marks WHERE customer_id = ? AND mark_id = ?",
                       (customer, mark))
        return self.ok()

    def do_ip_add(self):
        customer = self.customer_id()
        ip = ip_to_int(self.required("value"))
        mac = mac_digits(self.param("mac", ""))
        if self.store.one("SELECT id FROM customer_ips WHERE ip = ?", (ip,)):
            raise Refused(400, "IP address is already in use")
        with self.store.transaction() as db:
            db.execute("INSERT INTO customer_ips (customer_id, ip, mac) VALUES (?, ?, ?)",
                       (customer, ip, mac))
        return self.ok()

    def do_ip_delete(self):
        customer = self.customer_id()
        value = self.required("value").strip()
        with self.store.transaction() as db:
            if value == "all":
                db.execute("DELETE FROM customer_ips WHERE customer_id = ?", (customer,))
            elif value == "-1":
                db.execute("DELETE FROM customer_ips WHERE customer_id = ? AND ip = 0",
                           (customer,))
            else:
                db.execute("DELETE FROM customer_ips WHERE customer_id = ? AND ip = ?",
                           (customer, ip_to_int(value)))
        return self.ok()

    def do_service_add(self):
        customer = self.customer_id()
        service = as_int(self.required("service_id"), "service_id")
        if not self.store.one("SELECT id FROM service_types WHERE id = ?", (service,)):
            raise Refused(400, "Additional service not found")
        price = as_price(self.param("price"))
        with self.store.transaction() as db:
            db.execute("INSERT OR REPLACE INTO customer_services VALUES (?, ?, ?, ?)",
                       (customer, service, price, self.param("comment", "")))
        return self.ok()

    def do_service_remove(self):
        customer = self.customer_id()
        service = as_int(self.required("service_id"), "service_id")
        with self.store.transaction() as db:
            db.execute("DELETE FROM customer_services WHERE customer_id = ? AND service_id = ?",
                       (customer, service))
        return self.ok()
