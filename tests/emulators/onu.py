"""Emulator of the RAISEPON 2.0 ONU provisioning API (seed 000, CONTRACTS §1 and §1a).

Serves ``/API/<endpoint>.php``; every endpoint reads a JSON body whatever the
method and Content-Type. Answers, quirks included, as the real PHP on MariaDB
does, by default (the options below make it friendlier or slower on request):

* JWTs (HS256, ``iss``/``aud`` ``Raisepon``) whose ``nbf`` is ``iat`` plus
  ``nbf_delay`` seconds (10 by default, as on the real server) and whose
  ``exp`` is ``nbf + token_ttl``; the php-jwt error texts. A token whose
  ``nbf`` or ``iat`` lies in the future is refused ("Cannot handle token prior
  to ...", in the server's time zone, ``utc_offset``: +0200 as measured);
* privilege by account type (9 admin, 6 operator, 3 visitor);
* create answers no id; update answers 201 and writes only non-empty values,
  and sets ``state`` to ``"NO"`` when the request leaves it out; update and
  delete of an unknown customer succeed; delete by ``id`` wins over ``sn``,
  update by ``sn`` wins over ``id`` (so an update's serial is its own
  customer's or nobody's, and its DUPLICATE answer never arises);
* an update naming an ``id`` and a serial nobody has blanks the record (name
  ``""``, service null, auto ``NO``) besides writing the values sent, as the
  real server does;
* ``get_customers_one`` always reports ``state`` ``"NO"``; its not-found
  answer has the key ``"message "`` (trailing space); it reads ``id`` as
  MySQL casts it (``"262abc"`` is 262, 10^30 is nobody) and cannot find a
  customer whose name is ``""``;
* a body PHP's ``json_decode`` refuses (no JSON, or a lone UTF-16 surrogate
  such as ``"\\ud800"``) is no data at all: ``Access denied.`` (no token);
* serials match ignoring case and trailing spaces in every lookup, update
  and delete (MariaDB's ``utf8_general_ci`` collation, PAD SPACE); a serial
  that differs from a stored one only so is a DUPLICATE SERIAL NUMBER, so no
  two such twins are ever stored. Only ASCII letters fold (SQLite's
  ``upper()``): serials are ASCII;
* values reach SQL unescaped, inside single quotes: a lone quote is a 1064
  syntax error (503), ``''`` is a quote, and a backslash escapes the next
  character as MySQL reads it (``A\\B`` is stored as ``AB``, ``\\n`` as a
  newline);
* strict columns (MariaDB's strict mode), 503 with the SQL error: ``egn``,
  ``service`` and ``state_rf`` are integer columns (1366 Incorrect integer
  value; an integer loses its leading zeros: ``"0801011234"`` is stored as
  ``801011234``; the column's width is not known, so it is taken to be the
  widest, a BIGINT: a number beyond it, such as 10^30, is 1264 Out of range
  value); ``auto`` and ``state`` are ENUM('YES','NO')
  (1265 Data truncated; ``"yes"`` is stored ``YES``); ``name`` holds
  ``NAME_LENGTH`` (100) and ``address`` ``ADDRESS_LENGTH`` (255) characters
  (1406 Data too long; the real lengths were not measured: these are the
  emulator's choice, and the ONU module declares the same); the tables are
  3-byte utf8, so a character outside the Basic Multilingual Plane (an emoji)
  in any text is 1366 Incorrect string value;
* every body except the login's starts with ``\\r\\n``; JSON is compact and
  the content type is ``application/json; charset=UTF-8``;
* every update answered 201 prints PHP's SNMP diagnostics before the JSON
  (``snmp_noise``, on by default), plus ``string(17) "No response from "``
  when the customer has ``state_rf``; creates, deletes and refusals do not.

Options (launcher flags, ``PUT /_emulator/config``):

* ``nbf_delay`` / ``token_ttl``: a token's wait and life, in seconds;
* ``php_numbers`` (default on, as the PHP 8.2 server measured): answer ids,
  service, egn, state_rf and the token's ``data.id`` and ``data.type`` as JSON
  numbers; off answers strings, as older PHP and the seed document do;
* ``utc_offset`` (``"+0200"``): the server's time zone, shown in the
  early-token error;
* ``snmp_noise`` (default on): the diagnostics above; off for a quiet server;
* ``slow_updates`` (default off, so the test suite stays fast): each update
  waits as the real server does, 1 s, or 7 s when the customer has
  ``state_rf`` (SNMP time-outs); ``--slow-updates`` on the launcher.

Lookups are indexed (``id`` is the row id, the folded ``sn`` has a unique
index), so an answer takes the same time at any number of customers.

Generated records (``--seed-records N``, ``POST /_emulator/seed``): customer
``n`` has ``sn`` = prefix + ``n`` as 8 upper-case hex digits (``BENCH0000002A``
for 42 with the default prefix ``BENCH``), ``name`` ``<prefix> ONU <n>``,
``address`` ``""``, ``egn`` null, ``service`` ``"3"``, ``auto`` and ``state``
``"YES"``, ``state_rf`` null; the prefix takes letters and digits only.

Seeded with the seed document's services and customers and three accounts:
``admin``/``admin123`` (9), ``operator``/``operator123`` (6),
``visitor``/``visitor123`` (3). ``PUT /_emulator/config {"expire_tokens": true}``
makes every token issued so far answer ``Expired token`` (tokens carry a
``jti`` the real server does not add, so that each one is distinct).
"""

