# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""neuCRM customers: the entity spec and the adapter between records and the wire.

A customer is named by ``customerid`` (the CRM's id) or, for declarative use,
by ``uniqueid``, the operator's own key. The CRM assigns customerids, so a
customer is created only when it is declared by ``uniqueid`` alone; the list
cannot filter on uniqueid, so it is resolved against the one paged read of
the list a task makes. Until a customer exists, its key (what results show as
``customerid``) is the text ``uniqueid=<value>``.
"""

from __future__ import annotations

from ansible_collections.isp.provisioning.plugins.module_utils.backend import (
    READ_LATER,
    EntityBackend,
)
from ansible_collections.isp.provisioning.plugins.module_utils.crm.client import (
    client_from_module,
    id_of,
)
from ansible_collections.isp.provisioning.plugins.module_utils.entity import EntitySpec, Field
from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    AnswerLost,
    BackendError,
    ValidationError,
)
from ansible_collections.isp.provisioning.plugins.module_utils.values import (
    as_int,
    as_text,
    casefold,
    valid_iso_date,
)

UNIQUEID_KEY = "uniqueid="
TYPES = ["Individual", "Organisation"]
# How MySQL, behind the CRM, answers a date it does not have.
ZERO_DATES = ("0000-00-00", "0000-00-00 00:00:00")


def crm_text(value):
    """Text as the CRM stores it: stripped (the CRM trims what it is sent), and None
    when unset, which reads as null, as "" or as MySQL's zero date.

    Not ``values.text``: that one does not know zero dates.
    """
    text = as_text(value)
    if text is None:
        return None
    text = text.strip()
    return None if text == "" or text in ZERO_DATES else text


def crm_type(value):
    """A customer type as the module's choices spell it: the CRM may answer another case."""
    text = crm_text(value)
    if text is None:
        return None
    return next((choice for choice in TYPES if choice.casefold() == text.casefold()), text)


def reset_requested(value):
    """reset_password is an action: asked for (True) or not (None), never a stored value."""
    return True if value else None


def not_a_date(name, value):
    """Why ``value`` cannot be a date of the CRM's (None: it can)."""
    if valid_iso_date(value):
        return None
    return f"{name} {value!r} is not a date in yyyy-mm-dd form"


class Text(Field):
    """Text, read and compared as the CRM stores it (see crm_text)."""

    def __init__(self, name, **options):
        super().__init__(name, decode=crm_text, normalise=crm_text, **options)


class Date(Text):
    """A date, yyyy-mm-dd; a pattern cannot tell 2023-02-30 from a real date, so it
    is checked as a date. An empty string clears a stored date (``blank_ok``);
    a list filter has no such meaning."""

    def __init__(self, name, blank_ok=True, **options):
        super().__init__(name, **options)
        self.blank_ok = blank_ok

    def problem(self, value):
        if isinstance(value, str) and (value or not self.blank_ok):
            found = not_a_date(self.name, value)
            if found:
                return found
        return super().problem(value)


class Id(Field):
    """An id: an int in a task, a JSON number or numeric text (PHP) on the wire."""

    def __init__(self, name, **options):
        # Positive; a server may keep ids in a BIGINT column, so no tighter bound.
        options.setdefault("value_range", (1, 2 ** 63 - 1))
        super().__init__(name, type="int", decode=as_int, normalise=as_text, **options)


class ActionField(Field):
    """An option that asks for an action; its name says "password" but it holds no secret."""

    def argument_spec(self, required=None):
        spec = super().argument_spec(required)
        spec["no_log"] = False  # stops Ansible's warning about a "password" option
        return spec


class CustomerSpec(EntitySpec):
    """A customer is named by customerid, or by uniqueid until the CRM has given it an id."""

    @property
    def identities(self):
        # uniqueid, what an _info module looks customers up by, names one in a task too
        return (self.identity,) + self.lookups

    def problems(self, desired):
        # Without a customerid, the uniqueid is the key in use: it must name someone.
        blank = (desired.get(self.identity) is None
                 and isinstance(desired.get("uniqueid"), str) and not desired["uniqueid"].strip())
        return (["uniqueid must not be empty"] if blank else []) + super().problems(desired)

    def key(self, record):
        customerid = as_int(record.get(self.identity))
        if customerid is not None:
            return customerid
        uniqueid = crm_text(record.get("uniqueid"))
        return UNIQUEID_KEY + uniqueid if uniqueid is not None else None

    def record_argument_spec(self):
        spec = super().record_argument_spec()
        spec[self.identity].pop("required", None)  # customerid or uniqueid: checked in prepare
        return spec


CUSTOMER = CustomerSpec(
    name="customer",
    plural="customers",
    identity="customerid",
    label="CRM customer",
    create_needs="to create it the CRM also needs {fields}",
    fields=[
        # The list answers it as id or as customerid (id_of reads it there);
        # update and delete send it themselves, never as a field to set.
        Id("customerid", read=False, write=False, filter="customerid", assigned=True),
        Text("uniqueid", lookup=True),  # the list cannot filter by it
        Id("ispid", updatable=False, filter=True),
        Id("resellerid", updatable=False, filter=True),
        Field(
            "type",
            choices=TYPES,
            decode=crm_type,
            normalise=casefold,
            create_requires=True,
            filter=True,
        ),
        Text("name", create_requires=True, filter=True),
        Text("surname"),
        Date("dob"),
        Text("mobile", create_requires=True, filter=True),
        # A blank one passes here: prepare refuses it as empty.
        Text(
            "email",
            create_requires=True,
            filter=True,
            pattern=r"(?s)\s*|.*@.*",
            rule="is not an email address",
        ),
        Text("zipcode", create_requires=True, filter=True),
        # The CRM's "state", renamed so that it does not clash with the module's state.
        Text("address_state", wire="state", create_requires=True, filter=True),
        Text("city", create_requires=True, filter=True),
        Text("street", create_requires=True),
        Text("notes"),
        # An action, never read: update sends it, once per customer and task.
        ActionField("reset_password", type="bool", read=False, write=False,
                    normalise=reset_requested),
        Text("username", readonly=True, filter=True),
        Id("serviceid", readonly=True, filter=True),
        Text("created", readonly=True),
    ],
)

# Filters of the CRM's list that are no field of a customer.
CREATED_FILTERS = [
    Date("created_from", filter=True, blank_ok=False),
    Date("created_upto", filter=True, blank_ok=False),
]
SEARCH_FILTERS = [field for field in CUSTOMER.fields if field.filter_name] + CREATED_FILTERS


class CrmCustomers(EntityBackend):
    client_factory = staticmethod(client_from_module)
    spec = CUSTOMER
    # crm_customer_info's options: the list's own filters, sent to the CRM.
    search_options = {field.name: field.argument_spec(required=False) for field in SEARCH_FILTERS}

    def __init__(self, client=None):
        super().__init__(client)
        # the list's filters, by wire name (an _info search sets them)
        self.filters = {}
        # customerids that a declared record names (by customerid or by uniqueid)
        self._declared = set()
        # customerids whose portal password this task has already reset
        self._reset_sent = set()
        # fields the CRM's list reports (set by read_all)
        self.listed = set()
        # the records read, by uniqueid (set by read_all): one scan, not one per lookup
        self._by_uniqueid = {}
        # customerids this task's creates were given, by uniqueid: the read-back
        # finds each one so, even beside a twin another run created meanwhile
        self._created = {}

    def decoded(self, row, fields):
        return {self.spec.identity: id_of(row), **super().decoded(row, fields)}

    def read_all(self):
        # Which fields the CRM's list reports at all (its shape is not
        # documented): one it leaves out is unknown, not empty. Seen on every
        # page, also in the rows the task cannot act on, which are not kept.
        read = self.spec.read_fields
        reported, listed_any = set(), False

        def keep(page):
            nonlocal listed_any
            listed_any = listed_any or bool(page)
            reported.update(field.name for field in read
                            if any(field.read_name in row for row in page))
            return self.relevant_rows(page)

        rows = self.client.customers(self.filters, keep=keep)
        self.listed = reported if listed_any else {field.name for field in read}
        records = [self.from_wire(row) for row in rows]
        by_uniqueid = {}
        for record in records:
            by_uniqueid.setdefault(record["uniqueid"], []).append(record)
        # Published whole, in one assignment: the pool's threads read it while
        # another may be reading the list afresh (after a lost answer).
        self._by_uniqueid = by_uniqueid
        return records

    def holders(self, uniqueid):
        """The customers that hold ``uniqueid``, in the list's order."""
        self.all_records()  # the index comes with the read
        return list(self._by_uniqueid.get(crm_text(uniqueid), []))

    # --- reads by key -----------------------------------------------------------
    def fetch(self, keys):
        by_id = {record[self.spec.identity]: record for record in self.all_records()}
        found = {}
        for key in keys:
            if isinstance(key, int):
                if key in by_id:
                    found[key] = by_id[key]
                continue
            holders = self.holders(key[len(UNIQUEID_KEY):]) if key else []
            made = self._created.get(key)
            if made is not None:
                holders = [record for record in holders if record[self.spec.identity] == made]
            if len(holders) > 1:
                raise BackendError(
                    f"{len(holders)} CRM customers hold {key} (customerids {ids_of(holders)})"
                )
            if holders:
                found[key] = holders[0]
        return found

    def in_scope(self, selector):
        # A record declared by uniqueid has a text key, so the engine cannot see
        # that it names this customer: leave out every customer a record names.
        scoped = super().in_scope(selector)
        return {key: record for key, record in scoped.items() if key not in self._declared}

    def search(self, params):
        """Customers as the CRM's list answers them for the task's filters, then
        matched by uniqueid and ``filters``, which the list cannot do."""
        for field in SEARCH_FILTERS:
            value = params.get(field.name)
            if value is None:
                continue
            # Only dates are checked: the list's text filters take % wildcards.
            problem = field.problem(value) if isinstance(field, Date) else None
            if problem:
                raise ValidationError(problem)
            self.filters[field.filter_name] = field.encode(value)
        return super().search(params)

    # --- before any write -------------------------------------------------------
    def prepare(self, desired):
        if self.spec.key(desired) is None:
            raise ValidationError("name the customer by customerid or by uniqueid")
        if not desired.get("reset_password"):
            desired.pop("reset_password", None)
        for field in self.spec.fields:
            if field.create_requires and field.name in desired:
                if crm_text(desired[field.name]) is None:
                    raise ValidationError(f"{field.name} cannot be empty: the CRM requires it")
        if desired.get(self.spec.identity) is None:
            self.resolve_uniqueid(desired)
        customerid = desired.get(self.spec.identity)
        self.all_records()  # the one read of the list, which sets self.listed
        if customerid is None:
            return desired
        for field in self.spec.fields:
            if not field.updatable and field.name not in self.listed:
                desired.pop(field.name, None)  # set on create only; unknown is not a change
        if customerid in self._declared:
            raise ValidationError(
                f"names the same customer (customerid {customerid}) as another record"
            )
        self._declared.add(customerid)
        return desired

    def resolve_uniqueid(self, desired):
        """Name a customer declared by uniqueid alone by its customerid, if it exists."""
        holders = self.holders(desired["uniqueid"])
        if "uniqueid" not in self.listed:
            # Never create a customer the list cannot show: every run would add one.
            raise ValidationError(
                "this CRM's customer list does not report uniqueid, so a customer cannot "
                "be found by it: name it by customerid"
            )
        if len(holders) > 1:
            raise ValidationError(
                f"uniqueid {desired['uniqueid']!r} is held by {len(holders)} customers "
                f"(customerids {ids_of(holders)}): name the one to manage by customerid"
            )
        if holders:
            desired[self.spec.identity] = holders[0][self.spec.identity]

    def check(self, action, desired, current, changes):
        customerid = desired.get(self.spec.identity)
        # Before what a create lacks: no create can give a customer this id.
        if action == "create" and customerid is not None:
            raise ValidationError(
                f"customerid {customerid} does not exist; the CRM assigns customerids, so "
                "declare a new customer by uniqueid (without customerid)"
            )
        super().check(action, desired, current, changes)
        uniqueid = crm_text(changes.get("uniqueid"))
        if action == "update" and uniqueid is not None:
            others = [
                r for r in self.holders(uniqueid)
                if r[self.spec.identity] != current[self.spec.identity]
            ]
            if others:
                raise ValidationError(
                    f"uniqueid {uniqueid!r} already belongs to customerid {ids_of(others)}"
                )

    def predict(self, action, desired, current):
        after = super().predict(action, desired, current)
        if after is not None:
            after.pop("reset_password", None)
        return after

    def twins(self, created):
        # The CRM stores a second customer of one uniqueid without a word.
        if not created.get("uniqueid"):
            return []
        return sorted(self.holders(created["uniqueid"]), key=lambda r: r[self.spec.identity])

    # --- writes -----------------------------------------------------------------
    # The list is the only read that can find customers by uniqueid, and after
    # creates it is read whole anyway (twins): so every write is read back with
    # the others, in one read of the list after the last write (READ_LATER).
    def create(self, desired):
        customerid = self.client.create(self.to_wire(desired))
        self._created[self.spec.key(desired)] = customerid
        return READ_LATER

    def update(self, current, changes, desired):
        customerid = current[self.spec.identity]
        wire = self.to_wire(changes)
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
                        f"customerid {customerid}: the answer to the portal password reset was "
                        "lost, so the reset may not have happened; it was not sent again: check "
                        "the customer's portal login"
                    )
                raise
        return READ_LATER

    def delete(self, current):
        self.client.delete(current[self.spec.identity])


def ids_of(records):
    """The customerids of ``records``, for a message."""
    return ", ".join(str(record[CUSTOMER.identity]) for record in records)
