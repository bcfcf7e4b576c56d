# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""UserSide customers: entity spec and the adapter between records and the wire.

A customer is named by a natural key the user controls and ``get_abon_id``
can look up: ``login`` by default, or ``agreement_number``, ``account_number``
or ``email`` (the ``identity`` option). UserSide cannot list every customer,
so current state is read per declared key (``get_abon_id`` + ``get_data``),
all of it once, before any write.

Writes are several actions: ``add`` (name, billing, flags), ``edit`` (the
rest), then ``state_change``, ``tarif_change`` and the set actions
(``mark_*``, ``ip_*``, ``service_*``), each only for what differs. A create
whose later step fails deletes the customer it added, so that no half-made
customer (without its login, invisible to the next run) is left behind.
"""

from __future__ import annotations

from ansible_collections.isp.provisioning.plugins.module_utils.userside import shape
from ansible_collections.isp.provisioning.plugins.module_utils.backend import (
    EntityBackend,
    matches,
)
from ansible_collections.isp.provisioning.plugins.module_utils.entity import EntitySpec, Field
from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    AnswerLost,
    BackendError,
    ProvisioningError,
    ValidationError,
)
from ansible_collections.isp.provisioning.plugins.module_utils.userside.client import (
    client_from_module,
)

# identity option -> get_abon_id's data_typer
IDENTITIES = {
    "login": "login",
    "agreement_number": "dognumber",
    "account_number": "account",
    "email": "mail",
}
# purge_scope field -> get_customers_id condition (UserSide refuses a call without one)
SCOPE_CONDITIONS = {
    "marks": "mark_id",
    "house_id": "house_id",
    "billing_id": "billing_id",
    "tariff": "tariff_id",
    "status": "state_id",
    "is_corporate": "is_corporate",
    "name": "name",
}
SETS = {
    "marks": ("mark_add", "mark_delete", "mark_id"),
    "services": ("service_add", "service_remove", "service_id"),
}


def unreadable(value):
    """get_data does not answer the billing uid: it is written on create, never compared."""
    return None


def _fields():
    binding = dict(ip=dict(type="str", required=True), mac=dict(type="str"))
    return [
        Field("login", normalise=shape.text),
        Field("name", normalise=shape.text),
        Field("agreement_number", normalise=shape.text),
        Field("agreement_date", normalise=shape.text),
        Field("account_number", normalise=shape.text),
        Field("mobile_phone", normalise=shape.text),
        Field("home_phone", normalise=shape.text),
        Field("email", normalise=shape.casefold_text),
        Field("house_id", type="int", normalise=shape.ident),
        Field("apartment", normalise=shape.text),
        Field("entrance", type="int", normalise=shape.ident),
        Field("floor", type="int", normalise=shape.ident),
        Field("comment", normalise=shape.text),
        Field("group_id", type="int", normalise=shape.ident),
        Field("manager_id", type="int", normalise=shape.ident),
        Field("is_corporate", type="bool", normalise=shape.flag),
        Field("is_potential", type="bool", normalise=shape.flag),
        Field("billing_id", type="int", normalise=shape.ident, updatable=False),
        Field("billing_uid", normalise=unreadable, updatable=False),
        Field("status", choices=sorted(shape.STATES), normalise=shape.text),
        Field("tariff", type="int", normalise=shape.ident),
        Field("marks", type="list", elements="int", normalise=shape.id_set),
        Field("ip_mac", type="list", elements="dict", options=binding, normalise=shape.bindings),
        Field("services", type="list", elements="int", normalise=shape.id_set),
        Field("id", readonly=True),
        Field("balance", readonly=True),
        Field("date_create", readonly=True),
    ]


def customer_spec(identity="login"):
    return EntitySpec(
        name="customer", plural="customers", identity=identity, label="UserSide customer",
        fields=_fields(),
    )


class UsersideCustomers(EntityBackend):
    client_factory = staticmethod(client_from_module)
    spec = customer_spec()

    @classmethod
    def with_identity(cls, identity):
        """The adapter class whose records are named by ``identity``."""
        if identity == cls.spec.identity:
            return cls
        return type("UsersideCustomersBy_" + identity, (cls,), {"spec": customer_spec(identity)})

    def __init__(self, client):
        super().__init__(client)
        self._by_key = {}
        self._groups = None

    # --- reads -----------------------------------------------------------------
    def forget(self):
        super().forget()
        self._by_key = {}

    def canonical_key(self, key):
        return self.spec.normalise(self.spec.identity, key)

    def fetch(self, keys):
        """Look each key up (get_abon_id), then read it (get_data): all before any write."""
        found = {}
        for key in keys:
            canonical = self.canonical_key(key)
            if canonical not in self._by_key:
                self._by_key[canonical] = self.lookup(key)
            if self._by_key[canonical] is not None:
                found[key] = self._by_key[canonical]
        return found

    def lookup(self, key):
        """The customer holding ``key``: as any of its agreements or e-mails, not only the main.

        Its record then shows ``key`` as its identity (the one it was found by).
        """
        typer = IDENTITIES[self.spec.identity]
        records = [
            record
            for record in (self.read_id(cid, key) for cid in self.client.abon_ids(typer, key))
            if self.canonical_key(record[self.spec.identity]) == self.canonical_key(key)
        ]
        if len(records) > 1:
            raise BackendError(
                "%s %r is ambiguous: customers %s all hold it; make it unique in UserSide first"
                % (self.spec.label, key, ", ".join(r["id"] for r in records))
            )
        return records[0] if records else None

    def read_id(self, customer_id, key=None):
        """One customer; with ``key``, the agreement or e-mail holding it is the one shown."""
        prefer = {self.spec.identity: key} if key is not None else None
        return shape.from_wire(self.client.get_data(customer_id), prefer=prefer)

    def read_all(self):
        raise BackendError(
            "UserSide cannot list every customer (get_customers_id needs a condition)"
        )

    def in_scope(self, selector):
        conditions = {}
        for name, condition in SCOPE_CONDITIONS.items():
            value = selector.get(name)
            if value is None or (isinstance(value, str) and any(c in value for c in "*?[")):
                continue
            if name == "marks":
                value = (value if isinstance(value, list) else [value])[0]
            elif name == "status":
                value = shape.STATES.get(value, value)
            elif isinstance(value, bool):
                value = int(value)
            conditions[condition] = value
        if not conditions:
            raise BackendError(
                "purge_scope must name at least one of %s with a plain value: UserSide "
                "cannot list customers without a condition" % ", ".join(sorted(SCOPE_CONDITIONS))
            )
        # A declared customer found by a second agreement or e-mail keeps that key here,
        # so that the purge knows it as declared.
        declared = dict(
            (record["id"], record[self.spec.identity])
            for record in self._by_key.values() if record is not None
        )
        scoped, nameless = {}, 0
        for cid in self.client.customer_ids(conditions):
            record = self.read_id(cid, declared.get(shape.ident(cid)))
            if not self.matches_scope(record, selector):
                continue
            if record[self.spec.identity] is None:
                nameless += 1
                continue
            scoped[record[self.spec.identity]] = record
        if nameless:
            self.warnings.append(
                "%d customers within purge_scope have no %s; purge left them alone"
                % (nameless, self.spec.identity)
            )
        return scoped

    @staticmethod
    def matches_scope(record, selector):
        rest = dict(selector)
        for name in ("marks", "services"):
            if name in rest:
                wanted = rest.pop(name)
                wanted = shape.id_set(wanted if isinstance(wanted, list) else [wanted])
                if not set(wanted) <= set(record[name] or []):
                    return False
        return matches(record, rest)

    # --- before any write -------------------------------------------------------
    def prepare(self, desired):
        if desired.get("agreement_date") is not None:
            desired["agreement_date"] = shape.date(desired["agreement_date"])
        if desired.get("ip_mac") is not None:
            desired["ip_mac"] = shape.bindings(desired["ip_mac"])
            addresses = [b["ip"] for b in desired["ip_mac"]]
            if None in addresses or len(set(addresses)) != len(addresses):
                raise ValidationError("ip_mac must bind each IP address once")
        if desired.get("group_id") and not self.group_exists(desired["group_id"]):
            raise ValidationError(
                "group_id %s is not a customer group UserSide knows (%s)"
                % (desired["group_id"], ", ".join(
                    "%s %s" % item for item in sorted(self._groups.items())) or "none")
            )
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
        if action == "create" and not shape.text(desired.get("name")):
            raise ValidationError("name is required to create it")
        house = desired["house_id"] if "house_id" in desired else (current or {}).get("house_id")
        if action != "delete" and shape.ident(house) is None:
            # UserSide keeps apartment, entrance and floor in the address of a house:
            # without one they are never stored, so the customer could never converge.
            homeless = [name for name in ("apartment", "entrance", "floor")
                        if self.spec.normalise(name, desired.get(name)) is not None]
            if homeless:
                raise ValidationError(
                    "%s need house_id: UserSide stores them in the address of a house"
                    % ", ".join(homeless))

    def defaults_on_create(self):
        record = dict((field.name, None) for field in self.spec.fields)
        record.update(is_corporate=False, is_potential=False, status="active", marks=[],
                      ip_mac=[], services=[])
        return record

    def predict(self, action, desired, current):
        after = super().predict(action, desired, current)
        if after is not None:
            # what a read back will show: canonical values (billing_uid is never shown)
            for name in desired:
                after[name] = self.spec.normalise(name, desired[name])
        return after

    # --- writes -----------------------------------------------------------------
    def create(self, desired):
        customer_id = self.add(desired)
        try:
            return self.converge(
                customer_id, desired, self.read_id(customer_id, desired[self.spec.identity]))
        except ProvisioningError as exc:
            raise BackendError("%s; %s" % (exc, self.undo_add(customer_id)))

    def add(self, desired):
        """The new customer's id. AnswerLost never leaves here: the engine would read
        back by identity, which a new customer does not have yet, and add it twice."""
        name = desired["name"]
        params = dict(
            fio=name,
            codeti=desired.get("billing_uid"),
            billing_id=desired.get("billing_id"),
            is_corporate=_flag_param(desired.get("is_corporate")),
            is_potential=_flag_param(desired.get("is_potential")),
        )
        # Customers of this name before the add: none of them can be the one it makes.
        existing = set(self.client.customer_ids({"name": name}))
        try:
            return self.client.add(params)
        except AnswerLost as lost:
            orphan = self.orphan_of(desired, existing)
            if orphan is not None:
                return orphan
            if lost.timed_out:
                raise BackendError(
                    "%s; no new customer named %r is visible yet, but UserSide may still add "
                    "it, so add was not sent again. Check UserSide (delete such a customer "
                    "without %s if it appears), then run the task again"
                    % (lost, name, self.spec.identity)
                )
        # The read showed no new customer: the add never happened, send it once more.
        try:
            return self.client.add(params)
        except AnswerLost as again:
            orphan = self.orphan_of(desired, existing)
            if orphan is not None:
                return orphan
            raise BackendError(
                "the answer to add was lost twice (%s) and no new customer named %r is "
                "visible; UserSide may still add one, without %s: check UserSide and delete "
                "it if so, then run the task again" % (again, name, self.spec.identity)
            )

    def orphan_of(self, desired, existing):
        """The customer a lost add made: new since ``existing`` (the ids of this name read
        before the add), of this name, and not yet with its identity (edit sets it)."""
        name = desired["name"]
        candidates = sorted(set(self.client.customer_ids({"name": name})) - existing)
        if candidates and desired.get("billing_uid") is not None:
            # the billing uid the add wrote names it exactly
            holders = set(self.client.abon_ids("codeti", desired["billing_uid"]))
            candidates = [cid for cid in candidates if cid in holders]
        candidates = [
            cid for cid in candidates
            if self.fits_orphan(self.read_id(cid), name)
        ]
        if len(candidates) > 1:
            raise BackendError(
                "the answer to add was lost and customers %s, all new, look like the one it "
                "made; delete the wrong ones in UserSide" % ", ".join(str(c) for c in candidates)
            )
        return candidates[0] if candidates else None

    def fits_orphan(self, record, name):
        return (record[self.spec.identity] is None
                and shape.text(record["name"]) == shape.text(name))

    def undo_add(self, customer_id):
        try:
            try:
                self.client.delete(customer_id)
            except AnswerLost as lost:
                if not self.still_there(customer_id):
                    return "the customer it added (id %s) was deleted again" % customer_id
                if lost.timed_out:
                    raise BackendError("%s; UserSide may still delete it" % lost)
                # The delete never happened: it is safe to send once more.
                self.client.delete(customer_id)
        except ProvisioningError as exc:
            return (
                "undoing the add failed too (%s): customer id %s is left half-made, delete "
                "it in UserSide" % (exc, customer_id)
            )
        return "the customer it added (id %s) was deleted again" % customer_id

    def update(self, current, changes, desired):
        return self.converge(int(current["id"]), desired, current)

    def converge(self, customer_id, desired, current):
        """Send what differs; after a lost answer read back and send what still differs."""
        key = desired.get(self.spec.identity)
        try:
            self.send(customer_id, self.pending(desired, current), current)
        except AnswerLost as lost:
            current = self.read_id(customer_id, key)
            left = self.pending(desired, current)
            if left and lost.timed_out:
                raise BackendError(
                    "%s; %s not yet as declared, but UserSide may still apply it, so it was "
                    "not sent again" % (lost, ", ".join(sorted(left))))
            self.send(customer_id, left, current)
        after = self.read_id(customer_id, key)
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
        return dict(
            (name, value)
            for name, value in desired.items()
            if self.spec.normalise(name, value) != self.spec.normalise(name, current.get(name))
        )

    def send(self, customer_id, changes, current):
        edits = shape.edit_params(changes)
        if edits:
            self.client.edit(customer_id, edits)
        if "status" in changes:
            self.client.act("state_change", customer_id, state_id=shape.STATES[changes["status"]])
        if "tariff" in changes:
            self.client.act("tarif_change", customer_id, tarif=changes["tariff"])
        for name, (add, remove, param) in SETS.items():
            if name in changes:
                wanted = shape.id_set(changes[name])
                added, removed = shape.set_steps(wanted, current.get(name))
                for value in removed:
                    self.client.act(remove, customer_id, **{param: value})
                for value in added:
                    self.client.act(add, customer_id, **{param: value})
        if "ip_mac" in changes:
            added, removed = shape.set_steps(
                shape.bindings(changes["ip_mac"]), current.get("ip_mac"))
            for entry in removed:
                self.client.act("ip_delete", customer_id, value=entry["ip"] or "-1")
            for entry in added:
                self.client.act("ip_add", customer_id, value=entry["ip"], mac=entry["mac"])

    def delete(self, current):
        self.client.delete(int(current["id"]))


def _flag_param(value):
    return None if value is None else (1 if value else 0)
