# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""A subscriber, declared once, and its fan-out to each backend's records.

A subscriber record (one YAML mapping)::

    id: SUB-000101                   # the ISP's own subscriber id
    state: active                    # active (default) | suspended | absent
    name: {first: Ana, last: Petrova}   # a person; or
    organisation: Varna Harbour Ltd     # an organisation
    contact: {mobile: "+359888100200", phone: ..., email: ana@example.net}
    address: {street: 12 Vitosha Blvd, city: Sofia, region: Sofia City,
              postcode: "1000", country: Bulgaria}
    onu: {sn: ALCL00A1B2C3, service: HGU}       # one section per backend it is on
    crm: {resellerid: 3}
    billing: {nickname: apetrova, equipment: [{nickname: cpe_apetrova, ...}]}
    ipdr: {}
    erp: {house_id: 12, apartment: "5", tariff: 2}

A section left out means the subscriber is not on that backend: nothing is
created or touched there. A section holds that backend's own fields (those
of its entity module, validated by the same declarations); a shared fact
named there overrides the shared value for that backend alone.

:data:`SHARED` is the one table that says how each shared fact becomes each
backend's field; :data:`SECTIONS` how each section becomes a record of an
entity module (its identity rule and its lifecycle). Both are checked
against the backends' field declarations by the unit tests.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ansible.module_utils.errors import UnsupportedError

from ansible_collections.isp.provisioning.plugins.module_utils.argspec import RecordValidator

from ansible_collections.isp.provisioning.plugins.module_utils.crm.customers import CrmCustomers
from ansible_collections.isp.provisioning.plugins.module_utils.ipdr.customers import IpdrCustomers
from ansible_collections.isp.provisioning.plugins.module_utils.onu.customers import OnuCustomers
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.customers import (
    SimplerCustomers,
)
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.equipment import (
    SimplerEquipment,
)
from ansible_collections.isp.provisioning.plugins.module_utils.userside.customers import (
    UsersideCustomers,
)

STATES = ("active", "suspended", "absent")
TEXT = {"type": "str"}
SUBSCRIBER_SPEC = {
    "id": {"type": "raw", "required": True},
    "state": {"type": "str", "choices": list(STATES), "default": "active"},
    "name": {"type": "dict", "options": {"first": TEXT, "last": TEXT}},
    "organisation": {"type": "str"},
    "contact": {"type": "dict", "options": {"mobile": TEXT, "phone": TEXT, "email": TEXT}},
    "address": {"type": "dict", "options": {
        "street": TEXT, "city": TEXT, "region": TEXT, "postcode": TEXT, "country": TEXT}},
}


# --- shared facts, composed the ways backends hold them -----------------------------
class Shared:
    """How one backend field holds the subscriber's shared facts, both ways.

    ``compose(subscriber)`` is the field's value in the fan-out (None: not sent).
    ``parse(value, record)`` is what the export reads back from a backend's record:
    the facts the value says on its own, by path (``{"contact.mobile": ...}``);
    nothing where it would have to guess (an address line is not split back into
    its parts, a phone that may be either number is not taken for one).
    """

    def __init__(self, compose, parse=None):
        self.compose = compose
        self.parse = parse or (lambda value, record: {})

    def __call__(self, subscriber):
        return self.compose(subscriber)


def is_organisation(subscriber):
    return subscriber["organisation"] is not None


def kind(organisation, person):
    """A field that says person or organisation: None for a subscriber with neither."""
    def compose(subscriber):
        if is_organisation(subscriber):
            return organisation
        return person if subscriber["name"] else None
    return Shared(compose)


def first_name(subscriber):
    return subscriber["organisation"] or (subscriber["name"] or {}).get("first")


def last_name(subscriber):
    return None if subscriber["organisation"] else (subscriber["name"] or {}).get("last")


def full_name(subscriber):
    """A person's first and last name, or the organisation's name: one string."""
    if subscriber["organisation"]:
        return subscriber["organisation"]
    parts = [(subscriber["name"] or {}).get(part) for part in ("first", "last")]
    return " ".join(part for part in parts if part) or None


def named(corporate):
    """A full name read back: the organisation's, or a person's split at the last
    space (which composes back to the same text); ``corporate(record)`` says which
    (None: the record does not say, and the name is not read)."""
    def parse(value, record):
        says = corporate(record)
        if says is None:
            return {}
        if says:
            return {"organisation": value}
        first, _space, last = value.rpartition(" ")
        return {"name.first": first, "name.last": last} if first and last else {}
    return Shared(full_name, parse)


