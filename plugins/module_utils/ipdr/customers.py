# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""IPDR customers: entity spec and adapter between records and the wire.

Record shape (what modules take, compare and return)::

    {user_id, name, address, email, phone_number, alt_phone_number, id}

The wire spells the same fields in PascalCase (``UserID``, ``PhoneNumber``,
...), each Field naming its own. A client works in one context, so the
records read, compared and purged are those of that context only.
"""

from __future__ import annotations

from ansible_collections.isp.provisioning.plugins.module_utils.backend import EntityBackend
from ansible_collections.isp.provisioning.plugins.module_utils.entity import EntitySpec, Field
from ansible_collections.isp.provisioning.plugins.module_utils.errors import ValidationError
from ansible_collections.isp.provisioning.plugins.module_utils.ipdr.client import client_from_module
from ansible_collections.isp.provisioning.plugins.module_utils.values import as_text, blank_as_none, same

# The server's /api/ipdrcustomers/<UserID> route reads "a.b" as customer "a" in
# format "b", so a PATCH or DELETE of a dotted UserID would reach another customer.
UNDOTTED = r"[^.]*"
DOTTED = (
    "contains '.', which the server's /api/ipdrcustomers/<UserID> route reads as a format "
    "suffix (so it would address another customer): manage it in Trisul itself"
)

# Wire names are written out on each Field rather than derived from a
# PascalCase rule: there are six, one breaks the rule (UserID), and a name
# seen in a capture of the traffic is then found in the code as it is.
CUSTOMER = EntitySpec(
    name="customer",
    plural="customers",
    identity="user_id",
    label="IPDR customer",
    create_needs="{fields} {verb} required to create it "
                 "(the server refuses a customer without a Name)",
    fields=[
        Field("user_id", wire="UserID", normalise=as_text, lookup=True,
              pattern=UNDOTTED, rule=DOTTED),
        Field("name", wire="Name", normalise=blank_as_none, create_requires=True),
        Field("address", wire="Address", normalise=blank_as_none),
        Field("email", wire="Email", normalise=blank_as_none),
        Field("phone_number", wire="PhoneNumber", normalise=blank_as_none),
        Field("alt_phone_number", wire="AltPhoneNumber", normalise=blank_as_none),
        # The server's own integer key, reported as the server gives it.
        Field("id", decode=same, readonly=True),
    ],
)


class IpdrCustomers(EntityBackend):
    spec = CUSTOMER
    client_factory = staticmethod(client_from_module)

    def read_all(self):
        return self.listed(self.client.customers)

    def check(self, action, desired, current, changes):
        super().check(action, desired, current, changes)
        if action != "create":
            # A purge names a record the task never declared: its UserID was
            # not checked with the declared ones, and is addressed all the same.
            identity = self.spec.by_name[self.spec.identity]
            problem = identity.problem(self.spec.key(current))
            if problem:
                raise ValidationError(problem)

    def create(self, desired):
        return self.from_wire(self.client.create(self.to_wire(desired)))

    def update(self, current, changes, desired):
        # PATCH takes any subset: send only what differs, never the whole record.
        return self.from_wire(self.client.patch(current["user_id"], self.to_wire(changes)))

    def delete(self, current):
        self.client.delete(current["user_id"])
