# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""IPDR customers: entity spec and adapter between records and the wire.

Record shape (what modules take, compare and return)::

    {id, user_id, name, address, email, phone_number, alt_phone_number}

The wire spells the same fields in PascalCase (``UserID``, ``PhoneNumber``,
...). A client works in one context, so the records read, compared and
purged are those of that context only.
"""

from __future__ import annotations

from ansible_collections.isp.provisioning.plugins.module_utils.backend import EntityBackend
from ansible_collections.isp.provisioning.plugins.module_utils.entity import EntitySpec, Field
from ansible_collections.isp.provisioning.plugins.module_utils.values import as_text, blank_as_none
from ansible_collections.isp.provisioning.plugins.module_utils.errors import ValidationError
from ansible_collections.isp.provisioning.plugins.module_utils.ipdr.client import client_from_module

# option name -> the wire's field name
WIRE_NAMES = dict(
    user_id="UserID",
    name="Name",
    address="Address",
    email="Email",
    phone_number="PhoneNumber",
    alt_phone_number="AltPhoneNumber",
)


CUSTOMER = EntitySpec(
    name="customer",
    plural="customers",
    identity="user_id",
    label="IPDR customer",
    fields=[
        Field("user_id", normalise=as_text, lookup=True),
        Field("name", normalise=blank_as_none),
        Field("address", normalise=blank_as_none),
        Field("email", normalise=blank_as_none),
        Field("phone_number", normalise=blank_as_none),
        Field("alt_phone_number", normalise=blank_as_none),
        Field("id", readonly=True),
    ],
)


def from_wire(customer):
    record = dict((name, as_text(customer.get(wire))) for name, wire in WIRE_NAMES.items())
    record["id"] = customer.get("id")
    return record


def to_wire(fields):
    """Option names and values -> the JSON fields the server takes (only those given)."""
    return dict(
        (WIRE_NAMES[name], as_text(value)) for name, value in fields.items() if name in WIRE_NAMES
    )


def refuse_dotted(user_id):
    """A UserID with a dot cannot be addressed: the server's route reads ``a.b`` as
    customer ``a`` in format ``b``, so a PATCH or DELETE would reach another customer."""
    if user_id is not None and "." in str(user_id):
        raise ValidationError(
            "user_id %r contains '.', which the server's /api/ipdrcustomers/<UserID> route "
            "reads as a format suffix (so it would address another customer): manage it "
            "in Trisul itself" % str(user_id)
        )


class IpdrCustomers(EntityBackend):
    spec = CUSTOMER
    client_factory = staticmethod(client_from_module)

    def read_all(self):
        return [from_wire(customer) for customer in self.client.customers()]

    def prepare(self, desired):
        refuse_dotted(desired.get("user_id"))
        return desired

    def check(self, action, desired, current, changes):
        if action in ("update", "delete"):
            refuse_dotted(current.get("user_id"))  # a purge names it, not the task
        if action == "create" and blank_as_none(desired.get("name")) is None:
            raise ValidationError("name is required to create it (the server refuses a "
                                  "customer without a Name)")

    def create(self, desired):
        return from_wire(self.client.create(to_wire(desired)))

    def update(self, current, changes, desired):
        # PATCH takes any subset: send only what differs, never the whole record.
        return from_wire(self.client.patch(current["user_id"], to_wire(changes)))

    def delete(self, current):
        self.client.delete(current["user_id"])