def fact(path):
    """A backend field holding one shared fact as it is (``contact.mobile``)."""
    group, part = path.split(".")
    return Shared(lambda subscriber: (subscriber[group] or {}).get(part),
                  lambda value, record: {path: value})


def address_line(subscriber):
    """The address as one line: "street, postcode city, region, country"."""
    where = subscriber["address"] or {}
    town = " ".join(p for p in (where.get("postcode"), where.get("city")) if p)
    parts = (where.get("street"), town, where.get("region"), where.get("country"))
    return ", ".join(p for p in parts if p) or None


# SIMPLer's installation address parts (the client joins them with ':::') -> address's
SIMPLER_ADDRESS = {"street1": "street", "town": "city", "county": "region",
                   "postcode": "postcode"}


def simpler_address(subscriber):
    where = subscriber["address"] or {}
    parts = {part: where.get(ours) for part, ours in SIMPLER_ADDRESS.items()}
    return {k: v for k, v in parts.items() if v is not None} or None


def simpler_address_facts(value, record):
    return {f"address.{SIMPLER_ADDRESS[part]}": text for part, text in value.items()
            if part in SIMPLER_ADDRESS}


def phone_or_mobile(subscriber):
    where = subscriber["contact"] or {}
    return where.get("phone") or where.get("mobile")


def crm_name(value, record):
    if record.get("type") == "Organisation":
        return {"organisation": value}
    return {"name.first": value} if record.get("type") == "Individual" else {}


def crm_surname(value, record):
    return {"name.last": value} if record.get("type") == "Individual" else {}


# section -> {backend field: the shared facts it holds}. The documented fan-out table
# (docs/subscribers.md); a field a section names itself overrides the shared value.
SHARED = {
    "onu": {"name": named(lambda record: None), "address": Shared(address_line)},
    "crm": {
        "type": kind("Organisation", "Individual"),
        "name": Shared(first_name, crm_name), "surname": Shared(last_name, crm_surname),
        "mobile": fact("contact.mobile"), "email": fact("contact.email"),
        "street": fact("address.street"), "city": fact("address.city"),
        "address_state": fact("address.region"), "zipcode": fact("address.postcode"),
    },
    "billing": {
        "name": named(lambda record: {"customer business": True, "customer home": False}.get(
            record.get("type"))),
        "type": kind("customer business", "customer home"),
        "email": fact("contact.email"), "phone": Shared(phone_or_mobile),
        "country": fact("address.country"),
        "installation_address": Shared(simpler_address, simpler_address_facts),
    },
    "ipdr": {
        "name": named(lambda record: None), "address": Shared(address_line),
        "email": fact("contact.email"),
        "phone_number": fact("contact.mobile"), "alt_phone_number": fact("contact.phone"),
    },
    "erp": {
        "name": named(lambda record: record.get("is_corporate")),
        "mobile_phone": fact("contact.mobile"), "home_phone": fact("contact.phone"),
        "email": fact("contact.email"),
        "is_corporate": kind(True, False),
    },
}


UNSET = object()


def nickname_of(subscriber_id):
    """SIMPLer nicknames take letters, digits and _ only: the id with others as _."""
    return re.sub(r"[^A-Za-z0-9_]", "_", subscriber_id)


