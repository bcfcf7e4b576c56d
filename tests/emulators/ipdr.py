"""Emulator of the Trisul IPDR customers REST API (seed 003, CONTRACTS §4).

Serves ``/api/ipdrcustomers`` (GET: list, POST: create) and
``/api/ipdrcustomers/<UserID>`` (GET: one, PUT: replace, PATCH: partial
update, DELETE). Every method, GET included, reads a JSON body that carries
``api_token``, ``username`` and ``contextname``; as on the real (Rails)
server, a body sent without a JSON ``Content-Type`` is not parsed, so it
carries no token. Answers as the contract says:

* GET of the collection answers a bare JSON array of the context's
  customers ``{id, Name, Address, Email, PhoneNumber, AltPhoneNumber, UserID}``;
  POST, PUT, PATCH and DELETE answer HTTP 200 with the whole customer object
  (DELETE: the deleted one).
* Errors are HTTP 200 bodies whose ``status`` case varies:
  ``{"status":"ERROR","message":"Invalid API token"}``,
  ``{"status":"Error","message":"Invalid Context name - <name>"}``,
  ``{"status":"Error","message":"The user (<user>) is not allowed to access
  the context <name>"}``.

Where the contract says *unknown*, this emulator chooses (a client must not
rely on these choices, only recognise an error body whatever its status):

* not found (GET, PUT, PATCH, DELETE of an unknown UserID): HTTP 422
  ``{"status":"Error","message":"IPDR Customer not found"}``, as the sibling
  mapping API answers;
* duplicate UserID on create (UserIDs are unique per context): HTTP 200
  ``{"status":"Error","message":"UserID has already been taken"}``;
* POST without ``UserID`` or ``Name``, and PUT without every field: HTTP 200
  ``{"status":"Error","message":"Missing required fields: <names>"}``;
* a PUT or PATCH whose ``UserID`` differs from the one in the path (a
  rename): HTTP 200 ``{"status":"Error","message":"UserID cannot be changed"}``;
* a missing ``contextname`` is an invalid context (``Invalid Context name - ``);
* a body that is no JSON object, or holds a lone UTF-16 surrogate
  (``"\\ud800"``, which no database stores), carries no parameters: ``Invalid
  API token``;
* values are stored as sent (strings; numbers are stored as their text),
  fields a create leaves out are ``null``;
* ``/api/ipdrcustomers/<UserID>`` is read as Rails' default route reads
  ``:id(.:format)``: what follows the first dot is a format, so
  ``/api/ipdrcustomers/a.b`` (a PATCH or DELETE included) addresses customer
  ``a``.

Seeded with the seed document's user (``user``, token
``GiXwBWWv5g2Fs6QeaTlx``) and customers (context ``default``), three contexts
(``default``, ``lab``, ``restricted``) and a second user ``labuser`` (token
``LabT0kenLabT0kenLab1``) allowed only ``lab``; ``user`` may use ``default``
and ``lab`` but not ``restricted``.

A customer is found by its context and UserID (a unique index); the list of
a context reads through an index on the context, in id order.

Generated records (``--seed-records N``, ``POST /_emulator/seed``): customer
``n`` of context ``default``: ``UserID`` ``<prefix>-<n, 6 digits>``
(``SEED-000001``), ``Name`` ``<prefix> Customer <n, 6 digits>``, ``Address``
``Chennai``, ``Email`` ``<prefix lower-case><n, 6 digits>@example.net``,
``PhoneNumber`` ``9`` + ``n`` in 9 digits, ``AltPhoneNumber`` null.
"""

import json

from flask import Response, request
from werkzeug.routing import PathConverter

from tests.emulators.core import Emulator, parse_json
from tests.emulators.kept import KeptAnswers

