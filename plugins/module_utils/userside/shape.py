# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""UserSide's values and read shape, as the customer fields' codecs use them.

UserSide answers ``get_data`` in a shape far from the one it takes on
``add``/``edit`` (CONTRACTS §5): ``fio``/``name`` come back as ``full_name``,
``phone0``/``phone1`` as a ``phone`` list, dates as DD.MM.YYYY, IPs as
integers, marks and groups as maps. The cleaners shared with other backends
are in ``values``; here are those only UserSide needs, so that both sides
meet in one canonical form and comparison is plain equality:

* dates: ISO ``YYYY-MM-DD``; MACs: lower-case with colons; IPs: dotted quads;
* sets (marks, services, IP/MAC bindings): sorted lists without duplicates;
* the entry of a nested list (an agreement, an e-mail, an address, the
  phones) that a record shows.

Every reader accepts more shapes than the emulator sends (lists or maps,
numbers or strings), because the contract leaves them open.
"""

from __future__ import annotations

import datetime
import ipaddress
import re

from ansible_collections.isp.provisioning.plugins.module_utils.errors import ValidationError
from ansible_collections.isp.provisioning.plugins.module_utils.values import (
    ISO_DATE,
    flag,
    id_set,
    ident,
    text,
)

STATES = {"stopped": 0, "paused": 1, "active": 2}
STATE_NAMES = {number: name for name, number in STATES.items()}


# --- values written ---------------------------------------------------------------------
def state_id(status):
    """A status as ``state_change`` and ``get_customers_id`` take it (its number)."""
    return STATES.get(status, status)


def flag_param(value):
    """A yes/no as ``add``, ``edit`` and ``get_customers_id`` take it: 1 or 0."""
    return None if value is None else int(bool(flag(value)))


def date(value):
    """ISO date from YYYY-MM-DD or DD.MM.YYYY; unset for empty or 00.00.0000."""
    value = text(value)
    if value is None or value.strip("0.-: ") == "":
        return None
    value = value.split(" ")[0].split("T")[0]
    if ISO_DATE.fullmatch(value):
        # What strptime makes of it, without strptime's parse (a tenth of
        # decoding a get_data answer); a day that does not exist is left to it.
        try:
            return datetime.date(int(value[:4]), int(value[5:7]), int(value[8:])).isoformat()
        except ValueError:
            pass
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(value, pattern).date().isoformat()
        except ValueError:
            continue
    raise ValidationError(f"{value!r} is not a date (YYYY-MM-DD or DD.MM.YYYY)")


def mac(value):
    value = text(value)
    if value is None:
        return None
    digits = re.sub(r"[^0-9a-fA-F]", "", value).lower()
    if len(digits) != 12 or len(re.sub(r"[0-9a-fA-F:.\- ]", "", value)):
        raise ValidationError(f"{value!r} is not a MAC address")
    if digits == "0" * 12:
        return None
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2))


def ip(value):
    """Dotted quad from a dotted quad, or from the integer (or its text) UserSide answers."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, int) or str(value).strip().lstrip("-").isdigit():
            number = int(value)
            if number == 0:
                return None
            return str(ipaddress.IPv4Address(number % 2 ** 32))
        return str(ipaddress.IPv4Address(str(value).strip()))
    except ValueError:
        raise ValidationError(f"{value!r} is not an IPv4 address")


def binding(entry):
    return {"ip": ip(entry.get("ip")), "mac": mac(entry.get("mac"))}


def bindings(entries):
    if entries is None:
        return None
    unique = {}
    for entry in entries:
        canonical = binding(entry)
        unique[(canonical["ip"] or "", canonical["mac"] or "")] = canonical
    return [unique[key] for key in sorted(unique, key=_binding_order)]


def _binding_order(key):
    address = key[0]
    return (int(ipaddress.IPv4Address(address)) if address else -1, key[1])


def one_mac_per_ip(entries):
    """Declared bindings, canonical; an IP address bound twice can never converge
    (UserSide keeps one MAC per address)."""
    entries = bindings(entries)
    addresses = [entry["ip"] for entry in entries]
    if None in addresses or len(set(addresses)) != len(addresses):
        raise ValidationError("ip_mac must bind each IP address once")
    return entries


def set_steps(desired, current):
    """(to add, to remove) for one set, in canonical values."""
    want = desired or []
    have = current or []
    return ([v for v in want if v not in have], [v for v in have if v not in want])


