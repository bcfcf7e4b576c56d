# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""Value cleaners: a value as a backend stores it, so that comparison is plain equality.

Each takes what a task declares *and* what a backend answers (numbers where
text was sent, "" or null for unset, another case, spaces the server trims)
and gives the one canonical form. A field names its cleaner once, as its
``normalise`` (see ``entity.Field``); backends with a quirk of their own
(ONU EGNs, CRM zero dates) keep that one cleaner in their own folder.
"""

from __future__ import annotations

import datetime
import re

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def same(value):
    """No cleaning: the value as it is."""
    return value


def as_text(value):
    """A scalar the backend may send as a number or a string, as text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def blank_as_none(value):
    """Text where an unset value may read as null or as "": both mean unset."""
    text = as_text(value)
    return None if text == "" else text


def blank_as_empty(value):
    """Text where the backend answers "" for unset, and a null or a missing key means
    the same: both read as ""."""
    return as_text(value) or ""


def text(value):
    """Text as a server that trims stores it: stripped, and unset (None) when blank."""
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def casefold(value):
    return None if value is None else str(value).casefold()


def casefold_text(value):
    """Text compared as a server that trims and ignores case does (e-mails)."""
    value = text(value)
    return None if value is None else value.casefold()


def as_int(value):
    """An id the server sent as a number or a numeric string; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def ident(value):
    """An id as decimal text; 0, "" and None all mean unset."""
    value = text(value)
    if value is None:
        return None
    try:
        number = int(float(value))
    except ValueError:
        return value
    return None if number == 0 else str(number)


def flag(value):
    """A yes/no a server may answer as 1/0, "true", "yes" or a bool; unset stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def id_set(values):
    """A set of ids, sorted (numbers in numeric order), without duplicates or unset ones."""
    if values is None:
        return None
    return sorted({i for i in (ident(v) for v in values) if i is not None}, key=_id_order)


def _id_order(value):
    return (0, int(value)) if value.isdigit() else (1, value)


def iso_date(value):
    """A date option as YYYY-MM-DD text (YAML may give a date object); "" stays ""."""
    if value is None:
        return None
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()[:10]


def valid_iso_date(value):
    """True for a real calendar date written YYYY-MM-DD."""
    if not ISO_DATE.match(value):
        return False
    try:
        datetime.date(*(int(part) for part in value.split("-")))
    except ValueError:
        return False
    return True
