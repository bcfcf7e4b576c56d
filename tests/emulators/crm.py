"""Emulator of the neuCRM customer API (seed 001, CONTRACTS §2).

Serves ``POST /api/customer/{list,create,update,delete}``; every call is a
form-encoded body carrying ``userid`` and ``api_key``. Every answer is the
envelope ``{"result": <value>, "error": null}`` or ``{"result": null,
"error": "<text>"}``: create answers the new customer id as an integer,
update and delete answer ``"done"``.

Where CONTRACTS.md says *unknown*, this emulator picks one behaviour (the
client accepts the plausible others):

* errors come with **HTTP 200** and the error envelope, never another status;
* ``list`` answers ``{"result": [<customer>, ...]}``; an empty page is ``[]``;
  ``show_count=1`` answers ``{"result": <int>}``;
* list rows hold every stored field as PHP/MySQL hands them out: **strings**
  (``"id": "1243"``, ``"resellerid": "1"``) and null; ``--native-types``
  answers ids as JSON numbers instead. Fields: ``id ispid resellerid type
  name surname dob mobile email uniqueid zipcode state city street notes
  serviceid username created``; an unset ``dob`` reads ``"0000-00-00"`` as
  MySQL's zero date;
* ``rows_limit`` above 100 is quietly cut to 100; a non-number, a negative
  number or an unknown sort field is an error;
* numbers (ids, ``rows_limit``, ``rows_offset``) are ASCII digits that a SQL
  integer holds: any other (``²``, ``1e3``, 10^30) is ``Invalid <field>`` (the
  ``userid`` ``Invalid userid or api_key``, an update's or delete's
  ``customerid`` ``Customer not found``);
* ``uniqueid`` is **not** unique on the server: a create sent twice makes two
  customers that share it (so a client must never resend a create blindly);
* ``type`` is accepted in any case and stored as ``Individual`` or
  ``Organisation``; dates must be ``yyyy-mm-dd``;
* every form value is **stripped** of leading and trailing whitespace before it
  is checked or stored (``name=" A "`` stores ``A``), so a client must compare
  trimmed text;
* an update writes every parameter it is sent; an empty value clears an
  optional field (surname, dob, uniqueid, notes) and is refused for a
  required one;
* an API user sees and writes only the customers of its own ISP (or
  reseller); ``ispid`` and ``resellerid`` on create are taken from the user
  when it belongs to one, are required otherwise, and must name a reseller
  of that ISP;
* error texts: ``Invalid userid or api_key``, ``<field> is required``,
  ``Invalid <field>``, ``Customer not found``, ``Access denied for <field>``.

Seeded with three API users: ``5`` (the seed's api_key, belongs to ISP 1),
``7`` (belongs to reseller 2 of ISP 1) and ``1`` (administrator, no ISP),
and 240 customers of ISP 1 across resellers 1 (130) and 2 (110), plus 12 of
ISP 2's reseller 9 that user 5 cannot see. Reseller 3 of ISP 1 starts empty.

Every list filter is an index: the visibility columns, the equality filters
(case-insensitive ones with ``NOCASE`` indexes), ``created``; a ``name`` or
``username`` pattern that starts with text uses its ``NOCASE`` index (SQLite's
LIKE optimisation), one that starts with a wildcard the trigram index
``customer_names`` (candidates, which the LIKE itself then confirms) when it
holds three characters in a row without a wildcard — a shorter pattern reads
every visible customer. Paging sorted by ``id`` continues from where the last
page ended and counts are kept while nothing is written
(:mod:`tests.emulators.paging`); sorting by ``name``, ``mobile`` or ``email``
sorts the matching customers for each page. A list's answers are kept until the
next write and given again (:mod:`tests.emulators.kept`): each shard of a run
reads the same pages.

Generated records (``--seed-records N``, ``POST /_emulator/seed``): customer
``n`` of ISP 1, reseller 1: ``uniqueid`` ``<prefix>-<n, 6 digits>``
(``SEED-000001``), ``name`` ``<prefix> Customer <n, 6 digits>``, ``type``
``Individual``, ``mobile`` ``7`` + ``n`` in 9 digits, ``email``
``<prefix lower-case><n, 6 digits>@example.net``, ``username``
``ppp_<prefix lower-case>_<n, 6 digits>``, ``street`` ``<n> <prefix> Street``,
the seed's cities in turn, ``created`` ``2025-01-01``, no surname, dob,
notes or serviceid; the prefix takes letters, digits and ``_``.
"""