import datetime
import json
import re
import secrets
import time

import jwt
from flask import Response, request

from tests.emulators.core import Emulator, parse_json, sql_integer
from tests.emulators.kept import KeptAnswers

SERVICES = [
    ("3", "Internet_4port"),
    ("7", "Internet_1port"),
    ("8", "HGU"),
    ("9", "HGU-no-config"),
    ("10", "1port-RF"),
    ("11", "4port+RF"),
]
CUSTOMERS = [
    ("191", "ISCOMHT803-W(T)", "", None, "000E5E9D1985", "8", "NO", "YES", None),
    ("194", "onu1", "", None, "E067B33BC5D1", "3", "NO", "YES", None),
    ("205", "ht803g-U", "", None, "RCMG1850272C", "8", "YES", "YES", None),
    ("262", "HT803G-1GC", "", None, "C850E98CE604", "10", "YES", "YES", "2"),
]
ACCOUNTS = [("1", "admin", "admin123", "9"), ("2", "operator", "operator123", "6"),
            ("3", "visitor", "visitor123", "3")]
FIELDS = ("id", "name", "address", "egn", "sn", "service", "auto", "state", "state_rf")
NUMERIC = ("id", "service", "egn", "state_rf")
WRITABLE = ("name", "address", "egn", "sn", "service", "auto", "state_rf")
READ_LEVEL, WRITE_LEVEL = 3, 6

# The columns' types, as MariaDB's strict mode enforces them. The lengths were
# not measured on the real schema: they are this emulator's choice, and the ONU
# module declares the same (plugins/module_utils/onu/customers.py).
NAME_LENGTH = 100
ADDRESS_LENGTH = 255
TEXT_COLUMNS = {"name": NAME_LENGTH, "address": ADDRESS_LENGTH, "sn": None}
INTEGER_COLUMNS = ("egn", "service", "state_rf")
ENUM_COLUMNS = ("auto", "state")
INTEGER = re.compile(r"^\s*[-+]?[0-9]+\s*\Z")
OUTSIDE_BMP = re.compile("[\U00010000-\U0010FFFF]")

# What PHP's var_dump() prints when SNMP to the OLT fails during an update.
SNMP_FAILURES = ("Fatal error: Error building ASN.1 representation (Can't build OID for variable)",)
SNMP_RF_TIMEOUT = "No response from "
# The real server's wait in each update; with state_rf, SNMP time-outs add to it.
UPDATE_SECONDS, RF_UPDATE_SECONDS = 1.0, 7.0

