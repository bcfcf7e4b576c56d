# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""ONU customers: the entity spec and the adapter between records and the wire.

Record shape (what modules take, compare and return)::

    {sn, name, address, egn, service (a service id), auto (bool),
     state_rf ("1"/"2"), enabled (bool: the wire's state YES/NO), id}
"""

from __future__ import annotations

import fnmatch

from ansible_collections.isp.provisioning.plugins.module_utils.backend import (
    READ_LATER,
    EntityBackend,
)
from ansible_collections.isp.provisioning.plugins.module_utils.entity import (
    Charset,
    EntitySpec,
    Field,
)
from ansible_collections.isp.provisioning.plugins.module_utils.errors import ValidationError
from ansible_collections.isp.provisioning.plugins.module_utils.onu.client import client_from_module
from ansible_collections.isp.provisioning.plugins.module_utils.onu.services import OnuServices
from ansible_collections.isp.provisioning.plugins.module_utils.values import (
    as_text,
    blank_as_empty,
    blank_as_none,
)

# The server passes every value to SQL unescaped (CONTRACTS §1): a quote breaks
# its query, and a backslash escapes the next character, so the value stored is
# not the one sent and never converges.
UNESCAPED_SQL = Charset(
    "'",
    "a single quote, which the ONU server cannot store (it passes values to SQL unescaped)",
)
UNESCAPED_BACKSLASH = Charset(
    r"\\",
    "a backslash, which the ONU server swallows (it passes values to SQL unescaped)",
)
# The server's tables are 3-byte utf8 (CONTRACTS §1a): no emoji, nothing beyond U+FFFF.
OUTSIDE_BMP = Charset(
    "[\U00010000-\U0010FFFF]",
    "a character outside the Basic Multilingual Plane (such as an emoji), which the ONU "
    "server's 3-byte utf8 tables cannot store",
)
# Column lengths, in characters. Not measured on a real server: the emulator's
# choice (tests/emulators/onu.py), the same on both sides.
NAME_LENGTH = 100
ADDRESS_LENGTH = 255


class Charsets:
    """Several :class:`Charset` refusals for one field: the first that applies is said."""

    def __init__(self, *charsets):
        self.charsets = charsets

    def problem(self, text):
        found = (charset.problem(text) for charset in self.charsets)
        return next((problem for problem in found if problem), None)


ONU_TEXT = Charsets(UNESCAPED_SQL, UNESCAPED_BACKSLASH, OUTSIDE_BMP)


class OnuField(Field):
    """A customer field, with what only the ONU server adds.

    * A text field refuses what the server's unescaped SQL and 3-byte utf8
      tables cannot store (``ONU_TEXT``), unless it names a charset of its own.
    """

    def __init__(self, name, type="str", **options):
        if type == "str":
            options.setdefault("charset", ONU_TEXT)
        super().__init__(name, type, **options)


def fold_serial(sn):
    """A serial as the server's collation compares it: case and trailing spaces
    ignored (``c850e98ce604 `` is ``C850E98CE604``)."""
    text = as_text(sn)
    return None if text is None else text.rstrip(" ").upper()


def as_egn(value):
    """An EGN as the server compares it: PHP 8.1+ answers an all-digit one as a
    JSON number, which loses its leading zeros (EGNs of people born 2000-2009
    start with 0), so digits are compared without them."""
    text = blank_as_none(value)
    if text is not None and text.isdigit():
        return text.lstrip("0") or "0"
    return text


def yes_no(value):
    return "YES" if value else "NO"


def is_yes(value):
    return value == "YES"


CUSTOMER = EntitySpec(
    name="customer",
    plural="customers",
    identity="sn",
    label="ONU customer",
    fields=[
        # Compared folded everywhere: identity, duplicates, purge and its shards.
        OnuField("sn", normalise=fold_serial, lookup=True),
        OnuField("name", create_requires=True, max_length=NAME_LENGTH),
        OnuField("address", normalise=blank_as_none, decode=blank_as_empty, new="",
                 max_length=ADDRESS_LENGTH),
        # An integer column on the server: anything but digits, or more than a
        # BIGINT holds (1264 Out of range value), is a SQL error there. 18 digits
        # after leading zeros (which the server drops) always fit; an EGN has 10.
        OnuField("egn", normalise=as_egn, pattern=r"0*[0-9]{0,18}",
                 rule="must be digits only, at most 18 after leading zeros (the ONU server "
                      "keeps it in a number column)"),
        OnuField("service", normalise=as_text),
        # New customers are re-provisioned by the server (auto) and enabled unless
        # a task says otherwise; the server itself refuses a create without them.
        OnuField("auto", type="bool", encode=yes_no, decode=is_yes, new=True),
        OnuField("state_rf", choices=["1", "2"], normalise=as_text),
        OnuField("enabled", type="bool", wire="state", encode=yes_no, decode=is_yes,
                 new=True),
        OnuField("id", readonly=True, lookup=True),
    ],
)


def php_empty(value):
    """What the server's PHP ``empty()`` skips: such a value is never written."""
    return value in ("", "0")


class OnuCustomers(EntityBackend):
    spec = CUSTOMER
    client_factory = staticmethod(client_from_module)

    def __init__(self, client=None):
        super().__init__(client)
        self._services = None

    def read_all(self):
        # The list, not get_customers_one: only the list reports `state` truly.
        return self.listed(self.client.customers)

    def canonical_key(self, key):
        # Declared and stored serials match as the server matches them, so that a
        # declared c850... updates the stored C850... and a purge never takes one
        # for an undeclared other.
        return self.spec.normalise(self.spec.identity, key)

    def search(self, params):
        """The info module's records; the serial it looks up matches as the server's does."""
        serial = self.spec.identity
        rest = dict(params)
        wanted, rest[serial] = rest.get(serial), None
        found = super().search(rest)
        if wanted is None:
            return found
        pattern = self.canonical_key(wanted)
        return [record for record in found
                if fnmatch.fnmatchcase(self.canonical_key(record[serial]) or "", pattern)]

    def services(self):
        if self._services is None:
            self._services = OnuServices(self.client).read_all()
        return self._services

    # --- before any write -------------------------------------------------------
    def prepare(self, desired):
        if desired.get("service") is not None:
            desired["service"] = self.service_id(as_text(desired["service"]))
        if desired.get("auto") is False:
            self.warnings.append(
                f"ONU customer {self.spec.key(desired)!r}: auto is set to NO; the server "
                "re-provisions only auto=YES customers, so the ONU goes offline after any update"
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
        offered = ", ".join(f"{s['name']} (id {s['id']})" for s in services) or "none"
        raise ValidationError(f"unknown service {wanted!r}; the server offers {offered}")

    def check(self, action, desired, current, changes):
        super().check(action, desired, current, changes)
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
                    "or set it to '' or '0': "
                    + ", ".join(
                        f"{name}={changes[name]!r} (now {(current or {}).get(name)!r})"
                        for name in unwritable
                    )
                )
        if action == "update" and "auto" not in desired and not current["auto"]:
            self.warnings.append(
                f"ONU customer {self.spec.key(current)!r}: auto is NO, so the server will not "
                "re-provision the ONU after this update and it stays offline until auto is set "
                "to YES (the server re-provisions only auto=YES customers)"
            )

    # --- writes -----------------------------------------------------------------
    def create(self, desired):
        fields = self.defaults_on_create()
        fields.update(desired)
        wire = {key: value for key, value in self.to_wire(fields).items() if not php_empty(value)}
        self.client.create(wire)
        return READ_LATER  # the only read is the whole list: once, after every write

    def update(self, current, changes, desired):
        fields = dict(changes)
        # The stored serial, never a declared twin of it; and never the id (a
        # readonly field, never on the wire): an update naming an id and a serial
        # the server does not hold blanks the record.
        fields[self.spec.identity] = current[self.spec.identity]
        # The server sets `state` to NO when an update leaves it out: always send it.
        fields["enabled"] = desired.get("enabled", current["enabled"])
        self.client.update(self.to_wire(fields))
        return READ_LATER

    def delete(self, current):
        self.client.delete(self.spec.key(current))
