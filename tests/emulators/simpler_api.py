"""The SIMPLer functions themselves, one method each, shared by the REST and SOAP sides.

Each takes the call's parameters (name -> text) and returns the result: a
string (``OK``, ``OK:12``, an error message) or, for the query functions, a
structure the transport renders as JSON or as XML text.

Where the vendor document is silent these answers are this emulator's choice
(listed in :mod:`tests.emulators.simpler`'s docstring).
"""

import ipaddress
import json
import re
import time
from datetime import datetime

from tests.emulators import simpler_store as stored
from tests.emulators.core import sql_id
from tests.emulators.fulltext import FEW
from tests.emulators.paging import Pager

CUSTOMER_STATUSES = [
    "contract", "current", "enquiry", "installed", "migrated", "Nowy Status", "post",
    "potential", "simply failed", "survey failed", "unused", "waiting for install",
    "waiting for survey",
]
CUSTOMER_TYPES = ["customer business", "customer home", "reseller", "partner", "supplier",
                  "competitor", "gov"]
PAYMENT_METHODS = ["cash", "cheque", "credit card", "debit card", "direct debit",
                   "online transfer", "standing order"]
SEND_METHODS = ["mail", "pdf", "both", "none"]
CUSTOM_FIELDS = [("1", "Contract number"), ("2", "VLAN"), ("3", "Installer")]
ADDRESS_PARTS = ("street", "street2", "town", "county", "zip", "state")
INSTALL_PARTS = tuple("install" + part for part in ADDRESS_PARTS)
# write name -> read name, for the plain text fields of a customer
CUSTOMER_TEXT = {
    "name": "name", "nickname": "nickname", "invoicingid": "invoicingid", "type": "type",
    "email": "email", "phone_list_main": "phone", "fax": "fax", "website": "website",
    "accounts_email": "accountsemail", "support_email": "supportemail", "country": "country",
    "payment_method": "paymentmethod", "send_method": "sendmethod", "frequency": "frequency",
    "note": "note", "customer_tracking": "customer_tracking", "gpsx": "gpsx", "gpsy": "gpsy",
    "vat_exemption": "vat_exemption",
}
CUSTOMER_DATES = ("init_date", "startdate", "installdate")
EMPTY_CUSTOMER = dict(
    [(key, "") for key in (
        "id", "name", "nickname", "invoicingid", "status", "customerstatus1", "customerstatus2",
        "customerstatus3", "customerstatus4", "customerstatus5", "type", "email", "phone", "fax",
        "website", "accountsemail", "supportemail", "country", "paymentmethod", "sendmethod",
        "frequency", "note", "customer_tracking", "gpsx", "gpsy", "wibnumber", "init_date",
        "startdate", "installdate") + ADDRESS_PARTS + INSTALL_PARTS],
    vat_exemption="No",
)
EQUIPMENT_FIELDS = ("id", "date_added", "description", "imsi", "ipaddress", "ki", "macaddress",
                    "msisdn", "nickname", "opcode", "serialnumber", "sqn", "status", "type")
EQUIPMENT_WRITABLE = ("nickname", "ipaddress", "description", "serialnumber", "mac", "status",
                      "type")
SIM_FIELDS = ("imsi", "ki", "opcode", "msisdn", "sqn", "pin1", "pin2", "puk1", "adm1", "iccid")
NICKNAME = re.compile(r"^[A-Za-z0-9_]+$")
SEED_PREFIX = re.compile(r"^[A-Za-z0-9_]+\Z")
MAC = re.compile(r"^[0-9A-Fa-f]{2}([:-]?)(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}$")
SCHEMA = stored.SCHEMA
# What keeps a customer from being deleted (attachments.kind -> the server's words).
BLOCKERS = {"subscription": "subscriptions", "ip": "IP addresses", "cpe": "CPE/equipment details"}


