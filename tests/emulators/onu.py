"""Emulator of the RAISEPON 2.0 ONU provisioning API (seed 000, CONTRACTS §1).

Serves ``/API/<endpoint>.php``; every endpoint reads a JSON body whatever the
method and Content-Type. Answers, quirks included, as the real PHP does:

* JWTs (HS256, ``iss``/``aud`` ``Raisepon``) whose ``nbf`` is ``iat`` plus
  ``nbf_delay`` seconds (10 by default, as on the real server) and whose
  ``exp`` is ``nbf + token_ttl``; the php-jwt error texts.
* privilege by account type (9 admin, 6 operator, 3 visitor);
* create answers no id; update answers 201 and writes only non-empty values,
  and sets ``state`` to ``"NO"`` when the request leaves it out; update and
  delete of an unknown customer succeed;
* ``get_customers_one`` always reports ``state`` ``"NO"``; its not-found
  answer has the key ``"message "`` (trailing space);
* a value with a single quote fails as unescaped SQL does (503);
* ``php_numbers`` answers ids, service, egn and state_rf as JSON numbers (PHP
  8.1 and later); ``snmp_noise`` prints PHP diagnostics before the JSON of
  each write, as the server does when SNMP to the OLT fails.

Lookups are indexed (``id`` is the row id, ``sn`` has a unique index), so an
answer takes the same time at any number of customers; the serial lookups
match exactly, as before: the real server's folding of case and trailing
spaces (CONTRACTS §1a) is not emulated yet.

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

import json
import re
import secrets
import time

import jwt
from flask import Response, request

from tests.emulators.core import Emulator

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
SNMP_NOISE = 'string(79) "Fatal error: snmp2_set(): No response from 10.0.0.1 (OLT timeout)"\n'

# The customer a request names, by the key it names it with.
CUSTOMER_BY = {
    "id": "SELECT * FROM customers WHERE id = ?",
    "sn": "SELECT * FROM customers WHERE sn = ?",
}
SERIAL_TAKEN = "SELECT id FROM customers WHERE sn = ?"
SERIAL_TAKEN_BY_OTHER = "SELECT id FROM customers WHERE sn = ? AND id != ?"
PREFIX = re.compile(r"^[A-Za-z0-9]+\Z")

SCHEMA = """
CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE users (id TEXT PRIMARY KEY, username TEXT UNIQUE, password TEXT, type TEXT);
CREATE TABLE services (id TEXT PRIMARY KEY, name TEXT);
CREATE TABLE customers (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, address TEXT NOT NULL DEFAULT '',
    egn TEXT, sn TEXT UNIQUE, service TEXT, auto TEXT, state TEXT, state_rf TEXT);
"""


def php_empty(value):
    """PHP's ``empty()``: the server writes only values that are not empty."""
    return value in (None, "", "0", 0, False, [], {})


def answer(status, body, noise=""):
    return Response(noise + json.dumps(body), status=status, mimetype="application/json")