class Section:
    """How one section of a subscriber becomes one record of an entity module.

    ``default_identity(subscriber_id)`` names the record when the section does
    not (None: the section must name it); ``lifecycle`` maps the subscriber's
    state to the fields that state sets (a field the lifecycle owns cannot be
    set in the section); ``absent`` is what leaving does: "delete" or "keep".
    ``purgeable``: its module can delete undeclared records; ``purge_scope``:
    the scope a purge takes when the role is given none (None: it must be
    given one).
    """

    def __init__(self, name, backend, module, default_identity=None, lifecycle=None,
                 absent="delete", defaults=None, label=None, identity=None,
                 purgeable=True, purge_scope=UNSET):
        self.name = name
        self.backend = backend
        self.spec = backend.spec
        self.identity = identity or self.spec.identity
        self.module = module
        self.default_identity = default_identity
        self.lifecycle = lifecycle or {}
        self.absent = absent
        self.defaults = defaults or {}
        self.label = label or name
        self.owned = sorted({field for fields in self.lifecycle.values() for field in fields})
        self.purgeable = purgeable
        # Every record the backend holds, by default: the identity matches anything.
        self.purge_scope = {self.identity: "*"} if purge_scope is UNSET else purge_scope

    def argument_spec(self, keep_identity=False):
        spec = self.spec.record_argument_spec()
        spec.pop("state")  # the subscriber's state decides
        if not keep_identity:
            spec[self.identity].pop("required", None)  # derived from the subscriber id
        for name in self.owned:
            spec.pop(name, None)
        return spec

    def validator(self, keep_identity=False):
        """The section's RecordValidator, built once (200,000 subscribers use it)."""
        key = "_validator_keeping_identity" if keep_identity else "_validator"
        if key not in self.__dict__:
            self.__dict__[key] = RecordValidator(self.argument_spec(keep_identity))
        return self.__dict__[key]


def same_id(subscriber_id):
    return subscriber_id


# section name -> how it fans out. The order is the order backends converge in.
SECTIONS = {
    section.name: section for section in (
        Section("onu", OnuCustomers, "onu_customer", label="ONU",
                lifecycle={"active": {"enabled": True}, "suspended": {"enabled": False}}),
        # The CRM gives customerids; the operator's own key is uniqueid.
        Section("crm", CrmCustomers, "crm_customer", identity="uniqueid",
                default_identity=same_id, label="CRM"),
        Section("billing", SimplerCustomers, "simpler_customer", default_identity=same_id,
                defaults={"nickname": nickname_of}, label="billing (SIMPLer)"),
        Section("ipdr", IpdrCustomers, "ipdr_customer", default_identity=same_id,
                absent="keep", label="IPDR"),
        # UserSide lists no customer without a condition with a plain value (see
        # UsersideCustomers.in_scope): its purge needs a scope from the operator.
        Section("erp", UsersideCustomers, "userside_customer", default_identity=same_id,
                lifecycle={"active": {"status": "active"}, "suspended": {"status": "paused"}},
                label="ERP (UserSide)", purge_scope=None),
    )
}
# SIMPLer equipment rides in the billing section: a list of equipment records. The
# API cannot delete equipment, so nothing purges it.
EQUIPMENT = Section("billing_equipment", SimplerEquipment, "simpler_equipment",
                    label="billing equipment (SIMPLer)", purgeable=False, purge_scope=None)


class Options:
    """What the role (or the inventory) can change in the fan-out.

    ``ipdr_delete_absent``: an absent subscriber's IPDR record is kept unless
    this is true (an ISP must still say who held an address after the contract
    ended). ``billing_suspended_status``: the SIMPLer customer status that a
    suspended subscriber gets (statuses are the server's own; None leaves the
    status as the section says).
    """

    # section -> the fields an option sets when a subscriber is suspended (the plan
    # reports a change of one of them as "suspend", not as an update)
    suspending = {"billing": ("customerstatus",)}

    def __init__(self, ipdr_delete_absent=False, billing_suspended_status=None):
        self.ipdr_delete_absent = ipdr_delete_absent
        self.billing_suspended_status = billing_suspended_status

    def lifecycle(self, section, state):
        owned = dict(section.lifecycle.get(state, {}))
        if state == "suspended" and self.billing_suspended_status:
            owned.update(dict.fromkeys(self.suspending.get(section.name, ()),
                                       self.billing_suspended_status))
        return owned

    def absent(self, section):
        if section.name == "ipdr" and self.ipdr_delete_absent:
            return "delete"
        return section.absent


# --- validation ----------------------------------------------------------------------
# How ArgumentSpecValidator words an unknown key ("name.middle" for a nested one).
UNSUPPORTED = re.compile(r"(.*?)\. Supported parameters include: (.*?)\.?$")


