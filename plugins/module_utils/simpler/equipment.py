# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""SIMPLer equipment: entity spec and the adapter between records and the wire.

Record shape: listEquipment's fields, under the names modules use::

    {nickname, id, date_added, description, serialnumber, ipaddress, mac, status,
     type, imsi, msisdn, sqn, ki, opcode}

Writes say ``mac``, reads say ``macaddress``. The SIM fields can be set only
by addEquipment (modifyEquipment ignores them), and the API has no function
that deletes equipment.
"""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.isp.provisioning.plugins.module_utils.backend import READ_LATER
from ansible_collections.isp.provisioning.plugins.module_utils.entity import EntitySpec
from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    BackendError,
    ValidationError,
)
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.fields import (
    SimplerBackend,
    SimplerField,
)
from ansible_collections.isp.provisioning.plugins.module_utils.values import as_text

NO_DELETE = (
    "the SIMPLer API has no function that deletes equipment; remove it in SIMPLer's web "
    "interface, or set status to stock"
)


def mac_key(value):
    """A MAC compared as 12 lower-case hex digits, whatever the separators."""
    text = as_text(value)
    if text is None:
        return None
    return re.sub(r"[^0-9a-fA-F]", "", text).lower() if text.strip() else ""


def blank_ip(value):
    text = as_text(value)
    return text.strip() if text else ""


class IpAddress(SimplerField):
    """An IP address, v4 or v6: addEquipment refuses anything else."""

    def problem(self, value):
        if value:
            try:
                ipaddress.ip_address(as_text(value).strip())
            except ValueError:
                return f"{self.name} {value!r} is not an IP address"
        return super().problem(value)


# SIM fields (imsi to opcode) are set on create only: modifyEquipment ignores them.
EQUIPMENT = EntitySpec(
    name="equipment",
    plural="equipment",
    identity="nickname",
    label="SIMPLer equipment",
    fields=[
        SimplerField("nickname", lookup=True, filter=True),
        SimplerField("description"),
        SimplerField("serialnumber", normalise=as_text),
        IpAddress("ipaddress", filter=True, normalise=blank_ip),
        # Twelve hex digits, whatever the separators (what mac_key compares), or none.
        SimplerField("mac", read="macaddress", read_also="mac", filter=True, normalise=mac_key,
                     pattern=r"|[^0-9a-fA-F]*(?:[0-9a-fA-F][^0-9a-fA-F]*){12}",
                     rule="is not a MAC address"),
        SimplerField("status", choices=["stock", "use"]),
        SimplerField("type", filter=True),
        SimplerField("imsi", normalise=as_text, updatable=False),
        SimplerField("msisdn", normalise=as_text, updatable=False),
        SimplerField("sqn", normalise=as_text, updatable=False),
        SimplerField("ki", no_log=True, updatable=False),
        SimplerField("opcode", no_log=True, updatable=False),
        SimplerField("id", readonly=True, decode=as_text, lookup=True, filter=True),
        SimplerField("date_added", readonly=True),
    ],
)


class SimplerEquipment(SimplerBackend):
    spec = EQUIPMENT

    def read_all(self):
        return self.listed(self.client.equipment)

    def prepare(self, desired):
        # The server stores every value it is given stripped (add and modify alike):
        # one declared with spaces around it would differ from its read back on
        # every run, and a SIM field (set on create only) would then fail the task.
        for name, value in desired.items():
            if isinstance(value, str):
                desired[name] = value.strip()
        return super().prepare(desired)

    def check(self, action, desired, current, changes):
        super().check(action, desired, current, changes)
        if action == "delete":
            raise ValidationError("cannot be deleted: " + NO_DELETE)

    # listEquipment answers the whole table in one request: every write is read
    # back with the others, in one read after the last write (READ_LATER).
    def create(self, desired):
        self.client.add_equipment(self.to_wire(desired))
        return READ_LATER

    def update(self, current, changes, desired):
        self.client.modify_equipment(current["id"], self.to_wire(changes))
        return READ_LATER

    def delete(self, current):  # pragma: no cover - check() refuses every delete first
        raise BackendError(NO_DELETE)