class OnuEmulator(Emulator):
    name = "onu"
    base_path = "/API/"
    schema = SCHEMA
    options = (
        ("--nbf-delay", dict(type=float, default=None,
                             help="seconds between a token's iat and nbf (server: 10)")),
        ("--token-ttl", dict(type=float, default=None, help="seconds a token lives after nbf")),
        ("--php-numbers", dict(action="store_true", default=None,
                               help="answer numbers as PHP 8.1+ does")),
    )

    # Most tests use tokens valid at once; onu_faithful keeps the server's 10 s.
    harness = {"onu": {"nbf_delay": 0}, "onu_faithful": {}}
    demo = {"port": 18081, "config": {}}
    seed_prefix = "BENCH"

    def __init__(self, db_path, faults=None, **config):
        self.issued, self.expired = set(), set()
        super().__init__(db_path, faults, **config)

    def default_config(self):
        return dict(nbf_delay=10.0, token_ttl=3600.0, php_numbers=False, snmp_noise=False)

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
        try:
            data = json.loads(request.get_data(as_text=True) or "null")
        except ValueError:
            data = None
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
        if claims.get("nbf", 0) > now:
            return "Cannot handle token prior to " + time.strftime(
                "%Y-%m-%dT%H:%M:%S+0000", time.gmtime(claims["nbf"]))
        if claims.get("exp", 0) < now or token in self.expired:
            return "Expired token"
        return None

    def noise(self):
        return SNMP_NOISE if self.config["snmp_noise"] else ""

    def find(self, body, prefer):
        """The customer a request names: ``prefer`` ('id' or 'sn') wins when both are given."""
        order = ("id", "sn") if prefer == "id" else ("sn", "id")
        for key in order:
            if not php_empty(body.get(key)):
                return self.store.one(CUSTOMER_BY[key], (str(body[key]),))
        return None

    # --- endpoints -------------------------------------------------------------
    def routes(self):
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
            return answer(400, {"message": "Data is incomplete."})
        user = self.store.one("SELECT * FROM users WHERE username = ?", (str(body["username"]),))
        if not user or user["password"] != body.get("password"):
            return answer(401, {"message": "Login failed.  "})
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
        return answer(200, {"message": "Successful login.", "jwt": token})

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
        rows = self.store.query("SELECT * FROM customers ORDER BY id")
        if not rows:
            return answer(404, {"message": "No products found."})
        return answer(200, {"customers": [self.shape(row) for row in rows]})

    def get_customers_one(self):
        body = self.body()
        refused = self.authorise(body, READ_LEVEL)
        if refused:
            return refused
        row = self.find(body, prefer="id")
        if row is None:
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
        sql_error = self.sql_error(body, "Unable to create customer.")
        if sql_error:
            return sql_error
        if self.store.one(SERIAL_TAKEN, (str(body["sn"]),)):
            return answer(503, {"message": "Unable to create customer. DUPLICATE SERIAL NUMBER"},
                          self.noise())
        values = {key: None if php_empty(body.get(key)) else str(body[key])
                  for key in WRITABLE + ("state",)}
        values["address"] = values["address"] or ""
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO customers (name, address, egn, sn, service, auto, state, state_rf) "
                "VALUES (:name, :address, :egn, :sn, :service, :auto, :state, :state_rf)", values)
        return answer(201, {"message": "Customer was created."}, self.noise())

    def update_customer(self):
        body = self.body()
        refused = self.authorise(body, WRITE_LEVEL)
        if refused:
            return refused
        if php_empty(body.get("sn")) and php_empty(body.get("id")):
            return answer(400, {"message": "Unable to edit customer. Data is incomplete."})
        sql_error = self.sql_error(body, "Unable to edit customer.")
        if sql_error:
            return sql_error
        target = self.find(body, prefer="sn")
        if target is None and not php_empty(body.get("id")):
            target = self.find({"id": body["id"]}, prefer="id")
        if target is None:
            return answer(201, {"message": "Customer was updated."}, self.noise())
        if not php_empty(body.get("sn")):
            clash = self.store.one(SERIAL_TAKEN_BY_OTHER, (str(body["sn"]), target["id"]))
            if clash:
                return answer(503, {"message": "Unable to edit customer. DUPLICATE SERIAL NUMBER"},
                              self.noise())
        values = {key: str(body[key]) for key in WRITABLE if not php_empty(body.get(key))}
        # The server's customer object defaults `state` to "NO" and writes it back.
        values["state"] = "NO" if php_empty(body.get("state")) else str(body["state"])
        assignments = ", ".join("%s = :%s" % (key, key) for key in values)
        with self.store.transaction() as db:
            db.execute("UPDATE customers SET %s WHERE id = :target" % assignments,
                       dict(values, target=target["id"]))
        return answer(201, {"message": "Customer was updated."}, self.noise())

    def delete_customer(self):
        body = self.body()
        refused = self.authorise(body, WRITE_LEVEL)
        if refused:
            return refused
        if php_empty(body.get("sn")) and php_empty(body.get("id")):
            return answer(400, {"message": "Unable to delete customer. Data is incomplete."})
        target = self.find(body, prefer="sn")
        if target is not None:
            with self.store.transaction() as db:
                db.execute("DELETE FROM customers WHERE id = ?", (target["id"],))
        return answer(200, {"message": "Customer was deleted."}, self.noise())

    @staticmethod
    def sql_error(body, prefix):
        """Values reach SQL unescaped on the real server: a quote breaks the statement."""
        for key, value in body.items():
            if key != "jwt" and isinstance(value, str) and "'" in value:
                return answer(503, {"message": "%s Connection 4 Failed: SQLSTATE[42000]: Syntax "
                                    "error or access violation: 1064 You have an error in your "
                                    "SQL syntax near '%s'" % (prefix, value.split("'", 1)[1])})
        return None