def _validated(validator, value, where):
    """(validated value, problems) of one mapping against a RecordValidator's spec."""
    spec = validator.spec
    if not isinstance(value, dict):
        return None, [f"{where}: must be a mapping, got {type(value).__name__}"]
    checked = validator.validate(value)
    problems = []
    messages = [str(error) for error in checked.errors]
    for error, message in zip(checked.errors, messages):
        nested = UNSUPPORTED.match(message) if isinstance(error, UnsupportedError) else None
        if nested and "." in nested[1]:
            # "name.middle. Supported parameters include: first, last."
            problems.append(f"{where}: unknown key {nested[1]} (known: {nested[2]})")
        elif isinstance(error, UnsupportedError):
            unknown = sorted(set(value) - set(spec))
            problems.append(f"{where}: unknown key{'s' if len(unknown) > 1 else ''} "
                            f"{', '.join(unknown)} (known: {', '.join(sorted(spec))})")
        elif not _said_elsewhere(message, messages):
            problems.append(f"{where}: {_plainly(message)}")
    return checked.validated_parameters, problems


def _said_elsewhere(message, messages):
    """Whether another of the validator's messages already says this one, with its key.

    A value of the wrong type gets up to three messages: the conversion's own
    ("dictionary requested, ..."), the same with the key's name, and the options'
    check ("value of 'contact' must be of type dict ..."): one says it all.
    """
    key = re.match(r"value of '([^']+)' must be of type", message)
    return any(
        other != message and (message in other or (key and f"argument '{key[1]}'" in other))
        for other in messages
    )


TYPE_WORDS = {"str": "text", "int": "a whole number", "float": "a number", "bool": "true or false",
              "list": "a list", "dict": "a mapping"}
TYPE_ERROR = re.compile(r"argument '(?P<key>[^']+)' is of type (?P<got>\w+)(?: found in '(?P<parent>"
                        r"[^']+)'\.)? and we were unable to convert to (?P<wanted>\w+)")


def _plainly(message):
    """The argument spec's type error in the words of a YAML file: "contact must be a
    mapping, got text" (its own names Python's types and its converters' errors)."""
    found = TYPE_ERROR.match(message)
    if not found:
        return message
    parent = f"{found['parent']}." if found["parent"] else ""
    wanted, got = (TYPE_WORDS.get(found[k], found[k]) for k in ("wanted", "got"))
    return f"{parent}{found['key']} must be {wanted}, got {got}"


def validate(subscribers, sources=None):
    """(subscribers as validated, problems): every problem of every record, at once.

    ``sources`` (parallel to ``subscribers``) names the file each came from.
    Checks each record's keys and types, each section against its backend's
    field declarations, and across records: a subscriber id used twice, and a
    backend identity (an ONU serial, an IPDR UserID, ...) claimed by two.
    """
    validation = Validation()
    valid = [record for record in map(validation.check, subscribers, sources or
                                      [None] * len(subscribers))
             if record is not None]
    return valid, validation.problems