import datetime
import re

from tests.emulators.core import Emulator, sql_id
from tests.emulators.fulltext import bulk_insert, like_narrows, trigram_index
from tests.emulators.kept import KeptAnswers
from tests.emulators.paging import Pager

SEED_API_KEY = "0f9895fb407c83e5ea128082098b47681aa75d6944576423c4"
API_USERS = [
    (5, SEED_API_KEY, 1, None),
    (7, "7c1ad4e0b3f2a95d86e1f0c4b2a7d9e3f5a1c8b6d4e2f0a9b7c5", 1, 2),
    (1, "a1d0c6e83f2b5a7c9e4d1f8b3a6c0e9d2f5b8a1c4e7d0f3b6a9c", None, None),
]
# reseller id -> ISP id
RESELLERS = {1: 1, 2: 1, 3: 1, 9: 2}
TYPES = ("Individual", "Organisation")
REQUIRED_ON_CREATE = ("type", "name", "mobile", "email", "zipcode", "state", "city", "street")
OPTIONAL = ("surname", "dob", "uniqueid", "notes")
WRITABLE = REQUIRED_ON_CREATE + OPTIONAL
LIST_FIELDS = ("id", "ispid", "resellerid", "type", "name", "surname", "dob", "mobile", "email",
               "uniqueid", "zipcode", "state", "city", "street", "notes", "serviceid",
               "username", "created")
NUMERIC = ("id", "ispid", "resellerid", "serviceid")
SORT_FIELDS = ("id", "name", "mobile", "email")
MAX_ROWS = 100
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
PREFIX = re.compile(r"^\w+\Z", re.ASCII)
# list filters: integers compared as they are, texts compared ignoring case, LIKE patterns
EXACT_FILTERS = ("ispid", "resellerid", "customerid", "serviceid")
NOCASE_FILTERS = ("type", "mobile", "email", "zipcode", "state", "city")
PATTERN_FILTERS = ("username", "name")

SCHEMA = """
CREATE TABLE api_users (userid INTEGER PRIMARY KEY, api_key TEXT, ispid INTEGER,
                        resellerid INTEGER);
CREATE TABLE resellers (id INTEGER PRIMARY KEY, ispid INTEGER);
CREATE TABLE customers (
    id INTEGER PRIMARY KEY AUTOINCREMENT, ispid INTEGER, resellerid INTEGER, type TEXT,
    name TEXT, surname TEXT, dob TEXT, mobile TEXT, email TEXT, uniqueid TEXT, zipcode TEXT,
    state TEXT, city TEXT, street TEXT, notes TEXT, serviceid INTEGER, username TEXT,
    created TEXT);
CREATE INDEX customers_ispid ON customers (ispid);
CREATE INDEX customers_resellerid ON customers (resellerid);
CREATE INDEX customers_serviceid ON customers (serviceid);
CREATE INDEX customers_created ON customers (created);
CREATE INDEX customers_name ON customers (name COLLATE NOCASE);
CREATE INDEX customers_username ON customers (username COLLATE NOCASE);
CREATE INDEX customers_type ON customers (type COLLATE NOCASE);
CREATE INDEX customers_mobile ON customers (mobile COLLATE NOCASE);
CREATE INDEX customers_email ON customers (email COLLATE NOCASE);
CREATE INDEX customers_zipcode ON customers (zipcode COLLATE NOCASE);
CREATE INDEX customers_state ON customers (state COLLATE NOCASE);
CREATE INDEX customers_city ON customers (city COLLATE NOCASE);
""" + trigram_index("customer_names", "customers", ("name", "username"))
CITIES = [("Goa", "Panaji", "403001"), ("Goa", "Margao", "403601"),
          ("Kerala", "Kochi", "682001"), ("Karnataka", "Mangaluru", "575001")]