# The customer a request names, by the key it names it with. Serials compare as
# MariaDB's collation does (case and trailing spaces ignored), on an index.
FOLDED_SN = "upper(rtrim(sn, ' '))"
CUSTOMER_BY = {
    "id": "SELECT * FROM customers WHERE id = ?",
    "sn": "SELECT * FROM customers WHERE %s = upper(rtrim(?, ' '))" % FOLDED_SN,
}
PREFIX = re.compile(r"^[A-Za-z0-9]+\Z")

SCHEMA = """
CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE users (id TEXT PRIMARY KEY, username TEXT UNIQUE, password TEXT, type TEXT);
CREATE TABLE services (id TEXT PRIMARY KEY, name TEXT);
CREATE TABLE customers (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, address TEXT NOT NULL DEFAULT '',
    egn TEXT, sn TEXT, service TEXT, auto TEXT, state TEXT, state_rf TEXT);
CREATE UNIQUE INDEX customers_sn ON customers (%s);
""" % FOLDED_SN

# MySQL's escapes inside a quoted string; any other escaped character stands for
# itself, so the backslash is swallowed (\\% and \\_ keep theirs).
ESCAPES = {"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a",
           "%": "\\%", "_": "\\_"}
# In a literal: an escape, a doubled quote (one quote), a lone quote (the end).
LITERAL = re.compile(r"\\(.)|''|(')|(\\)\Z", re.S)


def php_empty(value):
    """PHP's ``empty()``: the server writes only values that are not empty."""
    return value in (None, "", "0", 0, False, [], {})


JSON_TYPE = "application/json; charset=UTF-8"


def answer(status, body, noise="", lead="\r\n"):
    return Response(php_json(body, noise, lead), status=status, content_type=JSON_TYPE)


def php_json(body, noise="", lead="\r\n"):
    """A body as the PHP sends it: a line break (its files' leading whitespace),
    diagnostics, then compact JSON."""
    return lead + noise + json.dumps(body, separators=(",", ":"))


def var_dump(text):
    """PHP's ``var_dump()`` of a string: its length in bytes, then the string."""
    return 'string(%d) "%s"\n' % (len(text.encode("utf-8")), text)


def sql_literal(text):
    """``text`` as MySQL reads it between single quotes, and the text from the lone
    quote (or final backslash, which escapes the closing quote) that broke the
    statement (None: nothing did)."""
    broken = []

    def read(match):
        if match.group(2) or match.group(3):
            broken.append(match.start())
            return match.group(0)
        if match.group(1) is None:
            return "'"
        return ESCAPES.get(match.group(1), match.group(1))

    stored = LITERAL.sub(read, text)
    return stored, (text[broken[0]:] if broken else None)


def mysql_id(value):
    """An id as MySQL compares a text to an integer column: its leading digits (None:
    more than any id, which finds nobody)."""
    digits = re.match(r"\s*([0-9]+)", str(value))
    return sql_integer(digits.group(1)) if digits else 0


def column_error(column, value):
    """The SQL error MariaDB's strict mode gives for ``value`` in ``column``, or None."""
    outside = OUTSIDE_BMP.search(value)
    if outside:
        shown = "".join("\\x%02X" % byte for byte in outside.group().encode())
        return ("SQLSTATE[22007]: Invalid datetime format: 1366 Incorrect string value: '%s' "
                "for column `raisepon`.`customers`.`%s` at row 1" % (shown, column))
    if column in INTEGER_COLUMNS and not INTEGER.match(value):
        return ("SQLSTATE[22007]: Invalid datetime format: 1366 Incorrect integer value: '%s' "
                "for column `raisepon`.`customers`.`%s` at row 1" % (value, column))
    if column in INTEGER_COLUMNS and sql_integer(value) is None:
        return ("SQLSTATE[22003]: Numeric value out of range: 1264 Out of range value for "
                "column '%s' at row 1" % column)
    if column in ENUM_COLUMNS and value.upper() not in ("YES", "NO"):
        return "SQLSTATE[01000]: Warning: 1265 Data truncated for column '%s' at row 1" % column
    limit = TEXT_COLUMNS.get(column)
    if limit is not None and len(value) > limit:
        return ("SQLSTATE[22001]: String data, right truncated: 1406 Data too long for column "
                "'%s' at row 1" % column)
    return None