class Validation:
    """Subscribers checked one at a time (:meth:`check`), and across each other.

    What is compared across them - ids, and every backend identity claimed - is
    kept as those values alone, so that a reader of thousands of files (the
    inventory plugin) need not hold the records it has checked.
    """

    def __init__(self):
        spec = dict(SUBSCRIBER_SPEC)
        spec.update((name, {"type": "dict"}) for name in SECTIONS)
        self.validator = RecordValidator(spec)
        self.count = 0
        self.seen = {}  # subscriber id -> where it was first declared
        self.record_problems = []
        # section -> (adapter, canonical identity -> where first claimed, problems)
        self.claims = {
            name: (section.backend(None), {}, [])  # no client: only canonical_key is asked
            for name, section in list(SECTIONS.items()) + [(EQUIPMENT.name, EQUIPMENT)]
        }

    @property
    def problems(self):
        """Every problem so far: each record's, then the identities claimed twice, by section."""
        return self.record_problems + [problem for _adapter, _holders, problems
                                       in self.claims.values() for problem in problems]

    def check(self, raw, source=None):
        """The subscriber as validated, or None when it has a problem (see :attr:`problems`)."""
        index, self.count = self.count, self.count + 1
        origin = source or f"subscribers[{index}]"
        examined = self.examine(raw, origin)
        return examined.record if self.settle(examined, origin) else None

    def examine(self, raw, origin):
        """One record on its own (``origin``: where it was declared): its checks and
        what it claims, not yet compared with the other records (:meth:`settle`).

        It reads no earlier record, so that records can be examined anywhere (the
        inventory plugin examines files in worker processes) and settled in order.
        """
        where = origin
        ident = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(ident, (str, int)) and not isinstance(ident, bool):
            where = f"{where}: subscriber {ident}"
        record, found = _validated(self.validator, raw, where)
        if ident is not None and not isinstance(ident, str):
            # YAML reads 0012 as the number 10 and yes as true: an id must be quoted text.
            found.append(f"{where}: id {ident!r} must be text (quote it in YAML)")
        if record is not None:
            # Every problem at once: its sections', and what its facts would give the
            # backends, even when its own keys have problems too.
            found.extend(_sections(record, where))
            if _composable(record):
                if record["name"] and record["organisation"]:
                    found.append(f"{where}: give either name (a person) or organisation, "
                                 "not both")
                found.extend(_composed(record, where))
        # Ids and backend identities are compared across every record, even one with
        # other problems, so that every problem is reported at once.
        claims = self._claims(raw) if isinstance(ident, str) else []
        return Examined(record, found, ident, where, claims)

    def settle(self, examined, origin):
        """Whether an examined record is valid, once compared with every record settled
        before it: its id and the backend identities it claims (its problems and
        theirs go to :attr:`problems`)."""
        self.record_problems.extend(examined.problems)
        valid = not examined.problems
        if isinstance(examined.ident, str):
            if examined.ident in self.seen:
                self.record_problems.append(
                    f"{examined.where}: subscriber id {examined.ident} is also used by "
                    f"{self.seen[examined.ident]}")
                valid = False
            else:
                self.seen[examined.ident] = origin
            self._claim(examined.claims, examined.where)
        return valid

    def _claims(self, raw):
        """(section, what, identity, canonical identity) of every backend identity a
        raw subscriber claims: read from the record as given, so that a record with
        other problems is compared too."""
        return [(name, label, key, self.claims[name][0].canonical_key(key))
                for name, section in list(SECTIONS.items()) + [(EQUIPMENT.name, EQUIPMENT)]
                for label, key in _claimed(raw, name, section)]

    def _claim(self, claims, where):
        """A backend identity declared by two subscribers: either would overwrite the other."""
        for name, label, key, canonical in claims:
            _adapter, holders, problems = self.claims[name]
            if canonical in holders:
                problems.append(f"{where}: {label} {key!r} is also claimed by "
                                f"{holders[canonical]}")
            else:
                holders[canonical] = where


class Examined(NamedTuple):
    """One subscriber record examined on its own (see :meth:`Validation.examine`)."""

    record: dict | None  # as validated; None when it is no mapping
    problems: list  # its own
    ident: object  # its id as given
    where: str  # how its problems name it
    claims: list  # (section, what, identity, canonical identity)


def _sections(record, where):
    problems = []
    for name, section in SECTIONS.items():
        if not isinstance(record.get(name), dict):
            continue  # not there, or not a mapping (that was said with the record's keys)
        body = dict(record[name])
        equipment = body.pop("equipment", None) if name == "billing" else None
        owned = sorted(set(body) & set(section.owned))
        if owned:
            problems.append(f"{where}: {name}.{', '.join(owned)} follows the subscriber's "
                            "state (active, suspended, absent): set state instead")
            continue
        checked, found = _validated(section.validator(), body, f"{where}: {name}")
        problems.extend(found)
        if not found:
            limits = section.spec.problems({k: v for k, v in checked.items() if v is not None})
            problems.extend(f"{where}: {name}: {limit}" for limit in limits)
            record[name] = {k: v for k, v in checked.items() if v is not None}
        if section.default_identity is None and not body.get(section.identity):
            problems.append(f"{where}: {name}.{section.identity} is required: it names the "
                            f"subscriber's record on the {section.label} backend")
        if equipment is not None:
            problems.extend(_equipment(record, equipment, where))
    return problems


def _composable(record):
    """Whether the shared facts have the shapes the fan-out reads (their values may
    still be wrong: that is reported with the record's keys)."""
    facts = [record.get(key) for key in ("name", "contact", "address")]
    return isinstance(record.get("id"), str) and all(
        fact is None or (isinstance(fact, dict)
                         and not any(isinstance(v, (list, dict)) for v in fact.values()))
        for fact in facts)