def seed_customers():
    """240 customers of ISP 1 (resellers 1 and 2) and 12 of ISP 2, ids from 1001."""
    rows = []
    plan = [(1, 1, 130), (1, 2, 110), (2, 9, 12)]
    number = 0
    for ispid, resellerid, count in plan:
        for _index in range(count):
            number += 1
            state, city, zipcode = CITIES[number % len(CITIES)]
            kind = "Organisation" if number % 7 == 0 else "Individual"
            rows.append(dict(
                id=1000 + number, ispid=ispid, resellerid=resellerid, type=kind,
                name="Seed Customer %03d" % number, surname=None if number % 3 else "Rao",
                dob="1980-01-%02d" % (number % 28 + 1) if number % 2 else None,
                mobile="98%08d" % number, email="seed%03d@example.net" % number,
                uniqueid="SEED-%04d" % number, zipcode=zipcode, state=state, city=city,
                street="%d Seed Street" % number, notes=None,
                serviceid=5000 + number if number % 4 else None,
                username="ppp_seed_%03d" % number if number % 4 else None,
                created="2025-%02d-%02d" % (number % 12 + 1, number % 28 + 1)))
    return rows


GENERATED_COLUMNS = ("ispid", "resellerid", "type", "name", "mobile", "email", "uniqueid",
                     "zipcode", "state", "city", "street", "username", "created")


def generated_customers(prefix, start, count):
    """The rows (GENERATED_COLUMNS) of :meth:`CrmEmulator.generate`."""
    lower = prefix.lower()
    for n in range(start, start + count):
        state, city, zipcode = CITIES[n % len(CITIES)]
        yield (1, 1, "Individual", "%s Customer %06d" % (prefix, n), "7%09d" % n,
               "%s%06d@example.net" % (lower, n), "%s-%06d" % (prefix, n), zipcode, state, city,
               "%d %s Street" % (n, prefix), "ppp_%s_%06d" % (lower, n), "2025-01-01")


