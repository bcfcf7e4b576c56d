# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""SIMPLer customers: entity spec and the adapter between records and the wire.

Record shape (what modules take, compare and return)::

    {invoicingid, customerid, name, nickname, customerstatus, type, email, phone,
     accounts_email, support_email, country, payment_method, send_method,
     init_date, startdate, installdate (YYYY-MM-DD),
     installation_address / invoicing_address ({street1, street2, town, county,
     postcode, state}), custom_fields ({id: value})}

SIMPLer has no call that lists customers with their invoicing id: a customer
is found by searchCustomer (a substring search) and confirmed by
getCustomerData. Every declared record is read that way once, before any write.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from ansible_collections.isp.provisioning.plugins.module_utils.backend import EntityBackend
from ansible_collections.isp.provisioning.plugins.module_utils.entity import EntitySpec, Field
from ansible_collections.isp.provisioning.plugins.module_utils.values import as_text
from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    BackendError,
    ValidationError,
)
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.client import client_from_module

ADDRESS_PARTS = ("street1", "street2", "town", "county", "postcode", "state")
ADDRESS_OPTIONS = dict((part, dict(type="str")) for part in ADDRESS_PARTS)
# address option -> (wire name, read names of its parts in getCustomerData)
ADDRESSES = {
    "installation_address": ("address", ("street", "street2", "town", "county", "zip", "state")),
    "invoicing_address": ("iaddress", ("installstreet", "installstreet2", "installtown",
                                       "installcounty", "installzip", "installstate")),
}
# option -> (write name, read name) for plain text fields
TEXT = {
    "name": ("name", "name"),
    "nickname": ("nickname", "nickname"),
    "invoicingid": ("invoicingid", "invoicingid"),
    "customerstatus": ("customerstatus", "status"),
    "type": ("type", "type"),
    "email": ("email", "email"),
    "phone": ("phone_list_main", "phone"),
    "accounts_email": ("accounts_email", "accountsemail"),
    "support_email": ("support_email", "supportemail"),
    "country": ("country", "country"),
    "payment_method": ("payment_method", "paymentmethod"),
    "send_method": ("send_method", "sendmethod"),
}
DATES = ("init_date", "startdate", "installdate")
TYPES = ["customer business", "customer home", "reseller", "partner", "supplier",
         "competitor", "gov"]
PAYMENT_METHODS = ["cash", "cheque", "credit card", "debit card", "direct debit",
                   "online transfer", "standing order"]
SEND_METHODS = ["mail", "pdf", "both", "none"]
NICKNAME = re.compile(r"^[A-Za-z0-9_]+$")


def iso_date(value):
    """A date option as YYYY-MM-DD (YAML may give a date object); '' stays ''."""
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()[:10]


def custom_key(key):
    return re.sub(r"^custom_field_", "", str(key))


def parts_of(value):
    """An address dict with every part, '' for parts not set."""
    value = value or {}
    return dict((part, as_text(value.get(part)) or "") for part in ADDRESS_PARTS)


class CustomerSpec(EntitySpec):
    """Addresses and custom fields compare only the parts a task names."""

    def differences(self, desired, current):
        changed = super().differences(desired, current)
        for name in list(ADDRESSES) + ["custom_fields"]:
            if name in changed:
                have = current.get(name) or {}
                named = dict(
                    (k, as_text(v) or "") for k, v in desired[name].items() if v is not None
                )
                if all((as_text(have.get(k)) or "") == v for k, v in named.items()):
                    del changed[name]
        if desired.get("customerid") and current.get("invoicingid") != desired["invoicingid"]:
            changed["invoicingid"] = desired["invoicingid"]
        return changed


CUSTOMER = CustomerSpec(
    name="customer",
    plural="customers",
    identity="invoicingid",
    label="SIMPLer customer",
    fields=[
        Field("invoicingid", lookup=True, normalise=as_text),
        Field("customerid", lookup=True, normalise=as_text),
        Field("name"),
        Field("nickname", lookup=True),
        Field("customerstatus"),
        Field("type", choices=TYPES),
        Field("email"),
        Field("phone", normalise=as_text),
        Field("accounts_email"),
        Field("support_email"),
        Field("country"),
        Field("payment_method", choices=PAYMENT_METHODS),
        Field("send_method", choices=SEND_METHODS),
        Field("init_date", normalise=iso_date),
        Field("startdate", normalise=iso_date),
        Field("installdate", normalise=iso_date),
        Field("installation_address", type="dict", options=ADDRESS_OPTIONS),
        Field("invoicing_address", type="dict", options=ADDRESS_OPTIONS),
        Field("custom_fields", type="dict"),
    ],
)