def _composed(record, where):
    """The limits each backend puts on the values the subscriber's shared facts and id
    give it (a quote in a name the ONU cannot store, a dot in an id that cannot be an
    IPDR UserID). Found here, before any write: that backend's task would refuse them
    and, with them, every other subscriber's record on that backend."""
    problems = []
    options = Options()
    for name, section in SECTIONS.items():
        if not isinstance(record[name], dict):
            continue
        composed = record_for(record, section, options) or {}
        derived = {k: v for k, v in composed.items() if k not in record[name] and k != "state"}
        problems.extend(f"{where}: {name}: {problem} (from the subscriber's shared facts or id)"
                        for problem in section.spec.problems(derived))
    return problems


def _equipment(record, equipment, where):
    if not isinstance(equipment, list):
        return [f"{where}: billing.equipment must be a list of equipment records"]
    items, problems = [], []
    for index, item in enumerate(equipment):
        checked, found = _validated(EQUIPMENT.validator(keep_identity=True), item,
                                    f"{where}: billing.equipment[{index}]")
        problems.extend(found)
        if not found:
            items.append({k: v for k, v in checked.items() if v is not None})
    record["billing"]["equipment"] = items
    return problems


def _claimed(raw, name, section):
    """(what, identity) pairs that a raw subscriber claims on one backend."""
    if name == EQUIPMENT.name:
        billing = raw.get("billing")
        items = billing.get("equipment") if isinstance(billing, dict) else None
        if not isinstance(items, list):
            return []
        return [(f"billing.equipment {section.identity}", item[section.identity])
                for item in items
                if isinstance(item, dict) and isinstance(item.get(section.identity), str)]
    body = raw.get(name)
    if not isinstance(body, dict):
        return []
    key = body.get(section.identity)
    if key is None and section.default_identity and isinstance(raw.get("id"), str):
        key = section.default_identity(raw["id"])
    return [(f"{name}.{section.identity}", key)] if isinstance(key, (str, int)) else []


def identity_of(record, section):
    body = record[section.name] or {}
    if body.get(section.identity) is not None:
        return body[section.identity]
    return section.default_identity(record["id"]) if section.default_identity else None


# --- fan-out -------------------------------------------------------------------------
# A section's lists of subscriber ids and identities beside its records (see fan_out).
IDS = ("owners", "kept", "keepers")


def fan_out(subscribers, options=None):
    """Validated subscribers -> each backend's records, in subscriber order.

    Returns ``{section: {"module": ..., "records": [...], "owners": [ids],
    "kept": [identities], "keepers": [ids]}}`` for every section
    (``billing_equipment`` too), ``owners[i]`` being the subscriber id that
    ``records[i]`` came from. A subscriber without a section has no record
    there; an absent one whose backend keeps records (IPDR by default) has none
    either: its identity is in ``kept``, which a purge must leave alone, and its
    id in ``keepers``.
    """
    options = options or Options()
    out = {name: dict({"module": section.module, "records": []}, **{part: [] for part in IDS})
           for name, section in list(SECTIONS.items()) + [(EQUIPMENT.name, EQUIPMENT)]}
    for subscriber in subscribers:
        for name, section in SECTIONS.items():
            if subscriber[name] is None:
                continue
            record = record_for(subscriber, section, options)
            if record is not None:
                out[name]["records"].append(record)
                out[name]["owners"].append(subscriber["id"])
            else:
                out[name]["kept"].append(identity_of(subscriber, section))
                out[name]["keepers"].append(subscriber["id"])
            if name == "billing":
                for item in subscriber[name].get("equipment") or []:
                    # Equipment cannot be deleted in SIMPLer: a leaver's goes back to stock.
                    item = dict(item, status="stock") if subscriber["state"] == "absent" else item
                    out[EQUIPMENT.name]["records"].append(item)
                    out[EQUIPMENT.name]["owners"].append(subscriber["id"])
    return out


def record_for(subscriber, section, options):
    """One subscriber's record for one backend's entity module (None: leave it alone)."""
    identity = identity_of(subscriber, section)
    state = subscriber["state"]
    if state == "absent":
        if options.absent(section) == "keep":
            return None
        return {section.identity: identity, "state": "absent"}
    record = {}
    for field, fact in SHARED[section.name].items():
        value = fact(subscriber)
        if value is not None:
            record[field] = value
    for field, default in section.defaults.items():
        record[field] = default(subscriber["id"])
    record.update((k, v) for k, v in subscriber[section.name].items() if k != "equipment")
    record.update(options.lifecycle(section, state))
    record[section.identity] = identity
    record["state"] = "present"
    return record
