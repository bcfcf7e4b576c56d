# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

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
from datetime import datetime

from ansible_collections.isp.provisioning.plugins.module_utils.backend import (
    READ_LATER,
    Unconfirmed,
    confirmed,
)
from ansible_collections.isp.provisioning.plugins.module_utils.entity import EntitySpec
from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    BackendError,
    ProvisioningError,
    ValidationError,
    stops_backend,
)
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.client import custom_key
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.fields import (
    SimplerBackend,
    SimplerField,
)
from ansible_collections.isp.provisioning.plugins.module_utils.values import as_text, iso_date


class Date(SimplerField):
    """A date: YYYY-MM-DD in tasks and in getCustomerData's answers, MM/DD/YYYY on writes."""

    def __init__(self, name):
        super().__init__(name, encode=_us_date, decode=_read_date, normalise=iso_date)

    def problem(self, value):
        text = iso_date(value)
        if text:
            try:
                datetime.strptime(text, "%Y-%m-%d")
            except ValueError:
                return f"{self.name} {text!r} is not a date as YYYY-MM-DD"
        return None


def _us_date(value):
    return datetime.strptime(value, "%Y-%m-%d").strftime("%m/%d/%Y") if value else ""


def _read_date(value):
    return iso_date(value) or ""


class Parts(SimplerField):
    """A dict option whose parts a task names one by one: only the parts named
    are compared and changed, the others are kept as they are."""

    def __init__(self, name, **declared):
        super().__init__(name, "dict", read=False, **declared)

    @staticmethod
    def named(value):
        """The parts a task names, as text."""
        return {k: as_text(v) or "" for k, v in value.items() if v is not None}

    def same(self, desired, current):
        have = current or {}
        return all((as_text(have.get(k)) or "") == v for k, v in self.named(desired).items())

    def merged(self, current, desired):
        merged = dict(current or {})
        merged.update(self.named(desired))
        return merged

    def read(self, row, custom):
        raise NotImplementedError

    def params(self, value, current):
        """The wire parameters that set the parts ``value`` names."""
        raise NotImplementedError


# An address's parts: option names, and their read names in getCustomerData.
PARTS = [
    SimplerField("street1", read="street"),
    SimplerField("street2"),
    SimplerField("town"),
    SimplerField("county"),
    SimplerField("postcode", read="zip"),
    SimplerField("state"),
]


class Address(Parts):
    """An address: written as one string of every part joined by ``:::``,
    read as one getCustomerData field per part, named ``prefix`` + the part's
    read name."""

    def __init__(self, name, write, prefix=""):
        super().__init__(name, write=write,
                         options={part.name: part.argument_spec() for part in PARTS})
        self.prefix = prefix

    def read(self, row, custom):
        return {part.name: part.decode(row.get(self.prefix + part.read_name)) for part in PARTS}

    def params(self, value, current):
        # One string holds every part: the parts the task does not name are sent as they are.
        parts = {part.name: "" for part in PARTS}
        parts.update(self.named(current or {}))
        parts.update(self.named(value))
        return {self.write_name: ":::".join(parts[part.name] for part in PARTS)}


CUSTOM_FIELD_ID = re.compile(r"(custom_field_)?[0-9]+")


class CustomFields(Parts):
    """The operator's custom fields by id: written as one ``custom_field_<id>``
    parameter each, read from getCustomerData's ``customFields``."""

    def __init__(self, name):
        super().__init__(name, write=False)

    @staticmethod
    def clean(value):
        """Ids as the wire reads them back (``custom_field_7`` is 7), values as text."""
        return {custom_key(k): "" if v is None else as_text(v) for k, v in value.items()}

    def read(self, row, custom):
        return {custom_key(k): v for k, v in (custom or {}).items()}

    def problem(self, value):
        # Written as parameters named custom_field_<id>: any other key names no
        # field (and one such as __ansible_unsafe would not survive Ansible's JSON).
        if isinstance(value, dict):
            for key, item in value.items():
                if not CUSTOM_FIELD_ID.fullmatch(str(key)):
                    return (f"{self.name} key {str(key)!r} is no custom field id (give its "
                            "number, 7, or custom_field_7)")
                if isinstance(item, (dict, list)):
                    return (f"{self.name} {key} must be one value (text or a number), got "
                            f"{type(item).__name__}")
        return super().problem(value)

    def params(self, value, current):
        return {f"custom_field_{custom_key(k)}": as_text(v) or "" for k, v in value.items()}