def from_wire(customer, custom):
    record = dict(
        (option, as_text(customer.get(names[1])) or "") for option, names in TEXT.items()
    )
    record["customerid"] = as_text(customer.get("id", customer.get("customerid")))
    for name in DATES:
        record[name] = iso_date(customer.get(name)) or ""
    for option, (dummy, reads) in ADDRESSES.items():
        record[option] = dict(
            (part, as_text(customer.get(read)) or "") for part, read in zip(ADDRESS_PARTS, reads)
        )
    record["custom_fields"] = dict((custom_key(k), v) for k, v in (custom or {}).items())
    return record


def to_wire(changes, current):
    """Changed options -> modifyCustomer/addCustomer parameters."""
    wire = {}
    for name, value in changes.items():
        if name in TEXT:
            wire[TEXT[name][0]] = as_text(value)
        elif name in DATES:
            wire[name] = datetime.strptime(value, "%Y-%m-%d").strftime("%m/%d/%Y") if value else ""
        elif name in ADDRESSES:
            # One string holds every part: keep the parts the task does not name.
            parts = parts_of((current or {}).get(name))
            parts.update((k, as_text(v)) for k, v in value.items() if v is not None)
            wire[ADDRESSES[name][0]] = ":::".join(parts[part] for part in ADDRESS_PARTS)
        elif name == "custom_fields":
            for key, item in value.items():
                wire["custom_field_%s" % custom_key(key)] = as_text(item) or ""
    return wire


