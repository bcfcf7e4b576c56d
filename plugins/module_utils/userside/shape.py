# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""UserSide customers: the read shape -> the module's record, and the record -> writes.

UserSide answers ``get_data`` in a shape far from the one it takes on
``add``/``edit`` (CONTRACTS §5): ``fio``/``name`` come back as ``full_name``,
``phone0``/``phone1`` as a ``phone`` list, dates as DD.MM.YYYY, IPs as
integers, marks and groups as maps. Everything here turns both sides into one
canonical form, so that comparison is plain equality:

* text: stripped, "" means unset (None); ids: decimal text, 0 means unset;
* dates: ISO ``YYYY-MM-DD``; MACs: lower-case with colons; IPs: dotted quads;
* sets (marks, services, ip_mac): sorted lists without duplicates.

Every reader accepts more shapes than the emulator sends (lists or maps,
numbers or strings), because the contract leaves them open.
"""

from __future__ import annotations

import datetime
import ipaddress
import re

from ansible_collections.isp.provisioning.plugins.module_utils.errors import ValidationError

STATES = {"stopped": 0, "paused": 1, "active": 2}
STATE_NAMES = dict((number, name) for name, number in STATES.items())

# option -> edit parameter (the edit action's names, not get_data's)
EDIT_PARAMS = {
    "name": "name", "login": "login", "agreement_number": "agreement_number",
    "agreement_date": "agreement_date", "account_number": "account_number",
    "mobile_phone": "phone0", "home_phone": "phone1", "email": "email",
    "house_id": "house_id", "apartment": "apartment_number", "entrance": "entrance",
    "floor": "floor", "comment": "comment", "group_id": "group_id",
    "manager_id": "manager_id", "is_corporate": "flag_corporate",
    "is_potential": "is_potential",
}


# --- canonical values (applied to desired and current alike) -------------------------
def text(value):
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def casefold_text(value):
    value = text(value)
    return None if value is None else value.casefold()


def ident(value):
    """An id: decimal text; 0, "" and None all mean unset."""
    value = text(value)
    if value is None:
        return None
    try:
        number = int(float(value))
    except ValueError:
        return value
    return None if number == 0 else str(number)


def flag(value):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def id_set(values):
    if values is None:
        return None
    return sorted(set(i for i in (ident(v) for v in values) if i is not None), key=_id_order)


def _id_order(value):
    return (0, int(value)) if value.isdigit() else (1, value)


def date(value):
    """ISO date from YYYY-MM-DD or DD.MM.YYYY; unset for empty or 00.00.0000."""
    value = text(value)
    if value is None or value.strip("0.-: ") == "":
        return None
    value = value.split(" ")[0].split("T")[0]
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(value, pattern).date().isoformat()
        except ValueError:
            continue
    raise ValidationError("%r is not a date (YYYY-MM-DD or DD.MM.YYYY)" % value)


def mac(value):
    value = text(value)
    if value is None:
        return None
    digits = re.sub(r"[^0-9a-fA-F]", "", value).lower()
    if len(digits) != 12 or len(re.sub(r"[0-9a-fA-F:.\- ]", "", value)):
        raise ValidationError("%r is not a MAC address" % value)
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
        raise ValidationError("%r is not an IPv4 address" % (value,))


def binding(entry):
    return {"ip": ip(entry.get("ip")), "mac": mac(entry.get("mac"))}


def bindings(entries):
    if entries is None:
        return None
    unique = dict()
    for entry in entries:
        canonical = binding(entry)
        unique[(canonical["ip"] or "", canonical["mac"] or "")] = canonical
    return [unique[key] for key in sorted(unique, key=_binding_order)]


def _binding_order(key):
    address = key[0]
    return (int(ipaddress.IPv4Address(address)) if address else -1, key[1])


# --- the read shape ------------------------------------------------------------------
def first(items, main_key="flag_main"):
    """The entry flagged main, else the first; from a list or a map of entries."""
    entries = entries_of(items)
    for entry in entries:
        if isinstance(entry, dict) and flag(entry.get(main_key)):
            return entry
    return entries[0] if entries else None


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
        found = []
        for key, entry in items.items():
            found.append(entry.get("id", key) if isinstance(entry, dict) else key)
        return found
    return [entry.get("id") if isinstance(entry, dict) else entry for entry in items]


def phones(items):
    """(mobile, home) from the ``phone`` list: main is phone0, the rest phone1.

    When no entry carries ``flag_main`` the order tells: phone0 first.
    """
    entries = [e if isinstance(e, dict) else {"number": e} for e in entries_of(items)]
    numbers = [text(e.get("number", e.get("phone"))) for e in entries]
    if not any("flag_main" in entry for entry in entries):
        numbers += [None, None]
        return numbers[0], numbers[1]
    mobile = [n for n, e in zip(numbers, entries) if flag(e.get("flag_main"))]
    home = [n for n, e in zip(numbers, entries) if not flag(e.get("flag_main"))]
    return (mobile or [None])[0], (home or [None])[0]


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


def address_of(items):
    entries = [e for e in entries_of(items) if isinstance(e, dict)]
    chosen = [e for e in entries if str(e.get("type", "")).lower() == "connect"] or entries
    return chosen[0] if chosen else {}


def holding(items, value_key, wanted, canonical):
    """The entry whose ``value_key`` is ``wanted`` (canonically), else the main one.

    A customer may hold several agreements and e-mails: the one it was found
    by is the one its record shows. Plain values are read as ``{value_key: value}``.
    """
    entries = [e if isinstance(e, dict) else {value_key: e} for e in entries_of(items)]
    if canonical(wanted) is not None:
        for entry in entries:
            if canonical(entry.get(value_key)) == canonical(wanted):
                return entry
    main = first(entries)
    return main if isinstance(main, dict) else {}


def from_wire(data, prefer=None):
    """One ``get_data`` answer -> the module's record (canonical values).

    ``prefer`` (option -> value) picks, of several agreements or e-mails, the
    one holding that value; without it, the main one.
    """
    prefer = prefer or {}
    data = dict((str(k).lower(), v) for k, v in (data or {}).items())
    mobile, home = phones(data.get("phone"))
    email = holding(data.get("email"), "address", prefer.get("email"), casefold_text)
    agreement = holding(data.get("agreement"), "number", prefer.get("agreement_number"), text)
    address = address_of(data.get("address"))
    apartment = address.get("apartment")
    if isinstance(apartment, dict):
        apartment = apartment.get("number")
    groups = id_set(ids_of(data.get("group")))
    state = data.get("state_id")
    services = data.get("service", data.get("services", data.get("additional_service")))
    record = {
        "id": ident(data.get("id")),
        "login": text(data.get("login")),
        "name": text(data.get("full_name", data.get("name"))),
        "agreement_number": text(agreement.get("number")),
        "agreement_date": _lenient_date(agreement.get("date")),
        "account_number": text(data.get("account_number")),
        "mobile_phone": mobile,
        "home_phone": home,
        "email": casefold_text(email.get("address")),
        "house_id": ident(address.get("house_id")),
        "apartment": text(apartment),
        "entrance": ident(address.get("entrance")),
        "floor": ident(address.get("floor")),
        "comment": text(data.get("comment")),
        # one group is what edit sets; several (set elsewhere) read as a list
        "group_id": (groups[0] if len(groups) == 1 else groups or None),
        "manager_id": ident(data.get("manager_id")),
        "is_corporate": bool(flag(data.get("flag_corporate", data.get("is_corporate")))),
        "is_potential": bool(flag(data.get("is_potential"))),
        "billing_id": ident(data.get("billing_id")),
        "billing_uid": text(data.get("billing_uid", data.get("codeti"))),
        "status": STATE_NAMES.get(_int_or_none(state)),
        "tariff": tariff_of(data.get("tariff")),
        "marks": id_set(ids_of(data.get("mark"))),
        "ip_mac": bindings(
            [e for e in entries_of(data.get("ip_mac")) if isinstance(e, dict)]
        ),
        "services": id_set(ids_of(services)),
        "balance": data.get("balance"),
        "date_create": text(data.get("date_create")),
    }
    return record


def _lenient_date(value):
    try:
        return date(value)
    except ValidationError:
        return text(value)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- the write side --------------------------------------------------------------------
def edit_params(changes):
    """Option values -> the ``edit`` action's parameters (only the options given)."""
    params = {}
    for option, param in EDIT_PARAMS.items():
        if option not in changes:
            continue
        value = changes[option]
        if isinstance(value, bool):
            value = 1 if value else 0
        params[param] = "" if value is None else value
    return params


def set_steps(desired, current):
    """(to add, to remove) for one set option, in canonical values."""
    want = desired or []
    have = current or []
    return ([v for v in want if v not in have], [v for v in have if v not in want])