class CrmEmulator(Emulator):
    name = "crm"
    base_path = "/"
    schema = SCHEMA
    options = (
        ("--native-types", dict(action="store_true", default=None,
                                help="answer ids as JSON numbers, not PHP strings")),
    )

    harness = {"crm": {}}
    demo = {"port": 18082, "config": {}}

    def default_config(self):
        return dict(native_types=False)

    def seed(self, db):
        db.executemany("INSERT INTO api_users VALUES (?, ?, ?, ?)", API_USERS)
        db.executemany("INSERT INTO resellers VALUES (?, ?)", sorted(RESELLERS.items()))
        columns = LIST_FIELDS
        db.executemany(
            "INSERT INTO customers (%s) VALUES (%s)"
            % (", ".join(columns), ", ".join(":" + c for c in columns)),
            seed_customers())

    def generate(self, db, count, prefix, start):
        if not PREFIX.match(prefix):
            raise ValueError("a CRM seed prefix takes letters, digits and _ only: %r" % prefix)
        bulk_insert(db, "customers", GENERATED_COLUMNS, generated_customers(prefix, start, count),
                    indexes=("customer_names",))

    def routes(self):
        self.pager = Pager(self.store)
        # Every page of a 200,000-customer list (2,225 of 100 rows, about 35 kB each),
        # read once per shard of a run.
        self.pages = KeptAnswers(self.store, keep=2500)
        self.route("/api/customer/list", "read", counter="list", fast=("POST",))(
            self.list_customers)
        self.route("/api/customer/create", "write", counter="create")(self.create_customer)
        self.route("/api/customer/update", "write", counter="update")(self.update_customer)
        self.route("/api/customer/delete", "write", counter="delete")(self.delete_customer)

    # --- request helpers -------------------------------------------------------
    def form(self):
        return {key: value.strip() for key, value in self.request.form.items()}

    def envelope(self, result=None, error=None):
        """Every answer, success or failure, is HTTP 200 with this envelope (Flask's
        jsonify, without its globals: the fast path serves the list)."""
        return self.app.json.response(result=result, error=error)

    def api_user(self, form):
        user, userid = None, sql_id(form.get("userid", ""))
        if userid is not None:
            user = self.store.one("SELECT * FROM api_users WHERE userid = ?", (userid,))
        if user is None or not form.get("api_key") or user["api_key"] != form["api_key"]:
            return None
        return user

    @staticmethod
    def visible(user):
        """SQL condition and arguments limiting customers to what ``user`` may see."""
        if user["resellerid"] is not None:
            return "resellerid = ?", [user["resellerid"]]
        if user["ispid"] is not None:
            return "ispid = ?", [user["ispid"]]
        return "1 = 1", []

    def shape(self, row):
        record = {field: row[field] for field in LIST_FIELDS}
        record["dob"] = record["dob"] or "0000-00-00"
        for field in NUMERIC:
            if record[field] is not None and not self.config["native_types"]:
                record[field] = str(record[field])
        return record

    def find(self, user, form):
        """The customer ``customerid`` names, if ``user`` may see it."""
        customerid = sql_id(form.get("customerid", ""))
        if customerid is None:
            return None
        where, args = self.visible(user)
        return self.store.one("SELECT * FROM customers WHERE id = ? AND " + where,
                              [customerid] + args)

    @staticmethod
    def invalid_value(form, names, allow_empty):
        """The error text for the first bad value among ``names``, or None."""
        for name in names:
            if name not in form:
                continue
            value = form[name]
            if value == "":
                if name in allow_empty:
                    continue
                return "%s is required" % name
            if name == "type" and value.capitalize() not in TYPES:
                return "Invalid type. Allowed values are: Individual, Organisation"
            if name == "dob" and not valid_date(value):
                return "Invalid dob. Use yyyy-mm-dd format"
            if name == "email" and not EMAIL.match(value):
                return "Invalid email"
        return None

    # --- endpoints -------------------------------------------------------------
    def list_customers(self):
        form = self.form()
        # The answer is all the form's and the config's, but for the stored data.
        asked = (tuple(sorted(form.items())), self.config["native_types"])
        answer = self.pages.get(asked, lambda: self.list_answer(form).get_data())
        return self.app.response_class(answer, mimetype="application/json")

    def list_answer(self, form):
        user = self.api_user(form)
        if user is None:
            return self.envelope(error="Invalid userid or api_key")
        conditions = list_conditions(user, form)
        if isinstance(conditions, str):
            return self.envelope(error=conditions)
        source, where, args = conditions
        if form.get("show_count") == "1":
            return self.envelope(result=self.pager.count(source, where, args))
        paging = self.paging(form)
        if isinstance(paging, str):
            return self.envelope(error=paging)
        limit, offset, sort_field, sort_order = paging
        if sort_field == "id":
            rows = self.pager.page("SELECT * FROM " + source, where, args,
                                   sort_order == "DESC", limit, offset)
        else:
            rows = self.store.query(
                "SELECT * FROM %s WHERE %s ORDER BY %s %s, id ASC LIMIT ? OFFSET ?"
                % (source, " AND ".join(where), sort_field, sort_order), args + [limit, offset])
        return self.envelope(result=[self.shape(row) for row in rows])

    @staticmethod
    def paging(form):
        """(limit, offset, sort field, sort order) from the form, or an error text."""
        limit = sql_id(form.get("rows_limit") or "10")
        offset = sql_id(form.get("rows_offset") or "0")
        if limit is None or limit < 1:
            return "Invalid rows_limit"
        if offset is None:
            return "Invalid rows_offset"
        sort_field = form.get("sort_field") or "id"
        sort_order = (form.get("sort_order") or "asc").lower()
        if sort_field not in SORT_FIELDS:
            return "Invalid sort_field. Allowed values are: id, name, mobile, email"
        if sort_order not in ("asc", "desc"):
            return "Invalid sort_order. Allowed values are: asc, desc"
        return min(limit, MAX_ROWS), offset, sort_field, sort_order.upper()

    def create_customer(self):
        form = self.form()
        user = self.api_user(form)
        if user is None:
            return self.envelope(error="Invalid userid or api_key")
        owner = self.owner(user, form)
        if isinstance(owner, str):
            return self.envelope(error=owner)
        for name in REQUIRED_ON_CREATE:
            if not form.get(name):
                return self.envelope(error="%s is required" % name)
        problem = self.invalid_value(form, WRITABLE, OPTIONAL)
        if problem:
            return self.envelope(error=problem)
        values = {name: form.get(name) or None for name in WRITABLE}
        values["type"] = values["type"].capitalize()
        values.update(owner, created=datetime.date.today().isoformat())
        columns = sorted(values)
        with self.store.transaction() as db:
            cursor = db.execute(
                "INSERT INTO customers (%s) VALUES (%s)"
                % (", ".join(columns), ", ".join(":" + c for c in columns)), values)
            new_id = cursor.lastrowid
        return self.envelope(result=new_id)

    def owner(self, user, form):
        """{ispid, resellerid} of a new customer, or the error text."""
        given = {name: form.get(name) for name in ("ispid", "resellerid")}
        for name, value in given.items():
            if value and sql_id(value) is None:
                return "Invalid %s" % name
        ispid = sql_id(given["ispid"]) if given["ispid"] else user["ispid"]
        resellerid = sql_id(given["resellerid"]) if given["resellerid"] else user["resellerid"]
        if ispid is None:
            return "ispid is required"
        if resellerid is None:
            return "resellerid is required"
        if user["ispid"] is not None and ispid != user["ispid"]:
            return "Access denied for ispid"
        if user["resellerid"] is not None and resellerid != user["resellerid"]:
            return "Access denied for resellerid"
        reseller = self.store.one("SELECT ispid FROM resellers WHERE id = ?", (resellerid,))
        if reseller is None or reseller["ispid"] != ispid:
            return "Invalid resellerid"
        return dict(ispid=ispid, resellerid=resellerid)

    def addressed(self, form):
        """(customer, None) for the customer an update or delete names, or (None, refusal)."""
        user = self.api_user(form)
        if user is None:
            return None, self.envelope(error="Invalid userid or api_key")
        if not form.get("customerid"):
            return None, self.envelope(error="customerid is required")
        target = self.find(user, form)
        if target is None:
            return None, self.envelope(error="Customer not found")
        return target, None

    def update_customer(self):
        form = self.form()
        target, refused = self.addressed(form)
        if refused:
            return refused
        problem = self.invalid_value(form, WRITABLE, OPTIONAL)
        if problem:
            return self.envelope(error=problem)
        if form.get("reset_password", "N").upper() not in ("Y", "N"):
            return self.envelope(error="Invalid reset_password. Allowed values are: Y, N")
        values = {name: form[name] or None for name in WRITABLE if name in form}
        if values.get("type"):
            values["type"] = values["type"].capitalize()
        if values:
            assignments = ", ".join("%s = :%s" % (name, name) for name in sorted(values))
            with self.store.transaction() as db:
                db.execute("UPDATE customers SET %s WHERE id = :target" % assignments,
                           dict(values, target=target["id"]))
        elif form.get("reset_password", "").upper() == "Y":
            # A password reset alone still changes the customer's portal login.
            with self.store.transaction() as db:
                db.execute("UPDATE customers SET id = id WHERE id = ?", (target["id"],))
        return self.envelope(result="done")

    def delete_customer(self):
        target, refused = self.addressed(self.form())
        if refused:
            return refused
        with self.store.transaction() as db:
            db.execute("DELETE FROM customers WHERE id = ?", (target["id"],))
        return self.envelope(result="done")