class SimplerCustomers(EntityBackend):
    client_factory = staticmethod(client_from_module)
    spec = CUSTOMER

    # searchCustomer filters that narrow read_all (see SimplerCustomerSearch)
    narrow = {}

    def __init__(self, client):
        super().__init__(client)
        self._statuses = None
        # invoicingid -> customerid, for records that a task finds by customerid
        self._located = {}
        # nickname -> customerid of the customer holding it exactly (None: nobody)
        self._nicknames = {}
        # nickname -> invoicingid of the declared record that takes it in this task
        self._claimed = {}

    # --- reads -------------------------------------------------------------------
    def read_all(self):
        found = []
        for summary in self.client.search_customers(**self.narrow):
            record = self.read_one(summary.get("customerid", summary.get("id")))
            if record is not None:
                found.append(record)
        return found

    def read_one(self, customerid):
        data = self.client.customer_data(customerid)
        return from_wire(*data) if data else None

    def fetch(self, keys):
        """Search each invoicing id (a substring search) and keep exact matches."""
        if self._all is not None:
            return super().fetch(keys)
        found = {}
        for key in keys:
            located = self._located.get(key)
            if located:
                record = self.read_one(located)
                if record is not None:
                    found[key] = record
                continue
            matches = []
            for summary in self.client.search_customers(invoicingid=key):
                record = self.read_one(summary.get("customerid", summary.get("id")))
                if record is not None and record["invoicingid"] == key:
                    matches.append(record)
            if len(matches) > 1:
                raise ValidationError(
                    "invoicingid %r is held by %d customers (customerid %s); SIMPLer makes "
                    "ids unique only when it adds, so these were added twice: remove the "
                    "duplicates first" % (key, len(matches),
                                          ", ".join(m["customerid"] for m in matches))
                )
            if matches:
                found[key] = matches[0]
        return found

    # --- before any write -----------------------------------------------------------
    def prepare(self, desired):
        if desired.get("customerid"):
            customerid = as_text(desired["customerid"])
            if self.client.customer_data(customerid) is None:
                raise ValidationError(
                    "customerid %s does not exist (SIMPLer chooses the id of a new customer: "
                    "leave customerid out to create one)" % customerid
                )
            desired["customerid"] = customerid
            self._located[desired["invoicingid"]] = customerid
        nickname = desired.get("nickname")
        if nickname is not None and not NICKNAME.match(nickname):
            raise ValidationError(
                "nickname %r may hold only letters, digits and _ (SIMPLer's rule)" % nickname
            )
        for name in DATES:
            if desired.get(name) is not None:
                desired[name] = iso_date(desired[name])
                if desired[name]:
                    try:
                        datetime.strptime(desired[name], "%Y-%m-%d")
                    except ValueError:
                        raise ValidationError(
                            "%s %r is not a date as YYYY-MM-DD" % (name, desired[name])
                        )
        if desired.get("customerstatus"):
            statuses = self.statuses()
            if desired["customerstatus"] not in statuses:
                raise ValidationError(
                    "customerstatus %r is not one of the server's statuses (%s)"
                    % (desired["customerstatus"], ", ".join(statuses))
                )
        if desired.get("custom_fields") is not None:
            desired["custom_fields"] = dict(
                (custom_key(k), "" if v is None else as_text(v))
                for k, v in desired["custom_fields"].items()
            )
        return desired

    def statuses(self):
        if self._statuses is None:
            self._statuses = self.client.statuses()
        return self._statuses

    def nickname_holder(self, nickname):
        """The customerid of the customer whose nickname is exactly this one (None: nobody).

        searchCustomer matches substrings: each match is read to compare exactly.
        """
        if nickname not in self._nicknames:
            holder = None
            for summary in self.client.search_customers(nickname=nickname):
                if summary.get("nickname") not in (None, nickname):
                    continue  # the summary says it already: no need to read it
                record = self.read_one(summary.get("customerid", summary.get("id")))
                if record is not None and record["nickname"] == nickname:
                    holder = record["customerid"]
                    break
            self._nicknames[nickname] = holder
        return self._nicknames[nickname]

    def check(self, action, desired, current, changes):
        if action == "create":
            missing = [n for n in ("name", "nickname") if not desired.get(n)]
            if missing:
                raise ValidationError(
                    "%s %s required to create it"
                    % (" and ".join(missing), "is" if len(missing) == 1 else "are")
                )
        nickname = desired.get("nickname")
        if action in ("create", "update") and nickname and (
            action == "create" or "nickname" in changes
        ):
            # addCustomer would store a clashing nickname with a number appended
            # (and modifyCustomer refuses it): say so before any write.
            key = desired["invoicingid"]
            other = self._claimed.setdefault(nickname, key)
            if other != key:
                raise ValidationError(
                    "nickname %r is declared for invoicingid %r as well; nicknames are "
                    "unique in SIMPLer" % (nickname, other)
                )
            holder = self.nickname_holder(nickname)
            if holder is not None and holder != (current or {}).get("customerid"):
                raise ValidationError(
                    "nickname %r is already held by customer %s; SIMPLer would store it with "
                    "a number appended. Choose another nickname, or rename that customer first"
                    % (nickname, holder)
                )

    def defaults_on_create(self):
        record = dict((name, "") for name in list(TEXT) + list(DATES))
        record.update(
            customerid=None,
            custom_fields={},
            installation_address=parts_of(None),
            invoicing_address=parts_of(None),
        )
        return record

    def predict(self, action, desired, current):
        if action == "delete":
            return None
        after = dict(current or self.defaults_on_create())
        for name, value in desired.items():
            if name in ADDRESSES or name == "custom_fields":
                merged = dict(after.get(name) or {})
                merged.update((k, as_text(v) or "") for k, v in value.items() if v is not None)
                after[name] = merged
            else:
                after[name] = value
        return after

    # --- writes ---------------------------------------------------------------------
    def create(self, desired):
        wire = to_wire(desired, None)
        customerid = self.client.add_customer(wire)
        record = self.read_one(customerid) if customerid else self.fetch(
            [desired["invoicingid"]]).get(desired["invoicingid"])
        if record is None:
            raise BackendError("addCustomer answered OK, but the new customer cannot be read back")
        for name in ("invoicingid", "nickname"):
            if record[name] != desired[name]:
                raise BackendError(
                    "SIMPLer stored %s %r as %r (customerid %s) because another customer "
                    "already holds it; rename one of them" % (
                        name, desired[name], record[name], record["customerid"])
                )
        return record

    def update(self, current, changes, desired):
        self.client.modify_customer(current["customerid"], to_wire(changes, current))
        return self.read_one(current["customerid"])

    def delete(self, current):
        self.client.delete_customer(current["customerid"])


class SimplerCustomerSearch(SimplerCustomers):
    """For simpler_customer_info: reads only the customers the lookups can match.

    Reading every customer costs one getCustomerData each, so the lookups the
    module was given narrow the searchCustomer call first (the info runner
    then matches the records exactly).
    """


    @classmethod
    def from_module(cls, module):
        backend = cls(client_from_module(module))
        backend.narrow = dict(
            (name, module.params[name]) for name in cls.spec.lookups if module.params.get(name)
        )
        return backend