class CustomerSpec(EntitySpec):
    """Dict options compare only the parts a task names; a customer found by its
    customerid compares its invoicing id too."""

    def differences(self, desired, current):
        changed = super().differences(desired, current)
        for name in list(changed):
            field = self.by_name[name]
            if isinstance(field, Parts) and field.same(desired[name], current.get(name)):
                del changed[name]
        if desired.get("customerid") and current.get(self.identity) != desired[self.identity]:
            changed[self.identity] = desired[self.identity]
        return changed


CUSTOMER = CustomerSpec(
    name="customer",
    plural="customers",
    identity="invoicingid",
    label="SIMPLer customer",
    fields=[
        SimplerField("invoicingid", numbered=True, lookup=True, filter=True, normalise=as_text),
        # SIMPLer's own id: getCustomerData names it id (an answer may say customerid);
        # modifyCustomer takes it beside the fields it changes, never as one of them.
        SimplerField("customerid", read="id", read_also="customerid", write=False,
                     decode=as_text, lookup=True, filter="customerid", normalise=as_text,
                     assigned=True),
        SimplerField("name", create_requires=True),
        SimplerField("nickname", numbered=True, create_requires=True, lookup=True, filter=True,
                     pattern=r"[A-Za-z0-9_]+",
                     rule="may hold only letters, digits and _ (SIMPLer's rule)"),
        SimplerField("customerstatus", read="status", filter="customerstatus"),
        SimplerField("type", choices=["customer business", "customer home", "reseller",
                                      "partner", "supplier", "competitor", "gov"]),
        SimplerField("email", filter=True),
        SimplerField("phone", write="phone_list_main", filter=True, normalise=as_text),
        SimplerField("accounts_email", read="accountsemail"),
        SimplerField("support_email", read="supportemail"),
        SimplerField("country", filter=True),
        SimplerField("payment_method", read="paymentmethod",
                     choices=["cash", "cheque", "credit card", "debit card", "direct debit",
                              "online transfer", "standing order"]),
        SimplerField("send_method", read="sendmethod", choices=["mail", "pdf", "both", "none"]),
        Date("init_date"),
        Date("startdate"),
        Date("installdate"),
        Address("installation_address", write="address"),
        Address("invoicing_address", write="iaddress", prefix="install"),
        CustomFields("custom_fields"),
    ],
)