def list_conditions(user, form):
    """(table, SQL conditions, arguments) of a list request, or the error text.

    Every filter is an indexed column. The visibility condition leads only
    when no filter is given: beside a filter it is written ``+column`` (not
    an index), since a reseller's customers may be all 200,000 and SQLite,
    without statistics, would otherwise pick either index. A range of
    ``created`` alone names its index: SQLite would rather read every row in
    id order, expecting a page to fill quickly, than look the range up.
    """
    where, args = CrmEmulator.visible(user)
    conditions, filter_args = [], []
    for name in EXACT_FILTERS:
        if form.get(name):
            if sql_id(form[name]) is None:
                return "Invalid %s" % name
            conditions.append("%s = ?" % ("id" if name == "customerid" else name))
            filter_args.append(sql_id(form[name]))
    for name in PATTERN_FILTERS:
        if form.get(name):
            conditions.append("%s LIKE ?" % name)
            filter_args.append(form[name])
            if like_narrows(form[name]):
                conditions.append("id IN (SELECT rowid FROM customer_names WHERE %s LIKE ?)"
                                  % name)
                filter_args.append(form[name])
    for name in NOCASE_FILTERS:
        if form.get(name):
            conditions.append("%s = ? COLLATE NOCASE" % name)
            filter_args.append(form[name])
    for name, operator in (("created_from", ">="), ("created_upto", "<=")):
        if form.get(name):
            if not valid_date(form[name]):
                return "Invalid %s. Use yyyy-mm-dd format" % name
            conditions.append("created %s ?" % operator)
            filter_args.append(form[name])
    if conditions and where != "1 = 1":
        where = "+" + where
    source = "customers"
    if conditions and all(condition.startswith("created ") for condition in conditions):
        source = "customers INDEXED BY customers_created"
    return source, [where] + conditions, args + filter_args


def valid_date(text):
    if not DATE.match(text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True