# --- values read --------------------------------------------------------------------------
def is_set(value):
    """A yes/no get_data answers; unset reads as no."""
    return bool(flag(value))


def state_name(value):
    try:
        return STATE_NAMES.get(int(value))
    except (TypeError, ValueError):
        return None


def lenient_date(value):
    """A date as stored; one that is no date is shown as it is, not refused."""
    try:
        return date(value)
    except ValidationError:
        return text(value)


def entries_of(items):
    if isinstance(items, dict):
        return list(items.values())
    if isinstance(items, list):
        return items
    return []


def ids_of(items):
    """Ids from a map keyed by id, a list of ids, or a list of entries with ``id``."""
    if items is None or items == "":
        return []
    if isinstance(items, (int, str)):
        return [v for v in str(items).split(",") if v.strip()]
    if isinstance(items, dict):
        return [entry.get("id", key) if isinstance(entry, dict) else key
                for key, entry in items.items()]
    return [entry.get("id") if isinstance(entry, dict) else entry for entry in items]


def id_set_of(items):
    """A set of ids (marks, services) from any shape ``ids_of`` reads."""
    return id_set(ids_of(items))


def group_of(items):
    """One group is what edit sets; several (set elsewhere) read as a list."""
    groups = id_set_of(items)
    return groups[0] if len(groups) == 1 else groups or None


def tariff_of(value):
    """``{"current": {"<id>": {...}}}``, ``{"current": id}``, ``{"id": ..}`` or an id."""
    if isinstance(value, dict):
        if "current" in value:
            return tariff_of(value["current"])
        if "id" in value:
            return ident(value["id"])
        ids = ids_of(value)
        return ident(ids[0]) if ids else None
    if isinstance(value, list):
        return tariff_of(value[0]) if value else None
    return ident(value)


def bindings_of(items):
    """IP/MAC bindings from a map or a list of ``{ip, mac}`` (the IP an integer)."""
    return bindings([entry for entry in entries_of(items) if isinstance(entry, dict)])


def apartment_of(value):
    """An address's apartment: ``{"number": ..}`` or the number itself."""
    if isinstance(value, dict):
        value = value.get("number")
    return text(value)


# --- the entry of a nested list that a record shows -----------------------------------------
def part_entry(part, items, key_name=None, wanted=None, canonical=text):
    """The entry of get_data's list ``part`` that a record is read from.

    * ``phone``: the main number as ``phone0`` and the other as ``phone1``,
      the names edit writes them by;
    * ``address``: the connection address, else the first;
    * otherwise (agreements, e-mails): the entry whose ``key_name`` is
      ``wanted`` (canonically), else the main one. A customer may hold several
      agreements and e-mails: the one it was found by is the one its record
      shows. Plain values are read as ``{key_name: value}``.
    """
    if part == "phone":
        mobile, home = phones(items)
        return {"phone0": mobile, "phone1": home}
    if part == "address":
        return address_of(items)
    entries = [e if isinstance(e, dict) else {key_name: e} for e in entries_of(items)]
    if canonical(wanted) is not None:
        for found in entries:
            if canonical(found.get(key_name)) == canonical(wanted):
                return found
    main = first(entries)
    return main if isinstance(main, dict) else {}


def first(items, main_key="flag_main"):
    """The entry flagged main, else the first; from a list or a map of entries."""
    entries = entries_of(items)
    for found in entries:
        if isinstance(found, dict) and flag(found.get(main_key)):
            return found
    return entries[0] if entries else None


def phones(items):
    """(mobile, home) from the ``phone`` list: main is phone0, the rest phone1.

    When no entry carries ``flag_main`` the order tells: phone0 first.
    """
    entries = [e if isinstance(e, dict) else {"number": e} for e in entries_of(items)]
    numbers = [text(e.get("number", e.get("phone"))) for e in entries]
    if not any("flag_main" in found for found in entries):
        numbers += [None, None]
        return numbers[0], numbers[1]
    mobile = [n for n, e in zip(numbers, entries) if flag(e.get("flag_main"))]
    home = [n for n, e in zip(numbers, entries) if not flag(e.get("flag_main"))]
    return (mobile or [None])[0], (home or [None])[0]


def address_of(items):
    entries = [e for e in entries_of(items) if isinstance(e, dict)]
    chosen = [e for e in entries if str(e.get("type", "")).lower() == "connect"] or entries
    return chosen[0] if chosen else {}