TOKEN = "GiXwBWWv5g2Fs6QeaTlx"
LAB_TOKEN = "LabT0kenLabT0kenLab1"
USERS = [("user", TOKEN), ("labuser", LAB_TOKEN)]
CONTEXTS = ["default", "lab", "restricted"]
GRANTS = [("user", "default"), ("user", "lab"), ("labuser", "lab")]
FIELDS = ("Name", "Address", "Email", "PhoneNumber", "AltPhoneNumber", "UserID")
CUSTOMERS = [
    (5, "default", "Trisul", "Chennai", "demo@gmail.com", "1234567890", "9999999999", "B68t19"),
    (6, "default", "Trisul Network Analytics", "India", "test@gmail.com", "3333333333",
     "5555555555", "Xlr8d3"),
]
NOT_FOUND = "IPDR Customer not found"

SCHEMA = """
CREATE TABLE users (username TEXT PRIMARY KEY, api_token TEXT);
CREATE TABLE contexts (name TEXT PRIMARY KEY);
CREATE TABLE grants (username TEXT, context TEXT, PRIMARY KEY (username, context));
CREATE TABLE customers (
    id INTEGER PRIMARY KEY AUTOINCREMENT, context TEXT NOT NULL,
    Name TEXT, Address TEXT, Email TEXT, PhoneNumber TEXT, AltPhoneNumber TEXT,
    UserID TEXT NOT NULL, UNIQUE (context, UserID));
CREATE INDEX customers_context ON customers (context);
"""


def answer(body, status=200):
    return json_answer(json.dumps(body), status)


def json_answer(text, status=200):
    return Response(text, status=status, mimetype="application/json")


def error(message, status=200, case="Error"):
    return answer({"status": case, "message": message}, status)


