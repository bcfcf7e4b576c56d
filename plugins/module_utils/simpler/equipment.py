# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
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

from ansible_collections.isp.provisioning.plugins.module_utils.backend import EntityBackend
from ansible_collections.isp.provisioning.plugins.module_utils.entity import EntitySpec, Field
from ansible_collections.isp.provisioning.plugins.module_utils.values import as_text
from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    BackendError,
    ValidationError,
)
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.client import client_from_module

MAC = re.compile(r"^[0-9a-f]{12}$")
SIM_FIELDS = ("imsi", "msisdn", "sqn", "ki", "opcode")
TEXT_FIELDS = ("nickname", "description", "serialnumber", "ipaddress", "status", "type")
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


EQUIPMENT = EntitySpec(
    name="equipment",
    plural="equipment",
    identity="nickname",
    label="SIMPLer equipment",
    fields=[
        Field("nickname", lookup=True),
        Field("description"),
        Field("serialnumber", normalise=as_text),
        Field("ipaddress", normalise=blank_ip),
        Field("mac", normalise=mac_key),
        Field("status", choices=["stock", "use"]),
        Field("type"),
        Field("imsi", normalise=as_text, updatable=False),
        Field("msisdn", normalise=as_text, updatable=False),
        Field("sqn", normalise=as_text, updatable=False),
        Field("ki", no_log=True, updatable=False),
        Field("opcode", no_log=True, updatable=False),
        Field("id", readonly=True, lookup=True),
        Field("date_added", readonly=True),
    ],
)


def from_wire(item):
    record = dict((name, as_text(item.get(name)) or "") for name in TEXT_FIELDS + SIM_FIELDS)
    record["mac"] = as_text(item.get("macaddress", item.get("mac"))) or ""
    record["id"] = as_text(item.get("id"))
    record["date_added"] = as_text(item.get("date_added")) or ""
    return record


def to_wire(fields):
    return dict(
        (name, as_text(value)) for name, value in fields.items() if name not in ("id", "date_added")
    )


class SimplerEquipment(EntityBackend):
    client_factory = staticmethod(client_from_module)
    spec = EQUIPMENT

    def read_all(self):
        return [from_wire(item) for item in self.client.equipment()]

    def prepare(self, desired):
        problems = []
        if desired.get("ipaddress"):
            try:
                ipaddress.ip_address(as_text(desired["ipaddress"]).strip())
            except ValueError:
                problems.append("ipaddress %r is not an IP address" % desired["ipaddress"])
        mac = desired.get("mac")
        if mac and not MAC.match(mac_key(mac)):
            problems.append("mac %r is not a MAC address" % mac)
        if problems:
            raise ValidationError(", ".join(problems))
        return desired

    def check(self, action, desired, current, changes):
        if action == "delete":
            raise ValidationError("cannot be deleted: " + NO_DELETE)

    def defaults_on_create(self):
        record = dict((name, "") for name in TEXT_FIELDS + SIM_FIELDS + ("mac", "date_added"))
        record["id"] = None
        return record

    def create(self, desired):
        equipid = self.client.add_equipment(to_wire(desired))
        return self.read_back(desired["nickname"], equipid)

    def update(self, current, changes, desired):
        self.client.modify_equipment(current["id"], to_wire(changes))
        return self.read_back(current["nickname"], current["id"])

    def delete(self, current):  # pragma: no cover - check() refuses every delete first
        raise BackendError(NO_DELETE)

    def read_back(self, nickname, equipid):
        self.forget()
        if equipid:
            items = [from_wire(item) for item in self.client.equipment(id=equipid)]
        else:
            items = self.fetch([nickname]).values()
        for record in items:
            if record["nickname"] == nickname:
                return record
        raise BackendError(
            "the server accepted the write, but %r is not there when read back" % nickname
        )
