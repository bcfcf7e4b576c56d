# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""neuCRM customers: the entity spec and the adapter between records and the wire.

Record shape (what modules take, compare and return)::

    {customerid, uniqueid, ispid, resellerid, type, name, surname, dob, mobile,
     email, zipcode, address_state (the wire's ``state``), city, street, notes,
     username, serviceid, created (these three read-only)}

A customer is named by ``customerid`` (the CRM's id) or, for declarative use,
by ``uniqueid``, the operator's own key. The CRM assigns customerids, so a
customer is created only when it is declared by ``uniqueid`` alone; the list
cannot filter on uniqueid, so it is resolved against the one paged read of
the list a task makes. Until a customer exists, its key (what results show as
``customerid``) is the text ``uniqueid=<value>``.
"""

from __future__ import annotations

import re
from datetime import date

from ansible_collections.isp.provisioning.plugins.module_utils.backend import EntityBackend
from ansible_collections.isp.provisioning.plugins.module_utils.crm.client import (
    as_int,
    client_from_module,
    id_of,
)
from ansible_collections.isp.provisioning.plugins.module_utils.entity import EntitySpec, Field
from ansible_collections.isp.provisioning.plugins.module_utils.values import as_text, casefold
from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    AnswerLost,
    BackendError,
    ValidationError,
)

UNIQUEID_KEY = "uniqueid="
TYPES = ["Individual", "Organisation"]
# option name -> wire name, where they differ
WIRE_NAMES = {"address_state": "state"}
REQUIRED_ON_CREATE = (
    "type",
    "name",
    "mobile",
    "email",
    "zipcode",
    "address_state",
    "city",
    "street",
)
TEXT_FIELDS = (
    "uniqueid",
    "type",
    "name",
    "surname",
    "dob",
    "mobile",
    "email",
    "zipcode",
    "address_state",
    "city",
    "street",
    "notes",
    "username",
    "created",
)
ID_FIELDS = ("customerid", "ispid", "resellerid", "serviceid")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ZERO_DATES = ("0000-00-00", "0000-00-00 00:00:00")


def crm_text(value):
    """Text as the CRM stores it: stripped (the CRM trims what it is sent), and None
    when unset, which reads as null, as "" or as MySQL's zero date.

    Not ``entity.blank_as_none``: that one neither strips nor knows zero dates.
    """
    text = as_text(value)
    if text is None:
        return None
    text = text.strip()
    return None if text == "" or text in ZERO_DATES else text


def reset_requested(value):
    """reset_password is an action: asked for (True) or not (None), never a stored value."""
    return True if value else None


class ActionField(Field):
    """An option that asks for an action; its name says "password" but it holds no secret."""

    def argument_spec(self, required=None):
        spec = super().argument_spec(required)
        spec["no_log"] = False  # stops Ansible's warning about a "password" option
        return spec


class CustomerSpec(EntitySpec):
    """A customer is named by customerid, or by uniqueid until the CRM has given it an id."""

    identities = ("customerid", "uniqueid")

    def key(self, record):
        customerid = as_int(record.get("customerid"))
        if customerid is not None:
            return customerid
        uniqueid = crm_text(record.get("uniqueid"))
        return UNIQUEID_KEY + uniqueid if uniqueid is not None else None

    def record_argument_spec(self):
        spec = super().record_argument_spec()
        spec["customerid"].pop("required", None)  # customerid or uniqueid: checked in prepare
        return spec


CUSTOMER = CustomerSpec(
    name="customer",
    plural="customers",
    identity="customerid",
    label="CRM customer",
    fields=[
        Field("customerid", type="int", normalise=as_text),
        Field("uniqueid", normalise=crm_text, lookup=True),
        Field("ispid", type="int", normalise=as_text, updatable=False),
        Field("resellerid", type="int", normalise=as_text, updatable=False),
        Field("type", choices=TYPES, normalise=casefold),
        Field("name", normalise=crm_text),
        Field("surname", normalise=crm_text),
        Field("dob", normalise=crm_text),
        Field("mobile", normalise=crm_text),
        Field("email", normalise=crm_text),
        Field("zipcode", normalise=crm_text),
        Field("address_state", normalise=crm_text),
        Field("city", normalise=crm_text),
        Field("street", normalise=crm_text),
        Field("notes", normalise=crm_text),
        ActionField("reset_password", type="bool", normalise=reset_requested),
        Field("username", readonly=True),
        Field("serviceid", readonly=True),
        Field("created", readonly=True),
    ],
)


def from_wire(row):
    record = dict(
        (name, crm_text(row.get(WIRE_NAMES.get(name, name)))) for name in TEXT_FIELDS
    )
    for name in ID_FIELDS:
        record[name] = as_int(row.get(WIRE_NAMES.get(name, name)))
    record["customerid"] = id_of(row)
    if record["type"]:
        # the CRM may answer another case; the module's choices are these two
        record["type"] = next(
            (t for t in TYPES if t.casefold() == record["type"].casefold()), record["type"]
        )
    return record


def to_wire(fields):
    """Option names and values -> the form fields the CRM takes (only those given)."""
    wire = {}
    for name, value in fields.items():
        if name in ("customerid", "reset_password") or value is None:
            continue
        wire[WIRE_NAMES.get(name, name)] = as_text(value)
    return wire


def valid_date(text):
    if not DATE.match(text):
        return False
    try:
        date(*(int(part) for part in text.split("-")))
    except ValueError:
        return False
    return True


class CrmCustomers(EntityBackend):
    client_factory = staticmethod(client_from_module)
    spec = CUSTOMER

    def __init__(self, client, filters=None):
        super().__init__(client)
        self.filters = filters or {}
        # customerids that a declared record names (by customerid or by uniqueid)
        self._declared = set()
        # customerids whose portal password this task has already reset
        self._reset_sent = set()
        # fields the CRM's list reports (set by read_all)
        self.listed = set()

    def read_all(self):
        rows = self.client.customers(self.filters)
        # Which of the fields this adapter relies on the CRM's list reports at all
        # (its shape is not documented): an absent field is unknown, not empty.
        self.listed = set(
            name
            for name in ("uniqueid", "ispid", "resellerid")
            if not rows or any(name in row for row in rows)
        )
        return [from_wire(row) for row in rows]

    def holders(self, uniqueid):
        uniqueid = crm_text(uniqueid)
        return [r for r in self.all_records() if r["uniqueid"] == uniqueid]

    # --- reads by key -----------------------------------------------------------
    def fetch(self, keys):
        by_id = dict((record["customerid"], record) for record in self.all_records())
        found = {}
        for key in keys:
            if isinstance(key, int):
                if key in by_id:
                    found[key] = by_id[key]
                continue
            holders = self.holders(key[len(UNIQUEID_KEY) :]) if key else []
            if len(holders) > 1:
                raise BackendError(
                    "%d CRM customers hold %s (customerids %s)"
                    % (len(holders), key, ", ".join(str(r["customerid"]) for r in holders))
                )
            if holders:
                found[key] = holders[0]
        return found

    def in_scope(self, selector):
        # A record declared by uniqueid has a text key, so the engine cannot see
        # that it names this customer: leave out every customer a record names.
        scoped = super().in_scope(selector)
        return dict((key, record) for key, record in scoped.items() if key not in self._declared)

    # --- before any write -------------------------------------------------------
    def prepare(self, desired):
        if desired.get("customerid") is None and crm_text(desired.get("uniqueid")) is None:
            raise ValidationError("name the customer by customerid or by uniqueid")
        if not desired.get("reset_password"):
            desired.pop("reset_password", None)
        for name in REQUIRED_ON_CREATE:
            if name in desired and crm_text(desired[name]) is None:
                raise ValidationError("%s cannot be empty: the CRM requires it" % name)
        if desired.get("dob") and not valid_date(desired["dob"]):
            raise ValidationError("dob %r is not a date in yyyy-mm-dd form" % desired["dob"])
        if desired.get("email") and "@" not in desired["email"]:
            raise ValidationError("email %r is not an email address" % desired["email"])
        if desired.get("customerid") is None:
            holders = self.holders(desired["uniqueid"])
            if "uniqueid" not in self.listed:
                # Never create a customer the list cannot show: every run would add one.
                raise ValidationError(
                    "this CRM's customer list does not report uniqueid, so a customer cannot "
                    "be found by it: name it by customerid"
                )
            if len(holders) > 1:
                raise ValidationError(
                    "uniqueid %r is held by %d customers (customerids %s): name the one to "
                    "manage by customerid"
                    % (
                        desired["uniqueid"],
                        len(holders),
                        ", ".join(str(r["customerid"]) for r in holders),
                    )
                )
            if holders:
                desired["customerid"] = holders[0]["customerid"]
        customerid = desired.get("customerid")
        self.all_records()  # the one read of the list, which sets self.listed
        for name in ("ispid", "resellerid"):
            if customerid is not None and name not in self.listed:
                desired.pop(name, None)  # set on create only; unknown is not a change
        if customerid is not None:
            if customerid in self._declared:
                raise ValidationError(
                    "names the same customer (customerid %d) as another record" % customerid
                )
            self._declared.add(customerid)
        return desired

    def check(self, action, desired, current, changes):
        if action == "create":
            if desired.get("customerid") is not None:
                raise ValidationError(
                    "customerid %s does not exist; the CRM assigns customerids, so declare a "
                    "new customer by uniqueid (without customerid)" % desired["customerid"]
                )
            missing = [name for name in REQUIRED_ON_CREATE if desired.get(name) is None]
            if missing:
                raise ValidationError("to create it the CRM also needs %s" % ", ".join(missing))
        uniqueid = crm_text(changes.get("uniqueid"))
        if action == "update" and uniqueid is not None:
            others = [
                r["customerid"]
                for r in self.holders(uniqueid)
                if r["customerid"] != current["customerid"]
            ]
            if others:
                raise ValidationError(
                    "uniqueid %r already belongs to customerid %s"
                    % (uniqueid, ", ".join(str(i) for i in others))
                )

    def predict(self, action, desired, current):
        after = super().predict(action, desired, current)
        if after is not None:
            after.pop("reset_password", None)
        return after

    # --- writes -----------------------------------------------------------------
    def create(self, desired):
        return self.read_customerid(self.client.create(to_wire(desired)))

    def update(self, current, changes, desired):
        customerid = current["customerid"]
        wire = to_wire(changes)
        if changes.get("reset_password") and customerid not in self._reset_sent:
            # Remembered before sending: a lost answer must not reset it twice.
            self._reset_sent.add(customerid)
            wire["reset_password"] = "Y"
        if wire:
            try:
                self.client.update(customerid, wire)
            except AnswerLost:
                if "reset_password" in wire:
                    # Not sent again (see above), and a read-back cannot show it.
                    self.warnings.append(
                        "customerid %s: the answer to the portal password reset was lost, so "
                        "the reset may not have happened; it was not sent again: check the "
                        "customer's portal login" % customerid
                    )
                raise
        return self.read_customerid(customerid)

    def delete(self, current):
        self.client.delete(current["customerid"])

    def read_customerid(self, customerid):
        row = self.client.customer(customerid)
        if row is None:
            raise BackendError(
                "the CRM accepted the write, but customerid %s is not there when read back"
                % customerid
            )
        return from_wire(row)


# --- the _info module: the list's own filters, sent to the CRM ------------------------
LIST_FILTERS = dict(
    customerid=dict(type="int"),
    ispid=dict(type="int"),
    resellerid=dict(type="int"),
    serviceid=dict(type="int"),
    username=dict(type="str"),
    type=dict(type="str", choices=TYPES),
    name=dict(type="str"),
    mobile=dict(type="str"),
    email=dict(type="str"),
    zipcode=dict(type="str"),
    address_state=dict(type="str"),
    city=dict(type="str"),
    created_from=dict(type="str"),
    created_upto=dict(type="str"),
)


class CrmCustomerList(CrmCustomers):
    """Customers as the CRM's list answers them for the task's filters."""

    search_options = LIST_FILTERS

    @classmethod
    def from_module(cls, module):
        filters = {}
        for name in LIST_FILTERS:
            value = module.params.get(name)
            if value is None:
                continue
            if name.startswith("created_") and not valid_date(value):
                raise ValidationError("%s %r is not a date in yyyy-mm-dd form" % (name, value))
            filters[WIRE_NAMES.get(name, name)] = as_text(value)
        return cls(client_from_module(module), filters)