def seed(db):
    db.execute("INSERT INTO accounts VALUES ('username', 'password', 'operator')")
    customers = [
        dict(EMPTY_CUSTOMER, name="Maciej Gawlowski", nickname="mgawlowskiXYZ193",
             invoicingid="mgawlowskiXYZ193", status="potential", customerstatus1="potential",
             type="customer home", street="Cieszynska 146", street2="Dom 4", town="London",
             county="43-428", zip="3", country="Poland", paymentmethod="direct debit",
             sendmethod="pdf", frequency="1", init_date="2011-03-01", startdate="2011-03-01",
             installdate="2011-03-01", custom={}),
        dict(EMPTY_CUSTOMER, name="Ada Current", nickname="adacurrent", invoicingid="ADA-0001",
             status="current", customerstatus1="current", type="customer business",
             email="ada@example.net", town="Wroclaw", country="Poland", custom={"1": "C-1"}),
    ]
    for record in customers:
        stored.add_customer(db, record)
    db.execute("INSERT INTO attachments (customerid, kind, data) VALUES (2, 'subscription', "
               "'{\"productid\": \"1\"}')")
    equipment = [
        dict(id="32", nickname="NS2", status="stock", description="3.2.3-rc",
             macaddress="00:15:6D:B7:FA:4E", type="nanostationsm", ipaddress="172.16.9.202"),
        dict(id="127", nickname="PPPoE-Stowe_Hollow_NAS_and_DSL", status="use",
             description="Stowe Hollow NAS", serialnumber="Router", ipaddress="64.222.83.40"),
    ]
    for item in equipment:
        record = {key: "" for key in EQUIPMENT_FIELDS}
        record.update(item, date_added="2016-08-10 05:49:50.297976")
        stored.add_equipment(db, record)


def generate(db, count, prefix, start):
    """``count`` customers and as many items of equipment, numbered from ``start``
    (the shapes are in :mod:`tests.emulators.simpler`'s docstring)."""
    nickname = prefix.lower()
    if not SEED_PREFIX.match(prefix):
        raise ValueError("a SIMPLer seed prefix takes letters, digits and _ only: %r" % prefix)
    first_customer, first_item = stored.next_id(db, "customers"), stored.next_id(db, "equipment")
    stored.add_customers(db, (generated_customer(first_customer + index, prefix, nickname, n)
                              for index, n in enumerate(range(start, start + count))))
    stored.add_equipment_items(db, (generated_equipment(first_item + index, nickname, n)
                                    for index, n in enumerate(range(start, start + count))))


def generated_customer(customerid, prefix, nickname, n):
    return dict(
        EMPTY_CUSTOMER, id=str(customerid), name="%s Customer %06d" % (prefix, n),
        nickname="%s_%06d" % (nickname, n), invoicingid="%s-%06d" % (prefix, n),
        status="potential", customerstatus1="potential", type="customer home",
        email="%s_%06d@example.net" % (nickname, n), street="%d %s Street" % (n, prefix),
        town="London", zip="%05d" % (n % 100000), country="Poland", init_date="2025-01-01",
        custom={})


