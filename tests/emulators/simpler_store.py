"""How the SIMPLer emulator keeps customers and equipment, and finds them by index.

A customer row holds the record whole as JSON (``data``: what
getCustomerData answers) and, beside it, each text searchCustomer compares:
the summary's fields as searchCustomer reports them (``city`` is the
record's ``town``, ``firstname`` the name up to its first space, ...) plus
``nickname`` and ``invoicingid``, each once as it is (the case-sensitive
search) and once lower-cased by Python's ``str.lower()`` (``lc_<field>``, the
case-insensitive search compares exactly that). The lower-cased copies are
indexed by trigrams (:mod:`tests.emulators.fulltext`): a search for three
characters or more in a row reads only the customers that contain them. An
equipment row holds its record as JSON and the columns listEquipment
filters on, indexed the same way.

Every write of a customer or an item goes through the functions here, so the
columns never disagree with ``data``.
"""

import json
import re

from tests.emulators.fulltext import bulk_insert, candidates, trigram_index

SEARCH_FIELDS = ("city", "country", "county", "customerid", "customerstatus", "email",
                 "firstname", "lastname", "phone", "postcode", "state", "street1", "street2")
# searchCustomer's text fields: the summary's, then two that only the search takes
SEARCH_TEXT = tuple(field for field in SEARCH_FIELDS if field != "customerid") + (
    "nickname", "invoicingid")
SEARCH_KEYS = SEARCH_FIELDS + ("nickname", "invoicingid")
EQUIPMENT_TEXT = ("nickname", "macaddress")
# The condition that limits a search to the candidates a trigram index found.
NARROWED = "id IN (SELECT value FROM json_each(?))"
# What a search by id compares: the id as the record writes it (no sign, no zeros before it).
ID_TEXT = re.compile(r"^(0|[1-9][0-9]{0,17})$")


def lowered(fields):
    return tuple("lc_" + field for field in fields)


SCHEMA = """
CREATE TABLE accounts (username TEXT, password TEXT, operator TEXT);
CREATE TABLE customers (id INTEGER PRIMARY KEY AUTOINCREMENT, nickname TEXT UNIQUE,
    invoicingid TEXT UNIQUE, data TEXT, %(customer_columns)s);
CREATE INDEX customers_firstname ON customers (firstname);
CREATE INDEX customers_lastname ON customers (lastname);
CREATE TABLE attachments (id INTEGER PRIMARY KEY AUTOINCREMENT, customerid INTEGER,
    kind TEXT, data TEXT);
CREATE INDEX attachments_customer ON attachments (customerid, kind);
CREATE TABLE equipment (id INTEGER PRIMARY KEY AUTOINCREMENT, nickname TEXT UNIQUE, data TEXT,
    ipaddress TEXT, type TEXT, %(equipment_columns)s);
CREATE INDEX equipment_ipaddress ON equipment (ipaddress);
CREATE INDEX equipment_type ON equipment (type);
""" % {
    "customer_columns": ", ".join(
        "%s TEXT" % column for column in SEARCH_TEXT[:-2] + lowered(SEARCH_TEXT)),
    "equipment_columns": ", ".join("%s TEXT" % column for column in lowered(EQUIPMENT_TEXT)),
} + trigram_index("customer_search", "customers", lowered(SEARCH_TEXT), case_sensitive=True) \
  + trigram_index("equipment_search", "equipment", lowered(EQUIPMENT_TEXT), case_sensitive=True)

# What searchCustomer reads of each customer it finds (see summary_of).
SUMMARY_SELECT = "SELECT id, %s FROM customers" % ", ".join(SEARCH_TEXT[:-2])
SUMMARIES_BY_ID = SUMMARY_SELECT + " WHERE id IN (SELECT value FROM json_each(?))"
CUSTOMER_COLUMNS = ("nickname", "invoicingid", "data") + SEARCH_TEXT[:-2] + lowered(SEARCH_TEXT)
EQUIPMENT_COLUMNS = ("nickname", "data", "ipaddress", "type") + lowered(EQUIPMENT_TEXT)


def search_summary(record):
    """A customer as searchCustomer reports it (name split at the first white space)."""
    first, dummy, last = record["name"].partition(" ")
    return {
        "city": record["town"], "country": record["country"], "county": record["county"],
        "customerid": record["id"], "customerstatus": record["status"],
        "email": record["email"], "firstname": first, "lastname": last.strip(),
        "phone": record["phone"], "postcode": record["zip"], "state": record["state"],
        "street1": record["street"], "street2": record["street2"],
    }


def summary_of(row):
    """searchCustomer's summary of a customer, from the row SUMMARY_SELECT reads."""
    return {field: str(row["id"]) if field == "customerid" else row[field]
            for field in SEARCH_FIELDS}


def customer_columns(record):
    """Every column of a customer's row, from its record."""
    summary = search_summary(record)
    texts = dict(summary, nickname=record["nickname"], invoicingid=record["invoicingid"])
    values = {field: texts[field] for field in SEARCH_TEXT}
    values.update(("lc_" + field, texts[field].lower()) for field in SEARCH_TEXT)
    values["data"] = json.dumps(record)
    return values


def equipment_columns(record):
    values = {field: record[field] for field in ("nickname", "ipaddress", "type")}
    values.update(("lc_" + field, record[field].lower()) for field in EQUIPMENT_TEXT)
    values["data"] = json.dumps(record)
    return values


def _insert(table, columns, with_id=False):
    names = (("id",) if with_id else ()) + columns
    return "INSERT INTO %s (%s) VALUES (%s)" % (
        table, ", ".join(names), ", ".join(":" + name for name in names))