class SimplerCustomers(SimplerBackend):
    spec = CUSTOMER

    def __init__(self, client):
        super().__init__(client)
        self._statuses = None
        # invoicingid -> customerid, for records that a task finds by customerid
        self._located = {}
        # nickname -> customerid of the customer holding it exactly (None: nobody)
        self._nicknames = {}
        # nickname -> invoicingid of the declared record that takes it in this task
        self._claimed = {}

    # --- the wire --------------------------------------------------------------------
    def from_wire(self, row, custom=None):
        """getCustomerData's customer and its custom fields -> the record."""
        record = super().from_wire(row)
        for field in self.spec.fields:
            if isinstance(field, Parts):
                record[field.name] = field.read(row, custom)
        return record

    def to_wire(self, fields, current=None):
        """Options -> addCustomer/modifyCustomer parameters (``current``: the record
        whose address parts a task does not name)."""
        wire = {}
        for name, value in fields.items():
            field = self.spec.by_name.get(name)
            if isinstance(field, Parts):
                wire.update(field.params(value, (current or {}).get(name)))
            else:
                wire.update(super().to_wire({name: value}))
        return wire

    # --- reads -------------------------------------------------------------------
    def read_all(self, **narrow):
        """Every customer searchCustomer finds (for ``narrow``, its filters), each read whole."""
        ids = [summary.get("customerid", summary.get("id"))
               for summary in self.client.search_customers(**narrow)]
        return [record for record in self.each(self.read_one, ids) if record is not None]

    def read_one(self, customerid):
        data = self.client.customer_data(customerid)
        return self.from_wire(*data) if data else None

    def search(self, params):
        """simpler_customer_info: reading a customer costs one getCustomerData, so the
        lookups given narrow searchCustomer first (a substring search); the records
        found are then matched exactly, as every _info module's are."""
        self._all = self.read_all(**{
            self.spec.filters[name]: params[name] for name in self.spec.lookups if params.get(name)
        })
        return super().search(params)

    def fetch(self, keys):
        """Search each invoicing id (a substring search) and keep exact matches,
        ``concurrency`` ids at a time."""
        if self._all is not None:
            return super().fetch(keys)
        return {key: record for key, record in zip(keys, self.each(self.find, keys))
                if record is not None}

    def find(self, key):
        """The customer whose invoicing id is exactly ``key`` (None: nobody)."""
        located = self._located.get(key)
        if located:
            return self.read_one(located)
        matches = self.holders(key)
        if len(matches) > 1:
            raise ValidationError(
                "invoicingid %r is held by %d customers (customerid %s); SIMPLer makes "
                "ids unique only when it adds, so these were added twice: remove the "
                "duplicates first" % (key, len(matches),
                                      ", ".join(m["customerid"] for m in matches))
            )
        return matches[0] if matches else None

    def holders(self, key):
        """Every customer whose invoicing id is ``key`` as SIMPLer stores it.

        searchCustomer matches substrings: each match is read to compare exactly.
        """
        matches = []
        by_key = {self.spec.filters[self.spec.identity]: key}
        for summary in self.client.search_customers(**by_key):
            record = self.read_one(summary.get("customerid", summary.get("id")))
            if record is not None and self.canonical_key(self.spec.key(record)) == key:
                matches.append(record)
        return matches

    # --- before any write -----------------------------------------------------------
    def prepare(self, desired):
        desired = super().prepare(desired)
        if desired.get("customerid"):
            customerid = as_text(desired["customerid"])
            if self.client.customer_data(customerid) is None:
                raise ValidationError(
                    "customerid %s does not exist (SIMPLer chooses the id of a new customer: "
                    "leave customerid out to create one)" % customerid
                )
            desired["customerid"] = customerid
            self._located[self.spec.key(desired)] = customerid
        for field in self.spec.fields:
            if desired.get(field.name) is None:
                continue
            if isinstance(field, Date):
                desired[field.name] = iso_date(desired[field.name])
            elif isinstance(field, CustomFields):
                desired[field.name] = field.clean(desired[field.name])
        if desired.get("customerstatus"):
            statuses = self.statuses()
            if desired["customerstatus"] not in statuses:
                raise ValidationError(
                    "customerstatus %r is not one of the server's statuses (%s)"
                    % (desired["customerstatus"], ", ".join(statuses))
                )
        return desired

    def statuses(self):
        if self._statuses is None:
            self._statuses = self.client.statuses()
        return self._statuses

    def before_checks(self, items):
        """Who holds each nickname a create or a rename claims (:meth:`check`), looked up
        ``concurrency`` at a time, in the declared order (see :meth:`nickname_holder`)."""
        claimed = (self.claims(item.action, item.desired, item.changes) for item in items)
        self.each(self.nickname_holder, list(dict.fromkeys(
            nickname for nickname in claimed if nickname and nickname not in self._nicknames)))

    @staticmethod
    def claims(action, desired, changes):
        """The nickname a planned write claims from whoever holds it (None: none)."""
        nickname = desired.get("nickname")
        if nickname and (action == "create" or (action == "update" and "nickname" in changes)):
            return nickname
        return None

    def nickname_holder(self, nickname):
        """The customerid of the customer whose nickname is exactly this one (None: nobody).

        searchCustomer matches substrings: each match is read to compare exactly.
        """
        if nickname not in self._nicknames:
            holder = None
            by_nickname = {self.spec.filters["nickname"]: nickname}
            for summary in self.client.search_customers(**by_nickname):
                if summary.get("nickname") not in (None, nickname):
                    continue  # the summary says it already: no need to read it
                record = self.read_one(summary.get("customerid", summary.get("id")))
                if record is not None and record["nickname"] == nickname:
                    holder = record["customerid"]
                    break
            self._nicknames[nickname] = holder
        return self._nicknames[nickname]

    def check(self, action, desired, current, changes):
        super().check(action, desired, current, changes)
        nickname = self.claims(action, desired, changes)
        if nickname:
            # addCustomer would store a clashing nickname with a number appended
            # (and modifyCustomer refuses it): say so before any write.
            key = self.spec.key(desired)
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

    def predict(self, action, desired, current):
        if action == "delete":
            return None
        after = dict(current or self.defaults_on_create())
        for name, value in desired.items():
            field = self.spec.by_name.get(name)
            after[name] = field.merged(after.get(name), value) if isinstance(field, Parts) \
                else value
        return after

    # --- twins: two runs that added one customer at once ------------------------------
    def twins(self, created):
        """The customers holding ``created``'s invoicing id, oldest first.

        SIMPLer never refuses an add (CONTRACTS §3): of two runs that add one
        invoicing id at once, the later add stores it with a serial number
        appended - :meth:`create` deletes that one at once - or as it is, should
        the server not see the first add yet: those twins are sorted out here.
        """
        others = [record for record in self.holders(self.spec.key(created))
                  if record["customerid"] != created["customerid"]]
        return sorted(others + [created], key=self.record_id)

    def record_id(self, record):
        return int(record["customerid"])

    def delete_twin(self, record):
        status = self.spec.by_name["customerstatus"]
        if record[status.name] == "current":
            # deleteCustomer refuses a current customer; this one was added a moment
            # ago by this run and is deleted now, so its status means nothing yet.
            self.client.modify_customer(
                record["customerid"], self.to_wire({status.name: self.status_to_delete()}))
        self.delete(record)

    def status_to_delete(self):
        """A status other than current, for a customer about to be deleted: potential
        (a new customer's, in SIMPLer's own example), else the server's first."""
        others = [status for status in self.statuses() if status != "current"]
        if not others:
            raise BackendError("SIMPLer deletes no current customer, and offers no other "
                               "customer status to move it to first")
        return "potential" if "potential" in others else others[0]

    # --- writes ---------------------------------------------------------------------
    def create(self, desired):
        customerid = self.client.add_customer(self.to_wire(desired))
        key = self.spec.key(desired)
        # the add is made: a read-back that fails (the backend down, say) leaves it
        # unconfirmed, never "not written"
        record = confirmed(lambda: self.read_one(customerid) if customerid
                           else self.fetch([key]).get(key), "created")
        if record is None:
            raise BackendError("addCustomer answered OK, but the new customer cannot be read back")
        if serial_appended(key, self.spec.key(record)):
            return self._younger(key, record)
        for field in self.spec.fields:
            if field.numbered and record[field.name] != desired[field.name]:
                raise BackendError(renamed(field.name, desired[field.name], record))
        return record

    def _younger(self, key, record):
        """Delete ``record``, this run's add of ``key`` that SIMPLer stored with a
        serial number appended: another customer held ``key`` when it arrived
        (another run's add, at the same time), so this one is the younger. Deleted
        at once, not after the creates, so that no run that stops early leaves
        behind a customer no rerun would look for; the engine then reads back the
        one that holds ``key``."""
        told = (f"{self.spec.label} {key!r}: another run created it too, at the same time; the "
                f"one this run created (id {record['customerid']}, stored as "
                f"{self.spec.key(record)!r})")
        try:
            self.delete_twin(record)
        except ProvisioningError as exc:
            left = f"{told} could not be deleted, so it is left: {exc}"
            if stops_backend(exc):
                # this run's add is made: changed, never "not written"
                raise Unconfirmed(f"{left}; run the task again to delete it") from exc
            raise BackendError(left) from exc
        self.warnings.append(f"{told} was deleted, and the older kept")
        return READ_LATER

    def update(self, current, changes, desired):
        self.client.modify_customer(current["customerid"], self.to_wire(changes, current))
        return confirmed(lambda: self.read_one(current["customerid"]), "updated")

    def delete(self, current):
        self.client.delete_customer(current["customerid"])


def serial_appended(declared, stored):
    """True when SIMPLer stored ``declared`` with a serial number appended, as
    addCustomer does when another customer holds the value (CONTRACTS §3)."""
    return stored.startswith(declared) and re.fullmatch(r"[0-9]+", stored[len(declared):]) \
        is not None


def renamed(name, declared, record):
    """The refusal of a customer whose ``name`` SIMPLer did not store as declared."""
    return ("SIMPLer stored %s %r as %r (customerid %s) because another customer already "
            "holds it; rename one of them" % (name, declared, record[name], record["customerid"]))