def text_or_null(value):
    """Rails string columns: numbers arrive as their text, null stays null."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


class RailsMemberId(PathConverter):
    """A member's id as Rails' ``:id(.:format)`` reads it: the text before the first
    dot (``a.b`` is customer ``a``, in format ``b``)."""

    def to_python(self, value):
        return value.split(".", 1)[0]


class IpdrEmulator(Emulator):
    name = "ipdr"
    base_path = "/"
    schema = SCHEMA
    options = ()

    harness = {"ipdr": {}}
    demo = {"port": 18084, "config": {}}

    def seed(self, db):
        db.executemany("INSERT INTO users VALUES (?, ?)", USERS)
        db.executemany("INSERT INTO contexts VALUES (?)", [(c,) for c in CONTEXTS])
        db.executemany("INSERT INTO grants VALUES (?, ?)", GRANTS)
        db.executemany("INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?, ?, ?)", CUSTOMERS)

    def generate(self, db, count, prefix, start):
        db.executemany(
            "INSERT INTO customers (context, Name, Address, Email, PhoneNumber, UserID) "
            "VALUES ('default', ?, 'Chennai', ?, ?, ?)",
            (("%s Customer %06d" % (prefix, n), "%s%06d@example.net" % (prefix.lower(), n),
              "9%09d" % n, "%s-%06d" % (prefix, n)) for n in range(start, start + count)))

    # --- wire helpers --------------------------------------------------------
    @staticmethod
    def body():
        """The JSON body, parsed only when sent as JSON (Rails' params parser)."""
        if not request.is_json:
            return {}
        data = parse_json(request.get_data(as_text=True))
        return data if isinstance(data, dict) else {}

    def authorise(self, body):
        """(context, None) when the body's credentials may use its context; else (None, refusal)."""
        user = self.store.one(
            "SELECT * FROM users WHERE username = ? AND api_token = ?",
            (str(body.get("username")), str(body.get("api_token"))),
        )
        if not user or not body.get("api_token"):
            return None, error("Invalid API token", case="ERROR")
        context = body.get("contextname")
        context = "" if context is None else str(context)
        if not self.store.one("SELECT name FROM contexts WHERE name = ?", (context,)):
            return None, error("Invalid Context name - %s" % context)
        if not self.store.one(
            "SELECT 1 AS ok FROM grants WHERE username = ? AND context = ?",
            (user["username"], context),
        ):
            return None, error(
                "The user (%s) is not allowed to access the context %s"
                % (user["username"], context)
            )
        return context, None

    @staticmethod
    def shape(row):
        record = {"id": row["id"]}
        record.update((field, row[field]) for field in FIELDS)
        return record

    def find(self, context, user_id):
        return self.store.one(
            "SELECT * FROM customers WHERE context = ? AND UserID = ?", (context, user_id)
        )

    @staticmethod
    def missing(body, required):
        absent = [field for field in required if body.get(field) in (None, "")]
        if absent:
            return error("Missing required fields: %s" % ", ".join(absent))
        return None

    # --- endpoints -------------------------------------------------------------
    def routes(self):
        # A context's whole list (200,000 customers), read once per shard of a run.
        self.listed = KeptAnswers(self.store, keep=8)
        self.app.url_map.converters["rails_id"] = RailsMemberId
        collection, member = "/api/ipdrcustomers", "/api/ipdrcustomers/<rails_id:user_id>"
        self.route(collection, "read", ("GET",), "GET ipdrcustomers")(self.list_customers)
        self.route(collection, "write", ("POST",), "POST ipdrcustomers")(self.create)
        self.route(member, "read", ("GET",), "GET ipdrcustomers/id")(self.show)
        self.route(member, "write", ("PUT",), "PUT ipdrcustomers/id")(self.replace)
        self.route(member, "write", ("PATCH",), "PATCH ipdrcustomers/id")(self.patch)
        self.route(member, "write", ("DELETE",), "DELETE ipdrcustomers/id")(self.delete)

    def list_customers(self):
        context, refused = self.authorise(self.body())
        if refused:
            return refused
        text = self.listed.get(context, lambda: json.dumps([
            self.shape(row) for row in self.store.query(
                "SELECT * FROM customers WHERE context = ? ORDER BY id", (context,))]))
        return json_answer(text)

    def create(self):
        body = self.body()
        context, refused = self.authorise(body)
        if refused:
            return refused
        incomplete = self.missing(body, ("UserID", "Name"))
        if incomplete:
            return incomplete
        user_id = text_or_null(body["UserID"])
        values = {field: text_or_null(body.get(field)) for field in FIELDS}
        values.update(context=context, UserID=user_id)
        # The check and the insert at once: two creates of one UserID at the same
        # time get the validation's answer, not the unique index's 500.
        with self.store.lock:
            if self.find(context, user_id):
                return error("UserID has already been taken")
            with self.store.transaction() as db:
                db.execute(
                    "INSERT INTO customers (context, Name, Address, Email, PhoneNumber, "
                    "AltPhoneNumber, UserID) VALUES (:context, :Name, :Address, :Email, "
                    ":PhoneNumber, :AltPhoneNumber, :UserID)",
                    values,
                )
        return answer(self.shape(self.find(context, user_id)))

    def existing(self, body, user_id):
        """(context, row, None) for the customer a request names, or (.., .., the refusal)."""
        context, refused = self.authorise(body)
        if refused:
            return context, None, refused
        row = self.find(context, user_id)
        if row is None:
            return context, None, error(NOT_FOUND, status=422)
        return context, row, None

    def show(self, user_id):
        row, refused = self.existing(self.body(), user_id)[1:]
        return refused or answer(self.shape(row))

    def replace(self, user_id):
        return self.write(user_id, complete=True)

    def patch(self, user_id):
        return self.write(user_id, complete=False)

    def write(self, user_id, complete):
        body = self.body()
        context, row, refused = self.existing(body, user_id)
        if refused:
            return refused
        if complete:
            # PUT replaces the record: every field must be given, as the seed says.
            incomplete = self.missing(body, FIELDS)
            if incomplete:
                return incomplete
        if "UserID" in body and text_or_null(body["UserID"]) != user_id:
            return error("UserID cannot be changed")
        values = dict(
            (field, text_or_null(body[field])) for field in FIELDS[:-1] if field in body
        )
        if values:
            assignments = ", ".join("%s = :%s" % (field, field) for field in values)
            with self.store.transaction() as db:
                db.execute(
                    "UPDATE customers SET %s WHERE id = :id" % assignments,
                    dict(values, id=row["id"]),
                )
        return answer(self.shape(self.find(context, user_id)))

    def delete(self, user_id):
        row, refused = self.existing(self.body(), user_id)[1:]
        if refused:
            return refused
        with self.store.transaction() as db:
            db.execute("DELETE FROM customers WHERE id = ?", (row["id"],))
        return answer(self.shape(row))