def generated_equipment(equipid, nickname, n):
    record = {key: "" for key in EQUIPMENT_FIELDS}
    record.update(
        id=str(equipid), date_added="2025-01-01 00:00:00.000000", nickname="cpe_%s_%06d" % (
            nickname, n), type="nanostationsm", status="use",
        macaddress="06:%02X:%02X:%02X:%02X:%02X" % (
            (n >> 32) & 255, (n >> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255),
        ipaddress="10.%d.%d.%d" % (128 + ((n >> 16) & 127), (n >> 8) & 255, n & 255))
    return record


def equipment_text(value):
    """What an item keeps of a value written to it: the text, stripped."""
    return str(value or "").strip()


def given(params, key):
    """A parameter that was sent with a value (SOAP::Lite and JSON both send '' for unset)."""
    value = params.get(key)
    return value is not None and str(value) != ""


def wire_date(value, name):
    """MM/DD/YYYY (the write format) -> YYYY-MM-DD (the read format), or an error."""
    try:
        return datetime.strptime(str(value), "%m/%d/%Y").strftime("%Y-%m-%d"), None
    except ValueError:
        return None, "ERROR: %s '%s' is not a valid date (MM/DD/YYYY)" % (name, value)


class SimplerApi:
    def __init__(self, store):
        self.store = store
        self.pager = Pager(store)

    # --- helpers ----------------------------------------------------------------
    def customer(self, customerid):
        customerid = sql_id(customerid)
        if customerid is None:
            return None
        row = self.store.one("SELECT data FROM customers WHERE id = ?", (customerid,))
        return json.loads(row["data"]) if row else None

    def equipment(self, equipid):
        """The stored row (id, data) of the item ``equipid`` names, or None."""
        equipid = sql_id(equipid)
        if equipid is None:
            return None
        return self.store.one("SELECT id, data FROM equipment WHERE id = ?", (equipid,))

    def unique(self, column, value, table="customers"):
        """The server appends a serial number until the value is unused."""
        candidate, serial = value, 0
        while self.store.one("SELECT id FROM %s WHERE %s = ?" % (table, column), (candidate,)):
            serial += 1
            candidate = "%s%d" % (value, serial)
        return candidate

    def apply_customer(self, record, params):
        """Write the given parameters into a customer record; an error text or None."""
        if given(params, "nickname") and not NICKNAME.match(str(params["nickname"])):
            return ("ERROR: nickname '%s' may contain only letters, digits and _"
                    % params["nickname"])
        choices = (("customerstatus", CUSTOMER_STATUSES), ("type", CUSTOMER_TYPES),
                   ("payment_method", PAYMENT_METHODS), ("send_method", SEND_METHODS))
        for key, allowed in choices:
            if given(params, key) and params[key] not in allowed:
                return "ERROR: invalid %s '%s'" % (key, params[key])
        for key in CUSTOMER_DATES:
            if key in params:
                if given(params, key):
                    value, error = wire_date(params[key], key)
                    if error:
                        return error
                    record[key] = value
                else:
                    record[key] = ""
        for write, read in CUSTOMER_TEXT.items():
            if write in params and write not in ("nickname", "invoicingid"):
                record[read] = "" if params[write] is None else str(params[write])
        if given(params, "customerstatus"):
            record["status"] = record["customerstatus1"] = params["customerstatus"]
        for key, parts in (("address", ADDRESS_PARTS), ("iaddress", INSTALL_PARTS)):
            if key in params:
                values = str(params[key] or "").split(":::")
                values += [""] * (len(parts) - len(values))
                record.update(zip(parts, values))
        for key, value in params.items():
            match = re.match(r"^custom_field_(\d+)$", key)
            if match:
                if match.group(1) not in dict(CUSTOM_FIELDS):
                    return "ERROR: custom field %s does not exist" % match.group(1)
                record["custom"][match.group(1)] = "" if value is None else str(value)
        return None

    # --- functions ---------------------------------------------------------------
    def pingAPI(self, params):
        return "OK"

    def addCustomer(self, params):
        for key in ("name", "nickname", "invoicingid"):
            if not given(params, key):
                return "ERROR: %s is required" % key
        record = dict(EMPTY_CUSTOMER, custom={})
        error = self.apply_customer(record, params)
        if error:
            return error
        with self.store.transaction() as db:
            record["nickname"] = self.unique("nickname", str(params["nickname"]))
            record["invoicingid"] = self.unique("invoicingid", str(params["invoicingid"]))
            stored.add_customer(db, record)
        return "OK:%s" % record["id"]

    def modifyCustomer(self, params):
        record = self.customer(params.get("customerid"))
        if record is None:
            return "ERROR: customer '%s' does not exist" % params.get("customerid")
        error = self.apply_customer(record, params)
        if error:
            return error
        for key in ("nickname", "invoicingid"):
            if given(params, key):
                taken = self.store.one("SELECT id FROM customers WHERE %s = ? AND id != ?" % key,
                                       (str(params[key]), int(record["id"])))
                if taken:
                    return "ERROR: %s '%s' is already used by customer %s" % (
                        key, params[key], taken["id"])
                record[key] = str(params[key])
        with self.store.transaction() as db:
            stored.save_customer(db, record)
        return "OK"

    def deleteCustomer(self, params):
        record = self.customer(params.get("customerid"))
        if record is None:
            return "ERROR: customer '%s' does not exist" % params.get("customerid")
        if record["status"] == "current":
            return ("ERROR: cannot delete customer %s: customer status is 'current'"
                    % record["id"])
        for kind, words in BLOCKERS.items():
            if self.store.one("SELECT id FROM attachments WHERE customerid = ? AND kind = ?",
                              (int(record["id"]), kind)):
                return ("ERROR: cannot delete customer %s: %s are attached to the account"
                        % (record["id"], words))
        with self.store.transaction() as db:
            db.execute("DELETE FROM customers WHERE id = ?", (int(record["id"]),))
        return "OK"

    def searchCustomer(self, params):
        sensitive = str(params.get("case_sensitive") or "0") == "1"
        try:
            limit = int(params.get("limit") or 20)
            offset = int(params.get("offset") or 0)
        except ValueError:
            return "ERROR: limit and offset must be integers"
        order = params.get("order") or "customerid"
        where, args, candidates = stored.customer_conditions(
            params, sensitive, given, self.store.query)
        # Python's sort is stable: customers of equal names stay in id order.
        sort = "%s, id" % order if order in ("firstname", "lastname") else "id"
        if candidates is not None:
            found, rows = self.narrowed_search(where, args, sort, offset, limit, candidates)
        else:
            found, rows = self.paged_search(where, args, sort, offset, limit)
        return {"case_sensitive": "1" if sensitive else "0",
                "customer": [stored.summary_of(row) for row in rows],
                "limit": str(limit), "offset": str(offset), "order": order,
                "results": str(found)}

    def narrowed_search(self, where, args, sort, offset, limit, candidates):
        """(count, rows of the page) reading the trigram index once: with few
        ``candidates`` (one, as a rule: a search by a record's key) the summary of
        every match in one statement; else the ids of every match, then the summaries
        of the page's."""
        if candidates <= FEW:
            rows = self.store.query("%s WHERE %s ORDER BY %s" % (
                stored.SUMMARY_SELECT, " AND ".join(where), sort), args)
            return len(rows), rows[offset:offset + limit]
        ids = [row["id"] for row in self.store.query(
            "SELECT id FROM customers WHERE %s ORDER BY %s" % (" AND ".join(where), sort), args)]
        chosen = ids[offset:offset + limit]
        rows = {row["id"]: row for row in self.store.query(
            stored.SUMMARIES_BY_ID, (json.dumps(chosen),))} if chosen else {}
        return len(ids), [rows[customerid] for customerid in chosen]

    def paged_search(self, where, args, sort, offset, limit):
        """(count, rows of the page) counting, then reading the page alone."""
        found = self.pager.count("customers", where, args)
        # The customers found[offset:offset + limit] would hold, negative numbers included.
        first, end, _step = slice(offset, offset + limit).indices(found)
        if end <= first:
            return found, []
        if sort == "id":
            return found, self.pager.page(stored.SUMMARY_SELECT, where, args, False, end - first,
                                          first)
        return found, self.store.query(
            "%s WHERE %s ORDER BY %s LIMIT ? OFFSET ?"
            % (stored.SUMMARY_SELECT, " AND ".join(where), sort), args + [end - first, first])

    def getCustomerData(self, params):
        record = self.customer(params.get("customerid"))
        if record is None:
            return "ERROR: customer '%s' does not exist" % params.get("customerid")
        custom = record.pop("custom")
        result = {"customer": record}
        if str(params.get("customFields") or "") == "1":
            result["customFields"] = [
                {"id": fid, "name": name, "value": custom.get(fid, "")}
                for fid, name in CUSTOM_FIELDS
            ]
        return result

    def getCustomerStatuses(self, params):
        return list(CUSTOMER_STATUSES)

    def listEquipment(self, params):
        where, args = stored.equipment_conditions(params, given, self.store.query)
        rows = self.store.query(
            "SELECT data FROM equipment WHERE %s ORDER BY id" % " AND ".join(where), args)
        # One parse of all of them: a call per item costs twice as much.
        return {"equipment": json.loads("[%s]" % ",".join(row["data"] for row in rows))}

    def equipment_error(self, params, own_id=None):
        if given(params, "ipaddress"):
            try:
                ipaddress.ip_address(str(params["ipaddress"]).strip())
            except ValueError:
                return "ERROR: ipaddress '%s' is not a valid IP address" % params["ipaddress"]
        if given(params, "mac") and not MAC.match(str(params["mac"]).strip()):
            return "ERROR: mac '%s' is not a valid MAC address" % params["mac"]
        if given(params, "status") and params["status"] not in ("stock", "use"):
            return "ERROR: status '%s' is not valid (stock, use)" % params["status"]
        if "nickname" in params:
            # Compared as it is stored, stripped: " NS2 " is NS2's nickname.
            nickname = equipment_text(params["nickname"])
            if not nickname:
                return "ERROR: nickname is required"
            taken = self.store.one("SELECT id FROM equipment WHERE nickname = ?", (nickname,))
            if taken and taken["id"] != own_id:
                return "ERROR: equipment nickname '%s' already exists" % nickname
        return None

    @staticmethod
    def write_equipment(record, params, fields):
        for key in fields:
            if key in params:
                record["macaddress" if key == "mac" else key] = equipment_text(params[key])

    # The nickname's check and the write at once (the store's lock is reentrant):
    # two adds of one nickname at the same time get the API's answer, not the
    # unique index's 500.
    def addEquipment(self, params):
        with self.store.lock:
            error = self.equipment_error(dict(params, nickname=params.get("nickname")))
            if error:
                return error
            record = {key: "" for key in EQUIPMENT_FIELDS}
            self.write_equipment(record, params, EQUIPMENT_WRITABLE + SIM_FIELDS[:5])
            record["date_added"] = datetime.fromtimestamp(time.time()).strftime(
                "%Y-%m-%d %H:%M:%S.%f")
            with self.store.transaction() as db:
                stored.add_equipment(db, record)
        return "OK: %s" % record["id"]

    def modifyEquipment(self, params):
        with self.store.lock:
            row = self.equipment(params.get("equipid"))
            if row is None:
                return "ERROR: equipment '%s' does not exist" % params.get("equipid")
            error = self.equipment_error(params, own_id=row["id"])
            if error:
                return error
            record = json.loads(row["data"])
            # SIM fields are not parameters of modifyEquipment: they are ignored.
            self.write_equipment(record, params, EQUIPMENT_WRITABLE)
            with self.store.transaction() as db:
                stored.save_equipment(db, record)
        return "OK"

    def attach(self, params, kind, required):
        if self.customer(params.get("customerid")) is None:
            return None, "ERROR: customer '%s' does not exist" % params.get("customerid")
        for key in required:
            if not given(params, key):
                return None, "ERROR: %s is required" % key
        with self.store.transaction() as db:
            cursor = db.execute(
                "INSERT INTO attachments (customerid, kind, data) VALUES (?, ?, ?)",
                (int(params["customerid"]), kind, json.dumps(params)))
        return cursor.lastrowid, None

    def addSubscription(self, params):
        return self.attach(params, "subscription", ("productid",))[1] or "OK"

    def addIP(self, params):
        return self.attach(params, "ip", ())[1] or "OK"

    def addCPE(self, params):
        if self.equipment(params.get("equipid")) is None:
            return "ERROR: equipment '%s' does not exist" % params.get("equipid")
        cpeid, error = self.attach(params, "cpe", ())
        return error or "OK :[%s]" % cpeid


READS = ("pingAPI", "searchCustomer", "getCustomerData", "getCustomerStatuses", "listEquipment")
WRITES = ("addCustomer", "modifyCustomer", "deleteCustomer", "addEquipment", "modifyEquipment",
          "addIP", "addSubscription", "addCPE")
FUNCTIONS = READS + WRITES