def _update(table, columns):
    return "UPDATE %s SET %s WHERE id = :id" % (
        table, ", ".join("%s = :%s" % (name, name) for name in columns))


INSERT_CUSTOMER = _insert("customers", CUSTOMER_COLUMNS)
UPDATE_CUSTOMER = _update("customers", CUSTOMER_COLUMNS)
INSERT_EQUIPMENT = _insert("equipment", EQUIPMENT_COLUMNS)
INSERT_EQUIPMENT_WITH_ID = _insert("equipment", EQUIPMENT_COLUMNS, with_id=True)
UPDATE_EQUIPMENT = _update("equipment", EQUIPMENT_COLUMNS)


def add_customers(db, records):
    """Insert customers whose records name their ids, in one statement."""
    bulk_insert(db, "customers", ("id",) + CUSTOMER_COLUMNS,
                (_row(record, customer_columns(record), CUSTOMER_COLUMNS) for record in records),
                indexes=("customer_search",))


def add_equipment_items(db, records):
    """Insert items whose records name their ids, in one statement."""
    bulk_insert(db, "equipment", ("id",) + EQUIPMENT_COLUMNS,
                (_row(record, equipment_columns(record), EQUIPMENT_COLUMNS) for record in records),
                indexes=("equipment_search",))


def _row(record, values, columns):
    return (int(record["id"]),) + tuple(values[name] for name in columns)


def _insert(db, table, statement, columns, record):
    """Insert a row; the id SQLite gives it is set in ``record`` and in the stored JSON."""
    cursor = db.execute(statement, columns)
    record["id"] = str(cursor.lastrowid)
    db.execute("UPDATE %s SET data = ? WHERE id = ?" % table,
               (json.dumps(record), cursor.lastrowid))


def add_customer(db, record):
    """Insert a customer; its ``id`` is set in ``record`` (and in the stored JSON)."""
    _insert(db, "customers", INSERT_CUSTOMER, customer_columns(record), record)


def save_customer(db, record):
    db.execute(UPDATE_CUSTOMER, dict(customer_columns(record), id=int(record["id"])))


def add_equipment(db, record):
    """Insert an item; its ``id`` is set in ``record``, unless the record names one."""
    if record["id"]:
        db.execute(INSERT_EQUIPMENT_WITH_ID, dict(equipment_columns(record), id=int(record["id"])))
        return
    _insert(db, "equipment", INSERT_EQUIPMENT, equipment_columns(record), record)


def save_equipment(db, record):
    db.execute(UPDATE_EQUIPMENT, dict(equipment_columns(record), id=int(record["id"])))


def next_id(db, table):
    """The id AUTOINCREMENT would give the next row of ``table``."""
    return db.execute(
        "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?), 0), "
        "COALESCE((SELECT MAX(id) FROM %s), 0)) + 1" % table, (table,)).fetchone()[0]


def id_condition(value):
    """The condition of a search by id: the record's id text equals ``value`` stripped."""
    text = str(value).strip()
    if ID_TEXT.match(text):
        return "id = ?", [int(text)]
    return "0", []  # no id is written that way


def text_conditions(fields, sensitive, index, query):
    """(conditions, arguments, candidates) for ``field contains text`` for each (field,
    text): ``instr`` decides, on the rows the trigram table ``index`` narrows them to
    (that condition, when there is one, comes last, and ``candidates`` counts its
    rows; None: no index narrowed them). ``query(sql, args)`` looks the candidates up."""
    where, args, found = [], [], None
    for field, text in fields:
        folded = text.lower()
        where.append("instr(%s, ?) > 0" % (field if sensitive else "lc_" + field))
        args.append(text if sensitive else folded)
        # Text found as it is is found lower-cased too - for ASCII text. (Python
        # lower-cases a capital sigma by what follows it, so "ΑΣ" is in "ΑΣΑ"
        # while "ας" is not in "ασα".)
        if found != [] and (not sensitive or text.isascii()):
            ids = candidates(query, index, "lc_" + field, folded)
            if ids is not None:
                found = ids if found is None else sorted(set(found).intersection(ids))
    if found is None:
        return where, args, None
    return where + [NARROWED], args + [json.dumps(found)], len(found)


def customer_conditions(params, sensitive, given, query):
    """(conditions, arguments, candidates) of searchCustomer's filters, in the order
    they came (``candidates``: see :func:`text_conditions`)."""
    where, args, texts = [], [], []
    for key, value in params.items():
        if key not in SEARCH_KEYS or not given(params, key):
            continue
        if key == "customerid":
            condition, condition_args = id_condition(value)
            where.append(condition)
            args += condition_args
        else:
            texts.append((key, str(value)))
    text_where, text_args, narrowed_to = text_conditions(
        texts, sensitive, "customer_search", query)
    return (where + text_where or ["1 = 1"]), args + text_args, narrowed_to


def equipment_conditions(params, given, query):
    """(conditions, arguments) of listEquipment's filters."""
    where, args, texts = [], [], []
    if given(params, "id"):
        condition, condition_args = id_condition(params["id"])
        where.append(condition)
        args += condition_args
    if given(params, "ipaddress"):
        where.append("ipaddress = ?")
        args.append(str(params["ipaddress"]).strip())
    if given(params, "type"):
        where.append("type = ?")
        args.append(params["type"])
    for field in EQUIPMENT_TEXT:
        if given(params, field):
            texts.append((field, str(params[field])))
    text_where, text_args, _narrowed_to = text_conditions(
        texts, False, "equipment_search", query)
    return (where + text_where or ["1 = 1"]), args + text_args