def column_value(column, value):
    """What a column keeps of a value it accepts: integers lose leading zeros,
    enums take their declared case."""
    if column in INTEGER_COLUMNS:
        return str(int(value))
    if column in ENUM_COLUMNS:
        return value.upper()
    return value


class OnuEmulator(Emulator):
    name = "onu"
    base_path = "/API/"
    schema = SCHEMA
    options = (
        ("--nbf-delay", dict(type=float, default=None,
                             help="seconds between a token's iat and nbf (server: 10)")),
        ("--token-ttl", dict(type=float, default=None, help="seconds a token lives after nbf")),
        ("--php-numbers", dict(type=int, choices=(0, 1), default=None,
                               help="1 (default): numbers, as PHP 8.1+ answers; 0: strings")),
        ("--utc-offset", dict(default=None, help="the server's time zone (default +0200)")),
        ("--slow-updates", dict(action="store_true", default=None,
                                help="updates take as long as the server's: 1 s, 7 s with "
                                     "state_rf (off by default)")),
    )

    # Most tests use tokens valid at once; onu_faithful keeps the server's 10 s.
    harness = {"onu": {"nbf_delay": 0}, "onu_faithful": {}}
    demo = {"port": 18081, "config": {}}
    seed_prefix = "BENCH"

    def __init__(self, db_path, faults=None, **config):
        self.issued, self.expired = set(), set()
        # The update delay's clock: a unit test counts the waits instead of waiting.
        self.sleep = time.sleep
        super().__init__(db_path, faults, **config)

    def default_config(self):
        return dict(nbf_delay=10.0, token_ttl=3600.0, php_numbers=True, snmp_noise=True,
                    slow_updates=False, utc_offset="+0200")

    def configure(self, changes):
        if changes.pop("expire_tokens", False):
            # Exactly the tokens issued so far; one issued a moment later (even
            # in the same second) stays valid.
            self.expired.update(self.issued)
        super().configure(changes)

    def seed(self, db):
        db.execute("INSERT INTO settings VALUES ('key', ?)", (secrets.token_hex(32),))
        db.executemany("INSERT INTO users VALUES (?, ?, ?, ?)", ACCOUNTS)
        db.executemany("INSERT INTO services VALUES (?, ?)", SERVICES)
        db.executemany("INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", CUSTOMERS)

    def generate(self, db, count, prefix, start):
        if not PREFIX.match(prefix):
            raise ValueError("an ONU serial prefix takes letters and digits only: %r" % prefix)
        db.executemany(
            "INSERT INTO customers (name, address, egn, sn, service, auto, state, state_rf) "
            "VALUES (?, '', NULL, ?, '3', 'YES', 'YES', NULL)",
            (("%s ONU %d" % (prefix, n), "%s%08X" % (prefix, n))
             for n in range(start, start + count)))

    # --- wire helpers --------------------------------------------------------
    @staticmethod
    def body():
        data = parse_json(request.get_data(as_text=True))
        return data if isinstance(data, dict) else {}

    def shape(self, row):
        record = {field: row[field] for field in FIELDS}
        record["id"] = str(record["id"])
        if self.config["php_numbers"]:
            for field in NUMERIC:
                value = record[field]
                if isinstance(value, str) and value.isdigit():
                    record[field] = int(value)
        return record

    def secret(self):
        return self.store.one("SELECT value FROM settings WHERE name='key'")["value"]

    def authorise(self, body, level):
        """None when the token in ``body`` may do this; else the refusal to send."""
        token = body.get("jwt")
        if php_empty(token):
            return answer(401, {"message": "Access denied."})
        error = self.token_error(str(token))
        if error:
            return answer(401, {"message": "Access denied.", "error": error})
        claims = jwt.decode(str(token), options={"verify_signature": False})
        if int(claims["data"]["type"]) < level:
            return answer(401, {"message": "Access denied. Not enough privilege."})
        return None

    def token_error(self, token):
        """The php-jwt error text for a bad token, or None."""
        if token.count(".") != 2:
            return "Wrong number of segments"
        try:
            claims = jwt.decode(token, self.secret(), algorithms=["HS256"], audience="Raisepon",
                                options={"verify_exp": False, "verify_nbf": False,
                                         "verify_iat": False})
        except jwt.InvalidSignatureError:
            return "Signature verification failed"
        except jwt.PyJWTError:
            return "Syntax error, malformed JSON"
        now = time.time()
        # php-jwt checks nbf, then iat: a token made for later is refused either way.
        for claim in ("nbf", "iat"):
            if claims.get(claim, 0) > now:
                return "Cannot handle token prior to " + self.local_time(claims[claim])
        if claims.get("exp", 0) < now or token in self.expired:
            return "Expired token"
        return None

    def local_time(self, timestamp):
        """``timestamp`` as php-jwt prints it, in the server's time zone (``+0200``)."""
        offset = str(self.config["utc_offset"])
        sign = -1 if offset.startswith("-") else 1
        seconds = sign * (int(offset[-4:-2]) * 3600 + int(offset[-2:]) * 60)
        zone = datetime.timezone(datetime.timedelta(seconds=seconds))
        return datetime.datetime.fromtimestamp(timestamp, zone).strftime("%Y-%m-%dT%H:%M:%S%z")

    def noise(self, target):
        """The SNMP diagnostics of an update of ``target`` (None: nobody)."""
        if not self.config["snmp_noise"]:
            return ""
        lines = [var_dump(text) for text in SNMP_FAILURES]
        if target is not None and target["state_rf"] is not None:
            lines.append(var_dump(SNMP_RF_TIMEOUT))
        return "".join(lines)

    def sleeps(self):
        return super().sleeps() or self.config["slow_updates"]

    def wait_like_an_update(self, target):
        if self.config["slow_updates"]:
            slow = target is not None and target["state_rf"] is not None
            self.sleep(RF_UPDATE_SECONDS if slow else UPDATE_SECONDS)

    def find(self, body, prefer):
        """The customer a request names: ``prefer`` ('id' or 'sn') wins when both are given."""
        order = ("id", "sn") if prefer == "id" else ("sn", "id")
        for key in order:
            if not php_empty(body.get(key)):
                return self.find_by(key, body[key])
        return None

    def find_by(self, key, value):
        if key == "id":
            customerid = mysql_id(value)
            return None if customerid is None else self.store.one(CUSTOMER_BY["id"], (customerid,))
        return self.store.one(CUSTOMER_BY["sn"], (str(value),))

    # --- endpoints -------------------------------------------------------------
    def routes(self):
        # The whole list (200,000 customers: a second of CPU to read and write), read
        # once per shard of a run.
        self.listed = KeptAnswers(self.store)
        methods = ("GET", "POST", "PUT")
        self.route("/API/api_login.php", "read", methods)(self.login)
        self.route("/API/get_services.php", "read", methods)(self.get_services)
        self.route("/API/get_customers.php", "read", methods)(self.get_customers)
        self.route("/API/get_customers_one.php", "read", methods)(self.get_customers_one)
        self.route("/API/create_customer.php", "write", methods)(self.create_customer)
        self.route("/API/update_customer.php", "write", methods)(self.update_customer)
        self.route("/API/delete_customer.php", "write", methods)(self.delete_customer)

    def login(self):
        body = self.body()
        if php_empty(body.get("username")):
            return answer(400, {"message": "Data is incomplete."}, lead="")
        user = self.store.one("SELECT * FROM users WHERE username = ?", (str(body["username"]),))
        if not user or user["password"] != body.get("password"):
            return answer(401, {"message": "Login failed.  "}, lead="")
        iat = int(time.time())
        nbf = iat + int(self.config["nbf_delay"])
        data = {"id": user["id"], "username": user["username"], "type": user["type"]}
        if self.config["php_numbers"]:
            data.update(id=int(user["id"]), type=int(user["type"]))
        # jti is the emulator's own: two logins in one second would otherwise get
        # the same token, and expire_tokens could not expire one and not the other.
        claims = {"iss": "Raisepon", "aud": "Raisepon", "iat": iat, "nbf": nbf,
                  "exp": nbf + int(self.config["token_ttl"]), "data": data,
                  "jti": secrets.token_hex(8)}
        token = jwt.encode(claims, self.secret(), algorithm="HS256")
        self.issued.add(token)
        return answer(200, {"message": "Successful login.", "jwt": token}, lead="")

    def get_services(self):
        refused = self.authorise(self.body(), READ_LEVEL)
        if refused:
            return refused
        rows = self.store.query("SELECT id, name FROM services ORDER BY CAST(id AS INTEGER)")
        if not rows:
            return answer(404, {"message": "No categories found."})
        if self.config["php_numbers"]:
            rows = [dict(row, id=int(row["id"])) for row in rows]
        return answer(200, {"services": rows})

    def get_customers(self):
        refused = self.authorise(self.body(), READ_LEVEL)
        if refused:
            return refused
        # The answer is all the config's, but for the stored data.
        status, text = self.listed.get(self.config["php_numbers"], self.customers_answer)
        return Response(text, status=status, content_type=JSON_TYPE)

    def customers_answer(self):
        rows = self.store.query("SELECT * FROM customers ORDER BY id")
        if not rows:
            return 404, php_json({"message": "No products found."})
        return 200, php_json({"customers": [self.shape(row) for row in rows]})

    def get_customers_one(self):
        body = self.body()
        refused = self.authorise(body, READ_LEVEL)
        if refused:
            return refused
        body, _broken = self.as_sql_reads(body)
        row = self.find(body, prefer="id")
        # The real server treats a customer without a name as not found.
        if row is None or row["name"] == "":
            return answer(404, {"message ": "Customer does not exist."})
        # The real server never loads `state` here: it answers its default.
        return answer(200, dict(self.shape(row), state="NO"))

    def create_customer(self):
        body = self.body()
        refused = self.authorise(body, WRITE_LEVEL)
        if refused:
            return refused
        if any(php_empty(body.get(key)) for key in ("name", "sn", "auto", "state")):
            return answer(400, {"message": "Unable to create customer. Data is incomplete."})
        failed = "Unable to create customer. Connection 4 Failed:__"
        body, broken = self.as_sql_reads(body)
        if broken:
            return self.syntax_error(failed, broken)
        # The serial's check and the insert at once (the store's lock is reentrant):
        # two creates of one serial at the same time get the server's DUPLICATE
        # answer, not the unique index's HTML 500.
        with self.store.lock:
            if self.find_by("sn", body["sn"]):
                return answer(503, {
                    "message": "Unable to create customer. DUPLICATE SERIAL NUMBER"})
            values = {key: None if php_empty(body.get(key)) else body[key]
                      for key in WRITABLE + ("state",)}
            values["address"] = values["address"] or ""
            error = self.columns_refuse(values)
            if error:
                return answer(503, {"message": failed + error})
            values = {key: None if value is None else column_value(key, value)
                      for key, value in values.items()}
            with self.store.transaction() as db:
                db.execute(
                    "INSERT INTO customers (name, address, egn, sn, service, auto, state, "
                    "state_rf) VALUES (:name, :address, :egn, :sn, :service, :auto, :state, "
                    ":state_rf)", values)
        return answer(201, {"message": "Customer was created."})

    def update_customer(self):
        body = self.body()
        refused = self.authorise(body, WRITE_LEVEL)
        if refused:
            return refused
        if php_empty(body.get("sn")) and php_empty(body.get("id")):
            return answer(400, {"message": "Unable to edit customer. Data is incomplete."})
        failed = "Unable to edit customer. Connection Failed:"
        body, broken = self.as_sql_reads(body)
        if broken:
            return self.syntax_error(failed, broken)
        values = {key: body[key] for key in WRITABLE if not php_empty(body.get(key))}
        # The server's customer object defaults `state` to "NO" and writes it back.
        values["state"] = "NO" if php_empty(body.get("state")) else body["state"]
        error = self.columns_refuse(values)
        if error:
            return answer(503, {"message": failed + error})
        # The serial wins, so an update's serial is its own customer's or nobody's:
        # the server's DUPLICATE answer to an update cannot arise - as long as no
        # create takes the serial between the lookup and the write (the lock).
        with self.store.lock:
            target, blanked = self.update_target(body)
            if target is not None:
                self.write_update(target, dict(blanked, **values))
        self.wait_like_an_update(target)
        return answer(201, {"message": "Customer was updated."}, self.noise(target))

    def update_target(self, body):
        """The customer an update writes, and what it blanks: ``sn`` wins; an ``id``
        with a serial nobody has finds its customer, whose fields the server
        (having read nothing by that serial) writes back empty."""
        target = self.find(body, prefer="sn")
        if target is not None or php_empty(body.get("id")):
            return target, {}
        target = self.find_by("id", body["id"])
        return target, {"name": "", "service": None, "auto": "NO"}

    def write_update(self, target, values):
        values = {key: None if value is None else column_value(key, value)
                  for key, value in values.items()}
        assignments = ", ".join("%s = :%s" % (key, key) for key in values)
        with self.store.transaction() as db:
            db.execute("UPDATE customers SET %s WHERE id = :target" % assignments,
                       dict(values, target=target["id"]))

    def delete_customer(self):
        body = self.body()
        refused = self.authorise(body, WRITE_LEVEL)
        if refused:
            return refused
        if php_empty(body.get("sn")) and php_empty(body.get("id")):
            return answer(400, {"message": "Unable to delete customer. Data is incomplete."})
        body, broken = self.as_sql_reads(body)
        if broken:
            return self.syntax_error("Unable to delete customer. Connection Failed:", broken)
        target = self.find(body, prefer="id")
        if target is not None:
            with self.store.transaction() as db:
                db.execute("DELETE FROM customers WHERE id = ?", (target["id"],))
        return answer(200, {"message": "Customer was deleted."})

    # --- the server's SQL ------------------------------------------------------
    @staticmethod
    def as_sql_reads(body):
        """The request's values as SQL reads them (the server quotes them but does
        not escape them), and the text after a quote that broke the statement."""
        read = {}
        for key, value in body.items():
            if key == "jwt" or php_empty(value):
                read[key] = value
                continue
            read[key], broken = sql_literal(str(value))
            if broken:
                return body, broken
        return read, None

    @staticmethod
    def syntax_error(failed, near):
        return answer(503, {"message": failed + "SQLSTATE[42000]: Syntax error or access "
                            "violation: 1064 You have an error in your SQL syntax; check the "
                            "manual that corresponds to your MariaDB server version for the "
                            "right syntax to use near '%s' at line 1" % near[1:]})

    @staticmethod
    def columns_refuse(values):
        """The first SQL error of the values a write stores, in the table's column order."""
        for column in FIELDS:
            if values.get(column) is not None:
                error = column_error(column, values[column])
                if error:
                    return error
        return None
