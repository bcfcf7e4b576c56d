# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ONU customers and services: entity specs and adapters between records and the wire.

Record shape (what modules take, compare and return)::

    {id, sn, name, address, egn, service (a service id), auto (bool),
     state_rf ("1"/"2"), enabled (bool: the wire's state YES/NO)}
"""

from __future__ import annotations

from ansible_collections.isp.provisioning.plugins.module_utils.backend import (
    READ_LATER,
    EntityBackend,
)
from ansible_collections.isp.provisioning.plugins.module_utils.entity import EntitySpec, Field
from ansible_collections.isp.provisioning.plugins.module_utils.values import as_text, blank_as_none
from ansible_collections.isp.provisioning.plugins.module_utils.errors import ValidationError
from ansible_collections.isp.provisioning.plugins.module_utils.onu.client import client_from_module


def as_egn(value):
    """An EGN as the server compares it: PHP 8.1+ answers an all-digit one as a
    JSON number, which loses its leading zeros (EGNs of people born 2000-2009
    start with 0), so digits are compared without them."""
    text = blank_as_none(value)
    if text is not None and text.isdigit():
        return text.lstrip("0") or "0"
    return text


CUSTOMER = EntitySpec(
    name="customer",
    plural="customers",
    identity="sn",
    label="ONU customer",
    fields=[
        Field("sn", normalise=as_text, lookup=True),
        Field("name"),
        Field("address", normalise=blank_as_none),
        Field("egn", normalise=as_egn),
        Field("service", normalise=as_text),
        Field("auto", type="bool"),
        Field("state_rf", choices=["1", "2"], normalise=as_text),
        Field("enabled", type="bool"),
        Field("id", readonly=True, lookup=True),
    ],
)

SERVICE = EntitySpec(
    name="service",
    plural="services",
    identity="id",
    label="ONU service",
    fields=[Field("id", normalise=as_text, lookup=True), Field("name", lookup=True)],
)

TEXT_FIELDS = ("sn", "name", "address", "egn", "service", "state_rf")
YES_NO = {True: "YES", False: "NO"}
OFFLINE_WARNING = (
    "ONU customer %r: auto is NO, so the server will not re-provision the ONU after this "
    "update and it stays offline until auto is set to YES (the server re-provisions only "
    "auto=YES customers)"
)


def from_wire(customer):
    record = dict((name, as_text(customer.get(name))) for name in TEXT_FIELDS + ("id",))
    record["address"] = record["address"] or ""
    record["auto"] = customer.get("auto") == "YES"
    record["enabled"] = customer.get("state") == "YES"
    return record


def to_wire(fields):
    """Option names and values -> the JSON the server takes (only the fields given)."""
    wire = {}
    for name, value in fields.items():
        if name == "enabled":
            wire["state"] = YES_NO[value]
        elif name == "auto":
            wire["auto"] = YES_NO[value]
        elif name != "id":
            wire[name] = as_text(value)
    return wire


def php_empty(value):
    """What the server's PHP ``empty()`` skips: such a value is never written."""
    return value in ("", "0")


class OnuServices(EntityBackend):
    spec = SERVICE
    client_factory = staticmethod(client_from_module)

    def read_all(self):
        return [
            {"id": as_text(service.get("id")), "name": service.get("name")}
            for service in self.client.services()
        ]


class OnuCustomers(EntityBackend):
    spec = CUSTOMER
    client_factory = staticmethod(client_from_module)

    def __init__(self, client):
        super().__init__(client)
        self._services = None

    def read_all(self):
        # The list, not get_customers_one: only the list reports `state` truly.
        return [from_wire(customer) for customer in self.client.customers()]

    def services(self):
        if self._services is None:
            self._services = OnuServices(self.client).read_all()
        return self._services

    # --- before any write -------------------------------------------------------
    def prepare(self, desired):
        for name, value in desired.items():
            if isinstance(value, str) and "'" in value:
                raise ValidationError(
                    "%s contains a single quote, which the ONU server cannot store "
                    "(it passes values to SQL unescaped)" % name
                )
        if desired.get("service") is not None:
            desired["service"] = self.service_id(as_text(desired["service"]))
        if desired.get("auto") is False:
            self.warnings.append(
                "ONU customer %r: auto is set to NO; the server re-provisions only "
                "auto=YES customers, so the ONU goes offline after any update"
                % desired.get("sn")
            )
        return desired

    def service_id(self, wanted):
        services = self.services()
        for service in services:
            if wanted in (service["id"], service["name"]):
                return service["id"]
        for service in services:
            if wanted.casefold() == (service["name"] or "").casefold():
                return service["id"]
        raise ValidationError(
            "unknown service %r; the server offers %s"
            % (wanted, ", ".join("%s (id %s)" % (s["name"], s["id"]) for s in services) or "none")
        )

    def check(self, action, desired, current, changes):
        if action == "create" and not desired.get("name"):
            raise ValidationError("name is required to create it")
        if action in ("create", "update"):
            # auto and enabled travel as YES/NO, never empty; on create an empty
            # string only leaves a field unset, which is what it reads back as
            unwritable = sorted(
                name
                for name, value in changes.items()
                if not isinstance(value, bool)
                and php_empty(as_text(value))
                and (action == "update" or as_text(value) == "0")
            )
            if unwritable:
                raise ValidationError(
                    "the ONU server writes only non-empty values, so it cannot clear a field "
                    "or set it to '' or '0': %s"
                    % ", ".join(
                        "%s=%r (now %r)" % (name, changes[name], (current or {}).get(name))
                        for name in unwritable
                    )
                )
        if action == "update" and "auto" not in desired and not current["auto"]:
            self.warnings.append(OFFLINE_WARNING % current["sn"])

    def defaults_on_create(self):
        return dict(
            id=None, sn=None, name=None, address="", egn=None, service=None,
            auto=True, state_rf=None, enabled=True,
        )

    # --- writes -----------------------------------------------------------------
    def create(self, desired):
        fields = self.defaults_on_create()
        fields.update(desired)
        wire = dict(
            (key, value)
            for key, value in to_wire(fields).items()
            if value is not None and not php_empty(value)
        )
        self.client.create(wire)
        return READ_LATER  # the only read is the whole list: once, after every write

    def update(self, current, changes, desired):
        # The server sets `state` to NO when an update leaves it out: always send it.
        fields = dict(changes, sn=current["sn"], enabled=desired.get("enabled", current["enabled"]))
        self.client.update(to_wire(fields))
        return READ_LATER

    def delete(self, current):
        self.client.delete(current["sn"])
