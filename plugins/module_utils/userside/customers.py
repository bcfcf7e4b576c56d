# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""UserSide customers: the fields, and the adapter between records and the wire.

A customer is named by a natural key the user controls and ``get_abon_id``
can look up: ``login`` by default, or ``agreement_number``, ``account_number``
or ``email`` (the entity module's ``identity`` option). UserSide cannot list
every customer, so current state is read per declared key (``get_abon_id`` +
``get_data``), all of it once, before any write; the _info module finds
customers by id, by any key ``get_abon_id`` knows, or by ``get_customers_id``
conditions.

Writes are several actions: ``add`` (name, billing, flags), ``edit`` (the
rest, the identity with it), then ``state_change``, ``tarif_change`` and the
set actions (``mark_*``, ``service_*``, ``ip_*``), each only for what differs.
Until edit has given a new customer its identity, nothing but its id finds
it: a lost answer is read back here, by id, and a create that cannot name it
deletes the customer it added, so that no half-made customer (invisible to
the next run, which would add another) is left behind. Once it holds its
identity, a lost answer is the engine's to read back, by identity, which
then sends only what is left; a later step UserSide refuses still undoes the
add (a create succeeds whole or leaves nothing), a lost one never does.
A customer the undo cannot delete (UserSide went down) is reported as it is
left, half-made and not confirmed; the next run finds it by its identity, or,
not yet named, refuses to add another beside a namesake that looks like it
(``refuse_beside_half_made``) - never takes it: another run adding a customer
of that name at the same time, or one made by hand, would look the same.

Every field says on its declaration how it travels (see :class:`UsersideField`);
the code below derives the identity choice, the lookups, the purge conditions,
``add``'s and ``edit``'s parameters, the actions and the read from them.
"""

from __future__ import annotations

import contextlib
import threading

from ansible_collections.isp.provisioning.plugins.module_utils.backend import (
    EntityBackend,
    Unconfirmed,
    confirmed,
    matches,
)
from ansible_collections.isp.provisioning.plugins.module_utils.entity import EntitySpec, Field
from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    AnswerLost,
    BackendError,
    ProvisioningError,
    ValidationError,
    stops_backend,
)
from ansible_collections.isp.provisioning.plugins.module_utils.userside import shape
from ansible_collections.isp.provisioning.plugins.module_utils.userside.client import (
    client_from_module,
    lowered,
)
from ansible_collections.isp.provisioning.plugins.module_utils.values import (
    casefold_text,
    flag,
    id_set,
    ident,
    same,
    text,
)

# Keys get_abon_id finds customers by that are no field of theirs: _info option -> data_typer.
OTHER_KEYS = {"phone": "phone", "ip": "ip", "mac": "mac"}
# How many times a new customer's naming edit is sent, each after a lost answer
# and a read showing it did not happen, before the add is undone.
NAMING_SENDS = 3
# What a create left half-made asks for.
FINISH = "run the task again to finish it (or delete it in UserSide)"


class UsersideField(Field):
    """A customer field, with what only UserSide says of it.

    * ``typer``: get_abon_id's ``data_typer`` for it (an _info module then
      looks customers up by it); ``natural_key``: it can name customers (a
      choice of the entity module's ``identity``);
    * ``condition``: get_customers_id's condition for it (what a purge_scope
      can be searched by: UserSide lists no customer without one);
    * ``part``: the list of get_data it is read from (``phone``, ``email``,
      ``agreement``, ``address``), its read name then being a key of that
      list's entry (see ``shape.part_entry``);
    * ``on_add``: add's parameter for it (add takes a few fields, by other
      names than edit);
    * ``action`` (with its ``param``): the action that sets it instead of edit;
      for a set of ids, the one that adds one id, ``removal`` the one that
      removes one;
    * ``needs``: the field it is stored with (none without it);
    * ``clean``: makes a declared value the one UserSide stores, refusing one
      it can never store (before any write).

    What get_data answers is held in its canonical form, so ``decode``
    defaults to ``normalise``.
    """

    def __init__(self, name, type="str", *, typer=None, natural_key=False, condition=None,
                 part=None, on_add=None, action=None, param=None,
                 removal=None, needs=None, clean=None, **facts):
        facts["decode"] = facts.get("decode") or facts.get("normalise")
        facts["lookup"] = facts.get("lookup") or typer is not None
        super().__init__(name, type, **facts)
        self.typer = typer
        self.natural_key = natural_key
        self.condition = condition
        self.part = part
        self.on_add = on_add
        self.action = action
        self.param = param
        self.removal = removal
        self.needs = needs
        self.clean = clean

    def condition_value(self, value):
        """A purge_scope value as get_customers_id takes it (a set gives its first id)."""
        if self.type == "list":
            value = (value if isinstance(value, list) else [value])[0]
        return self.encode(value)


def nonzero(amount):
    """Whether a balance (a number, or its text) is anything but zero."""
    try:
        return float(amount or 0) != 0
    except (TypeError, ValueError):
        return True


def unreadable(value):
    """get_data does not answer the billing uid: it is written on create, never compared."""
    return None


def _fields():
    binding = {"ip": {"type": "str", "required": True}, "mac": {"type": "str"}}
    # In the order get_data's fields are shown; the actions are sent in this order too.
    return [
        UsersideField("id", type="int", readonly=True, lookup=True, normalise=ident),
        UsersideField("login", normalise=text, typer="login", natural_key=True),
        UsersideField("name", normalise=text, read="full_name", read_also="name", on_add="fio",
                      condition="name", create_requires=True),
        UsersideField("agreement_number", normalise=text, typer="dognumber", natural_key=True,
                      part="agreement", read="number"),
        UsersideField("agreement_date", normalise=text, part="agreement", read="date",
                      decode=shape.lenient_date, clean=shape.date),
        UsersideField("account_number", normalise=text, typer="account", natural_key=True),
        UsersideField("mobile_phone", normalise=text, part="phone", wire="phone0"),
        UsersideField("home_phone", normalise=text, part="phone", wire="phone1"),
        UsersideField("email", normalise=casefold_text, typer="mail", natural_key=True,
                      part="email", read="address"),
        UsersideField("house_id", type="int", normalise=ident, part="address",
                      condition="house_id"),
        # UserSide keeps apartment, entrance and floor in the address of a house.
        UsersideField("apartment", normalise=text, part="address", write="apartment_number",
                      decode=shape.apartment_of, needs="house_id"),
        UsersideField("entrance", type="int", normalise=ident, part="address",
                      needs="house_id"),
        UsersideField("floor", type="int", normalise=ident, part="address", needs="house_id"),
        UsersideField("comment", normalise=text),
        UsersideField("group_id", type="int", normalise=ident, read="group",
                      decode=shape.group_of),
        UsersideField("manager_id", type="int", normalise=ident),
        UsersideField("is_corporate", type="bool", normalise=flag, wire="flag_corporate",
                      read_also="is_corporate", encode=shape.flag_param, decode=shape.is_set,
                      on_add="is_corporate",
                      condition="is_corporate", new=False),
        UsersideField("is_potential", type="bool", normalise=flag, encode=shape.flag_param,
                      decode=shape.is_set, on_add="is_potential", new=False),
        UsersideField("billing_id", type="int", normalise=ident, write=False,
                      on_add="billing_id", condition="billing_id", updatable=False),
        UsersideField("billing_uid", normalise=unreadable, decode=text, write=False,
                      read_also="codeti", on_add="codeti", typer="codeti", updatable=False),
        UsersideField("status", choices=sorted(shape.STATES), normalise=text, read="state_id",
                      write=False, encode=shape.state_id, decode=shape.state_name,
                      action="state_change", param="state_id", condition="state_id",
                      new="active"),
        UsersideField("tariff", type="int", normalise=ident, write=False,
                      decode=shape.tariff_of, action="tarif_change", param="tarif",
                      condition="tariff_id"),
        UsersideField("marks", type="list", elements="int", normalise=id_set, read="mark",
                      write=False, decode=shape.id_set_of, action="mark_add",
                      removal="mark_delete", param="mark_id", condition="mark_id", new=[]),
        UsersideField("services", type="list", elements="int", normalise=id_set,
                      read="service", read_also=("services", "additional_service"), write=False,
                      decode=shape.id_set_of, action="service_add",
                      removal="service_remove", param="service_id", new=[]),
        # ip_add and ip_delete take an IP and a MAC: sent by hand (see send).
        UsersideField("ip_mac", type="list", elements="dict", options=binding,
                      normalise=shape.bindings, write=False, decode=shape.bindings_of,
                      clean=shape.one_mac_per_ip, new=[]),
        UsersideField("balance", readonly=True, decode=same),
        UsersideField("date_create", readonly=True, normalise=text),
    ]


class CustomerSpec(EntitySpec):
    @property
    def identities(self):
        """Every natural key may name a customer: ``identity`` says which one does
        (the entity module's required_if then asks for that one)."""
        return tuple(field.name for field in self.fields if field.natural_key)


def customer_spec(identity="login"):
    return CustomerSpec(
        name="customer", plural="customers", identity=identity, label="UserSide customer",
        fields=_fields(),
    )


def _identity_option(spec):
    return {"identity": {"type": "str", "choices": sorted(spec.identities),
                         "default": spec.identity}}


def _identity_rules(spec):
    # The identity chosen is required (in the task, or in each item of the list):
    # a rule per choice, so that the options are checked before anything is read.
    return {"required_if": [
        ("identity", name, (name, spec.plural, spec.as_json), True)
        for name in spec.identities]}


def _typers(spec):
    """_info option -> get_abon_id's data_typer, for every key it finds customers by."""
    typers = {field.name: field.typer for field in spec.fields if field.typer}
    typers.update(OTHER_KEYS)
    return typers


def _search_options(spec):
    # A lookup takes its field's type (the customer id is a number); the rest are text.
    options = {name: {"type": "str"} for name in OTHER_KEYS}
    options.update((field.name, field.argument_spec(required=False))
                   for field in spec.fields if field.lookup)
    options["conditions"] = {"type": "dict"}
    return options


def _search_sources(spec):
    """The options of which an _info task needs one: UserSide cannot list every customer."""
    ids = [field.name for field in spec.fields if field.lookup and not field.typer]
    return ids + ["conditions"] + sorted(_typers(spec))


class UsersideCustomers(EntityBackend):
    client_factory = staticmethod(client_from_module)
    spec = customer_spec()
    task_options = _identity_option(spec)
    task_rules = _identity_rules(spec)
    search_options = _search_options(spec)
    search_required_one_of = _search_sources(spec)

    @classmethod
    def for_task(cls, params):
        """The adapter class whose records are named by the task's ``identity``."""
        identity = params["identity"]
        if identity == cls.spec.identity:
            return cls
        return type(f"UsersideCustomersBy_{identity}", (cls,), {"spec": customer_spec(identity)})

    def __init__(self, client=None):
        super().__init__(client)
        self._by_key = {}
        self._groups = None
        # One create at a time per name: see create().
        self._adding = {}
        self._adding_guard = threading.Lock()
        # Ids of the customers read holding their identity this task: none of them is
        # a create left half-made (that never had it), so a create does not read them
        # again among its namesakes (a task adding many of one name read each of the
        # name's customers once per create).
        self._identified = set()

    # --- the wire, as the fields say ---------------------------------------------
    def to_wire(self, fields):
        """The edit action's parameters for these options; edit clears a field sent as ""."""
        wire = super().to_wire(fields)
        for name, value in fields.items():
            field = self.spec.by_name.get(name)
            if value is None and field is not None and field.write_name:
                wire[field.write_name] = ""
        return wire

    def add_params(self, desired):
        return {field.on_add: field.encode(desired[field.name]) for field in self.spec.fields
                if field.on_add and desired.get(field.name) is not None}

    def from_wire(self, row, key=None):
        """One ``get_data`` answer -> the record (canonical values).

        A field in one of get_data's lists is read from the entry ``shape.part_entry``
        picks; ``key`` (the identity the customer was found by) picks, of several
        agreements or e-mails, the one holding it.
        """
        data = lowered(row or {})
        entries = {}
        record = {}
        for field in self.spec.fields:
            source = data
            if field.part is not None:
                if field.part not in entries:
                    entries[field.part] = self.part_entry(field.part, data.get(field.part), key)
                source = entries[field.part]
            record[field.name] = field.decode(field.read_from(source))
        return record

    def part_entry(self, part, items, key):
        # The part's own key (an agreement's number, an e-mail's address) names
        # plain entries; when it is the identity, it picks the entry found by.
        keyed = next((f for f in self.spec.fields if f.part == part and f.typer), None)
        if keyed is None:
            return shape.part_entry(part, items)
        if keyed.name != self.spec.identity:
            return shape.part_entry(part, items, keyed.read_name, None, keyed.normalise)
        # compared as get_abon_id found it: ignoring case (see canonical_key)
        return shape.part_entry(part, items, keyed.read_name, key, self.canonical_key)

    # --- reads -----------------------------------------------------------------
    def forget(self):
        super().forget()
        self._by_key = {}

    def canonical_key(self, key):
        # UserSide's database compares every natural key ignoring case: "Sub-1"
        # and "sub-1" find the same customer, so they are one identity here too.
        value = self.spec.normalise(self.spec.identity, key)
        return casefold_text(value) if isinstance(value, str) else value

    def fetch(self, keys):
        """Look each key up (get_abon_id), then read it (get_data): all before any write,
        ``concurrency`` keys at a time."""
        known = self._by_key  # forget() replaces it; a read in flight keeps filling this one
        missing = list(dict.fromkeys(
            canonical for canonical in map(self.canonical_key, keys) if canonical not in known))
        first = {}
        for key in keys:
            first.setdefault(self.canonical_key(key), key)
        for canonical, record in zip(missing, self.each(self.lookup, [first[c] for c in missing])):
            known[canonical] = record
        return {key: known[self.canonical_key(key)] for key in keys
                if known.get(self.canonical_key(key)) is not None}

    def lookup(self, key):
        """The customer holding ``key``: as any of its agreements or e-mails, not only the main.

        Its record then shows ``key`` as its identity (the one it was found by).
        """
        typer = self.spec.by_name[self.spec.identity].typer
        records = [
            record
            for record in (self.read_id(cid, key) for cid in self.client.abon_ids(typer, key))
            if self.canonical_key(record[self.spec.identity]) == self.canonical_key(key)
        ]
        if len(records) > 1:
            raise BackendError(
                f"{self.spec.label} {key!r} is ambiguous: customers "
                f"{', '.join(r['id'] for r in records)} all hold it; make it unique in "
                "UserSide first"
            )
        return records[0] if records else None

    def read_id(self, customer_id, key=None):
        """One customer; with ``key``, the agreement or e-mail holding it is the one shown."""
        record = self.from_wire(self.client.get_data(customer_id), key)
        if record[self.spec.identity] is not None:
            self._identified.add(customer_id)
        return record

    def read_all(self):
        raise BackendError(
            "UserSide cannot list every customer (get_customers_id needs a condition)"
        )

    def named(self, name):
        """Ids of the customers of this name."""
        field = self.spec.by_name["name"]
        return set(self.client.customer_ids({field.condition: name}))

    def search(self, params):
        """The _info module's customers: those every source given finds (the id, each
        key get_abon_id looks up, the conditions), narrowed by ``filters``."""
        sources = [[params[name]] for name in self.spec.lookups
                   if params[name] and not self.spec.by_name[name].typer]
        typers = _typers(self.spec)
        sources += [self.client.abon_ids(typers[name], params[name])
                    for name in sorted(typers) if params[name] is not None]
        if params["conditions"]:
            sources.append(self.client.customer_ids(params["conditions"]))
        found = None
        for ids in sources:
            found = set(ids) if found is None else found & set(ids)
        records = []
        for customer_id in sorted(found or ()):
            try:
                record = self.read_id(customer_id)
            except BackendError as exc:
                if exc.status == 404:
                    continue
                raise
            if self.matches_scope(record, params["filters"]):
                records.append(record)
        return records

    def in_scope(self, selector):
        conditions = {}
        for field in self.spec.fields:
            value = selector.get(field.name)
            if field.condition is None or value is None or (
                    isinstance(value, str) and any(c in value for c in "*?[")):
                continue
            conditions[field.condition] = field.condition_value(value)
        if not conditions:
            raise BackendError(
                "purge_scope must name at least one of %s with a plain value: UserSide "
                "cannot list customers without a condition"
                % ", ".join(sorted(field.name for field in self.spec.fields if field.condition))
            )
        # A declared customer found by a second agreement or e-mail keeps that key here,
        # so that the purge knows it as declared.
        declared = {record["id"]: record[self.spec.identity]
                    for record in self._by_key.values() if record is not None}
        scoped, nameless = {}, 0
        for cid in self.client.customer_ids(conditions):
            try:
                record = self.read_id(cid, declared.get(ident(cid)))
            except BackendError as exc:
                if exc.status == 404:
                    continue  # deleted since it was listed (by another shard): not ours to purge
                raise
            if not self.matches_scope(record, selector):
                continue
            if record[self.spec.identity] is None:
                nameless += 1
                continue
            scoped[record[self.spec.identity]] = record
        if nameless:
            self.warnings.append(
                f"{nameless} customers within purge_scope have no {self.spec.identity}; "
                "purge left them alone"
            )
        return scoped

    def matches_scope(self, record, selector):
        """A set of ids in ``selector`` (one id, or several) matches the customers holding
        them all; the other fields match as patterns."""
        rest = dict(selector)
        for field in self.spec.fields:
            if field.removal and field.name in rest:
                wanted = rest.pop(field.name)
                wanted = id_set(wanted if isinstance(wanted, list) else [wanted])
                if not set(wanted) <= set(record[field.name] or []):
                    return False
        return matches(record, rest)

    # --- before any write -------------------------------------------------------
    def prepare(self, desired):
        for field in self.spec.fields:
            if field.clean and desired.get(field.name) is not None:
                desired[field.name] = field.clean(desired[field.name])
        group = desired.get("group_id")
        if group and not self.group_exists(group):
            known = ", ".join(f"{gid} {name}" for gid, name in sorted(self._groups.items()))
            raise ValidationError(
                f"group_id {group} is not a customer group UserSide knows ({known or 'none'})")
        return desired

    def group_exists(self, group_id):
        if self._groups is None:
            try:
                self._groups = self.client.groups()
            except BackendError:
                # get_customer_group came in 3.19beta1: older servers check on edit.
                self._groups = {}
                return True
        return not self._groups or str(group_id) in self._groups

    def check(self, action, desired, current, changes):
        """Before any write (the plan's every record is checked first)."""
        super().check(action, desired, current, changes)
        if action == "delete":
            return
        # A field stored only with another (apartment, entrance and floor with a house)
        # would never be stored without it, so the customer could never converge.
        lacking = {}
        for field in self.spec.fields:
            if field.needs and field.normalise(desired.get(field.name)) is not None:
                lacking.setdefault(field.needs, []).append(field.name)
        for needed, names in lacking.items():
            value = desired[needed] if needed in desired else (current or {}).get(needed)
            if self.spec.normalise(needed, value) is None:
                raise ValidationError(
                    f"{', '.join(names)} need {needed}: UserSide stores them in the "
                    "address of a house")

    def predict(self, action, desired, current):
        after = super().predict(action, desired, current)
        if after is not None:
            # what a read back will show: canonical values (billing_uid is never shown)
            for name in desired:
                after[name] = self.spec.normalise(name, desired[name])
        return after

    # --- writes -----------------------------------------------------------------
    def create(self, desired):
        # A lost add is found again as the one new customer of its name still
        # without its identity (orphan_of). A namesake this task adds meanwhile
        # on another thread would look just the same until edit names it, so
        # customers of one name are added and named one after another.
        key = desired[self.spec.identity]
        with self.adding(desired["name"]):
            customer_id = self.add(desired)
            unnamed = f"not yet given its {self.spec.identity} {key!r}"
            with self.undone_if_refused(customer_id, unnamed, self.to_name(key)):
                current = self.name_new(customer_id, desired)
        with self.undone_if_refused(customer_id, f"holding {key!r}", FINISH):
            return self.converge(customer_id, desired, current)

    def to_name(self, key):
        """What a customer left without its identity asks of the user (see
        refuse_beside_half_made: the next run does not take it)."""
        return (f"give it {self.spec.identity} {key!r} or delete it in UserSide, then run "
                "the task again")

    @contextlib.contextmanager
    def undone_if_refused(self, customer_id, state, advice):
        """A step of a create that fails deletes the customer it added - unless its
        answer was lost, or only the read after it failed: the customer then holds
        its identity (see name_new), and the engine reads it back by it.

        A customer the undo cannot delete (the backend went down, say) is reported
        as it is, in ``state``: changed, not confirmed, with ``advice``.
        """
        try:
            yield
        except (AnswerLost, Unconfirmed):
            raise
        except ProvisioningError as exc:
            kept = self.undo_add(customer_id)
            if kept is None:
                raise BackendError(
                    f"{exc}; the customer it added (id {customer_id}) was deleted again")
            # chained to what stops the backend, if either does
            raise Unconfirmed(
                f"{exc}; undoing the add failed too ({kept}): customer id {customer_id} is "
                f"left half-made, {state}; {advice}"
            ) from (kept if stops_backend(kept) else exc)

    def name_new(self, customer_id, desired):
        """Send a new customer's edit, which gives it its identity; the record as it
        is then (what converge sends the rest against).

        Until the edit has happened only the id finds the customer, so a lost
        answer is read back here, by id, and the edit sent again only when the
        read shows it did not happen; AnswerLost never leaves here.
        """
        key = desired[self.spec.identity]
        current = self.read_id(customer_id, key)
        edits = {name: value for name, value in self.pending(desired, current).items()
                 if self.spec.by_name[name].write_name}
        for _send in range(NAMING_SENDS):
            try:
                self.client.edit(customer_id, self.to_wire(edits))
                break
            except AnswerLost as lost:
                found = self.read_id(customer_id, key)
                if self.holds(found, key):
                    return found
                if lost.timed_out:
                    raise BackendError(
                        f"{lost}; the customer (id {customer_id}) is not yet named "
                        f"{key!r}, but UserSide may still do it, so edit was not sent again")
        else:
            raise BackendError(
                f"the answer to the edit that names customer id {customer_id} {key!r} was "
                f"lost {NAMING_SENDS} times, and it is still without it")
        return dict(current, **{name: self.spec.normalise(name, value)
                                for name, value in edits.items()})

    def holds(self, record, key):
        """Whether ``record`` holds the identity ``key`` (as UserSide compares it)."""
        return self.canonical_key(record[self.spec.identity]) == self.canonical_key(key)

    def adding(self, name):
        """The lock that creates of customers named ``name`` take."""
        with self._adding_guard:
            return self._adding.setdefault(casefold_text(name), threading.Lock())

    def add(self, desired):
        """The new customer's id. AnswerLost never leaves here: the engine would read
        back by identity, which a new customer does not have yet, and add it twice.

        Beside a namesake an earlier run may have left half-made, nothing is added
        (refuse_beside_half_made)."""
        # Customers of this name before the add: none of them can be the one it makes.
        existing = self.named(desired["name"])
        self.refuse_beside_half_made(desired, existing)
        return self.send_add(desired, self.add_params(desired), existing)

    def send_add(self, desired, params, existing):
        name = desired["name"]
        try:
            return self.client.add(params)
        except AnswerLost as lost:
            # The add may be made: a read-back that fails leaves it unconfirmed
            # (the next run refuses to add beside it), never "not written".
            orphan = confirmed(lambda: self.orphan_of(desired, existing),
                               f"add sent, but its answer was lost ({lost})")
            if orphan is not None:
                return orphan
            if lost.timed_out:
                raise BackendError(
                    f"{lost}; no new customer named {name!r} is visible yet, but UserSide may "
                    "still add it, so add was not sent again. Check UserSide (delete such a "
                    f"customer without {self.spec.identity} if it appears), then run the task "
                    "again"
                )
        # The read showed no new customer: the add never happened, send it once more.
        try:
            return self.client.add(params)
        except AnswerLost as again:
            orphan = confirmed(lambda: self.orphan_of(desired, existing),
                               f"add sent again, but its answer was lost too ({again})")
            if orphan is not None:
                return orphan
            raise BackendError(
                f"the answer to add was lost twice ({again}) and no new customer named {name!r} "
                f"is visible; UserSide may still add one, without {self.spec.identity}: check "
                "UserSide and delete it if so, then run the task again"
            )

    def orphan_of(self, desired, existing):
        """The customer a lost add made: new since ``existing`` (the ids of this name read
        before the add), of this name, and not yet with its identity (edit sets it)."""
        candidates = self.orphans(desired, self.named(desired["name"]) - existing)
        if len(candidates) > 1:
            raise BackendError(
                f"the answer to add was lost and customers {', '.join(map(str, candidates))}, "
                "all new, look like the one it made; delete the wrong ones in UserSide"
            )
        return candidates[0] if candidates else None

    def refuse_beside_half_made(self, desired, existing):
        """Refuse the create, before any write, when a customer of ``existing`` (this
        name's) is as this record's add alone would leave it (half_made): an earlier
        run may have added it and gone no further (UserSide went down before edit).

        It is never taken for this record's: another run adding a namesake at this
        moment, not yet named, or one made by hand, looks the same. Adding beside it
        would leave two, so the user says which it is."""
        candidates = [cid for cid, record in self.orphans(desired, existing, records=True)
                      if self.half_made(record, desired)]
        if not candidates:
            return
        ids = ", ".join(map(str, candidates))
        which = (f"customer id {ids} of this name has" if len(candidates) == 1 else
                 f"customers {ids} of this name have")
        raise BackendError(
            f"{which} no {self.spec.identity} and nothing else set - possibly left half-made "
            f"by an earlier run; nothing was added: "
            f"{self.to_name(desired[self.spec.identity])}")

    def orphans(self, desired, candidates, records=False):
        """Of the ids ``candidates``, the customers of ``desired``'s name without its
        identity (with their records when ``records``), in id order. Those read with
        their identity earlier in the task are not read again."""
        candidates = sorted(set(candidates) - self._identified)
        uid = self.spec.by_name["billing_uid"]
        if candidates and desired.get(uid.name) is not None:
            # the billing uid the add wrote names it exactly
            holders = set(self.client.abon_ids(uid.typer, desired[uid.name]))
            candidates = [cid for cid in candidates if cid in holders]
        found = [(cid, self.read_id(cid)) for cid in candidates]
        found = [(cid, record) for cid, record in found
                 if record[self.spec.identity] is None
                 and text(record["name"]) == text(desired["name"])]
        return found if records else [cid for cid, _record in found]

    def half_made(self, record, desired):
        """Whether ``record`` is as this record's add alone would leave it: add's fields
        as it sends them, every other one (the identity, the actions' fields and the
        balance included) at a new customer's value."""
        for field in self.spec.fields:
            # (get_data does not show the billing uid: orphans found them by it)
            if field.readonly or field.normalise is unreadable:
                continue
            sent = field.on_add and desired.get(field.name) is not None
            expected = desired[field.name] if sent else field.new
            if field.normalise(expected) != field.normalise(record.get(field.name)):
                return False
        return not nonzero(record.get("balance"))

    def undo_add(self, customer_id):
        """Delete the customer a create added; None when it is gone, else the error
        that kept it."""
        try:
            try:
                self.client.delete(customer_id)
            except AnswerLost as lost:
                if not self.still_there(customer_id):
                    return None
                if lost.timed_out:
                    raise BackendError(f"{lost}; UserSide may still delete it")
                # The delete never happened: it is safe to send once more.
                self.client.delete(customer_id)
        except ProvisioningError as exc:
            return exc
        return None

    def update(self, current, changes, desired):
        return self.converge(int(current["id"]), desired, current, first=True)

    def converge(self, customer_id, desired, current, first=False):
        """Send what differs, then read it back: every field must read as declared.

        A lost answer leaves here: the engine reads the customer back by its
        identity and sends what still differs (an update). ``first``: these are
        the record's first writes (an update's), so a backend down after one of
        them was made leaves it partly made (a create's add was made before).
        """
        key = desired.get(self.spec.identity)
        made = []
        try:
            self.send(customer_id, self.pending(desired, current), current, made)
        except ProvisioningError as exc:
            if first and made and stops_backend(exc) and not isinstance(exc, Unconfirmed):
                # edit then each action: the backend holds what was made before it went
                # down - changed, not confirmed, never "not written"
                raise Unconfirmed(
                    f"partly made ({', '.join(dict.fromkeys(made))} made, then: {exc})"
                ) from exc
            raise
        after = confirmed(lambda: self.read_id(customer_id, key))
        left = self.pending(desired, after)
        if left:
            raise BackendError(
                "UserSide accepted every write, but %s read back as %s"
                % (", ".join("%s=%r" % item for item in sorted(left.items())),
                   ", ".join("%r" % after.get(name) for name in sorted(left)))
            )
        self.remember(after)
        return after

    def still_there(self, customer_id):
        try:
            self.client.get_data(customer_id)
        except BackendError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def remember(self, record):
        key = record.get(self.spec.identity)
        if key is not None:
            self._by_key[self.canonical_key(key)] = record

    def pending(self, desired, current):
        """Named fields that differ, the identity included (a new customer has none)."""
        return {
            name: value
            for name, value in desired.items()
            if self.spec.normalise(name, value) != self.spec.normalise(name, current.get(name))
        }

    def send(self, customer_id, changes, current, made):
        """edit, then each action, for ``changes``; ``made`` gets each one answered."""
        edits = self.to_wire(changes)
        if edits:
            self.client.edit(customer_id, edits)
            made.append("edit")
        for field in self.spec.fields:
            if field.action is None or field.name not in changes:
                continue
            if field.removal is None:
                self.act(made, field.action, customer_id,
                         **{field.param: field.encode(changes[field.name])})
                continue
            added, removed = shape.set_steps(
                field.normalise(changes[field.name]), current.get(field.name))
            for value in removed:
                self.act(made, field.removal, customer_id, **{field.param: value})
            for value in added:
                self.act(made, field.action, customer_id, **{field.param: value})
        if "ip_mac" in changes:
            added, removed = shape.set_steps(
                shape.bindings(changes["ip_mac"]), current.get("ip_mac"))
            for entry in removed:
                self.act(made, "ip_delete", customer_id, value=entry["ip"] or "-1")
            for entry in added:
                self.act(made, "ip_add", customer_id, value=entry["ip"], mac=entry["mac"])

    def act(self, made, action, customer_id, **params):
        self.client.act(action, customer_id, **params)
        made.append(action)

    def delete(self, current):
        self.client.delete(int(current["id"]))
