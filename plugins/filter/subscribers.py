# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The subscriber filters: fan the subscribers out to the backends, share the purge
between shards, and read the plan.

Each filter is documented in its own file beside this one
(``subscriber_records.yml``, ``subscriber_records_unpacked.yml``,
``subscriber_purge.yml``, ``subscriber_plan.yml``, ``subscriber_plan_merge.yml``), as ansible-doc looks for the documentation of
a filter under the filter's name.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib

from ansible.errors import AnsibleFilterError

from ansible_collections.isp.provisioning.plugins.module_utils.subscriber import (
    IDS,
    SUBSCRIBER_SPEC,
    Options,
    fan_out,
    validate,
)
from ansible_collections.isp.provisioning.plugins.module_utils.subscriber_checked import vouched
from ansible_collections.isp.provisioning.plugins.module_utils.subscriber_plan import (
    merge,
    plan,
)
from ansible_collections.isp.provisioning.plugins.module_utils.subscriber_repository import (
    compact_json,
)
from ansible_collections.isp.provisioning.plugins.module_utils.subscriber_shards import (
    purge_options,
)


PLAIN = (str, int, float, bool, type(None))


def _plain(value):
    """A template's value as plain dicts, lists, strings and numbers.

    ansible-core 2.19 hands a filter lazy containers, and ``copy.deepcopy`` of
    one copies its templar too: the record validators copy what they check, so
    validating lazy subscribers cost about 0.1 s each (50 subscribers, 5 s).
    Its strings and numbers carry tags (where they were read, whether they are
    trusted as templates), which the filter's result would carry on, and every
    later task that templates the records would finalize tag by tag: 2,000
    subscribers' records cost 1.6 s a task so. One walk here, reading each
    value once, makes them plain data: a record is data, never a template.
    """
    kind = type(value)
    if kind in PLAIN:
        return value
    if isinstance(value, dict):
        return {_plain(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    for plain in PLAIN[:3]:  # a tagged str, int or float: its plain value
        if isinstance(value, plain):
            return plain.__new__(plain, value) if plain is not str else str.__str__(value)
    return value


def _subscribers(subscribers):
    """The subscribers as plain data: a list, or the JSON text of one.

    The inventory plugin gives each shard host its subscribers as one JSON
    text: ansible-core holds a host variable's every value as an object of its
    own (tagged with where it was read), and forks copy them all; 20,000
    subscribers held so took 635 MB before the first task, as text 311 MB.
    """
    if isinstance(subscribers, str):
        subscribers = _from_json(subscribers, "the subscribers")
    else:
        subscribers = _plain(subscribers)
    if not isinstance(subscribers, list):
        raise AnsibleFilterError(
            f"the subscribers must be a list of subscriber records, got "
            f"{type(subscribers).__name__}; nothing was sent to any backend")
    return subscribers


def _from_json(text, what):
    try:
        return json.loads(str.__str__(text))
    except ValueError as exc:
        raise AnsibleFilterError(
            f"{what} given as text are not JSON: {exc}; nothing was sent to any backend"
        ) from None


def _shard(shard):
    """subscribers_shard as plain data, each section's keep a list.

    The inventory plugin gives each section's keep as one JSON text, for the
    reason it gives the subscribers so (see _subscribers); a play may give lists.
    """
    shard = _plain(shard)
    if isinstance(shard, dict) and isinstance(shard.get("keep"), dict):
        shard = dict(shard, keep={name: _kept(kept, name)
                                  for name, kept in shard["keep"].items()})
    return shard


def _kept(kept, section):
    """One section's keep, given as a list or as its JSON text: identities, each
    a text or a whole number (a YAML identity may read as one). Anything else -
    a text, null, a mapping - would purge by its characters or keys, or by none."""
    what = f"the identities subscribers_shard.keep.{section}"
    if isinstance(kept, str):
        kept = _from_json(kept, what)
    if not isinstance(kept, list):
        raise AnsibleFilterError(
            f"{what} must be a list, got {_kind(kept)}; nothing was sent to any backend")
    wrong = next((value for value in kept if not isinstance(value, (str, int))
                  or isinstance(value, bool)), kept)
    if wrong is not kept:
        raise AnsibleFilterError(
            f"{what} must be texts or whole numbers, one is {_kind(wrong)}; nothing was "
            "sent to any backend")
    return kept


def _kind(value):
    return "null" if value is None else type(value).__name__


def _validated(subscribers):
    """The subscribers as validated; every problem at once, else nothing goes further.

    A text the inventory plugin of this process made is checked already (see
    subscriber_checked): its records are the validated ones.
    """
    if isinstance(subscribers, str) and vouched(subscribers):
        return _from_json(subscribers, "the subscribers")
    valid, problems = validate(_subscribers(subscribers))
    # The argument-spec validator can say one thing twice (one type error per pass).
    problems = list(dict.fromkeys(problems))
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        raise AnsibleFilterError(
            f"the subscribers have {count}; nothing was sent to any backend: "
            + "; ".join(problems))
    return valid


TRUE = ("true", "yes", "on", "1")
FALSE = ("false", "no", "off", "0", "")


def _flag(value, name):
    # A template can hand a boolean over as text ("False"): bool("False") would be true.
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, str) and value.strip().lower() in TRUE + FALSE:
        return value.strip().lower() in TRUE
    raise AnsibleFilterError(f"{name} must be true or false, got {value!r}")


def subscriber_records(subscribers, ipdr_delete_absent=False, billing_suspended_status=None,
                       records_as_json=False, records_packed=False):
    """Subscribers -> each backend's records for its entity module (see the docs file)."""
    options = Options(
        ipdr_delete_absent=_flag(ipdr_delete_absent, "ipdr_delete_absent"),
        billing_suspended_status=str(billing_suspended_status)
        if billing_suspended_status else None,
    )
    fanned = fan_out(_validated(subscribers), options)
    for section in fanned.values():
        section["count"] = len(section["records"])
    packed = _flag(records_packed, "records_packed")
    if packed or _flag(records_as_json, "records_as_json"):
        # One text a section instead of an object per value: what set_fact
        # keeps of a shard for the rest of the play (see the docs file).
        for section in fanned.values():
            text = compact_json(section["records"])
            section["records"] = _pack(text) if packed else text
    if packed:
        # And its lists of ids as texts: ansible-core 2.19 hands a filter that reads
        # a fact's list (the plan, the purge) a lazy one, which it reads value by
        # value (at 200,000 subscribers, about 40 s of the controller's CPU).
        for section in fanned.values():
            for part in IDS:
                section[part] = compact_json(section[part])
    return fanned


def _listed(section, part):
    """A section's list of ids or identities, given as a list or (packed) as its
    JSON text."""
    value = section.get(part) or []
    return _from_json(value, f"the section's {part}") if isinstance(value, str) else _plain(value)


def _pack(text):
    # Records repeat their keys and most values: zlib makes a shard's text about
    # a twelfth, in well under a second for 10,000 subscribers (base64: a fact is text).
    return base64.b64encode(zlib.compress(text.encode())).decode("ascii")


def subscriber_records_unpacked(packed, as_json=False):
    """A section's records packed by subscriber_records -> the list, or its JSON
    text for the entity module's ``*_json`` option (see the docs file)."""
    refused = ("subscriber_records_unpacked takes a section's records that subscriber_records "
               "packed (records_packed=true)")
    if not isinstance(packed, str):
        raise AnsibleFilterError(f"{refused}, got {_kind(packed)}")
    try:
        text = zlib.decompress(base64.b64decode(str.__str__(packed), validate=True)).decode()
        # The text as it is, read once by the module (which refuses what is not a list
        # of records); the list, read here.
        records = text if _flag(as_json, "as_json") else json.loads(text)
    except (binascii.Error, zlib.error, ValueError):  # (JSONDecodeError, UnicodeDecodeError)
        records = None
    if not (isinstance(records, list) or isinstance(records, str) and records.startswith("[")):
        raise AnsibleFilterError(f"{refused}; this text is not such records")
    return records


def subscriber_plan(fanned, results, subscribers, check_mode=False):
    """The cross-backend plan of a run, from the fan-out and each backend task's result."""
    if not isinstance(fanned, dict) or not isinstance(results, dict):
        raise AnsibleFilterError(
            "subscriber_plan takes the output of subscriber_records and a mapping of "
            "section name to that section's registered task result")
    if isinstance(subscribers, str):
        subscribers = _subscribers(subscribers)
    if not isinstance(subscribers, list):
        raise AnsibleFilterError("subscriber_plan takes the subscribers subscriber_records took")
    # The plan reads each subscriber's id and state and each section's owners and
    # keepers, nothing more: the records (validated when they were fanned out) stay unread here, as
    # reading a template's value costs ansible-core 2.19 a walk of all of it.
    default = SUBSCRIBER_SPEC["state"]["default"]
    lean = [{"id": _plain(s["id"]), "state": _plain(s.get("state") or default)}
            for s in subscribers]
    owners = {name: {part: _listed(section, part) for part in ("owners", "keepers")}
              for name, section in fanned.items()}
    return plan(lean, owners, _plain(results), check_mode=_flag(check_mode, "check_mode"))


def _whole_number(value, name):
    # A template or an extra variable (-e) can hand a number over as text.
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnsibleFilterError(f"{name} must be a whole number, got {value!r}")
    return value


def subscriber_purge(fanned, purge=None, scopes=None, limit=10, shard=None):
    """Each backend section's purge options for its entity module (see the docs file)."""
    if not isinstance(fanned, dict):
        raise AnsibleFilterError("subscriber_purge takes the output of subscriber_records")
    if isinstance(purge, str):
        # -e subscribers_purge=onu,crm: what the role's argument spec takes for a list
        purge = [name.strip() for name in purge.split(",") if name.strip()]
    if purge is not None and not isinstance(purge, list):
        raise AnsibleFilterError(f"the sections to purge must be a list, got {purge!r}")
    if scopes is not None and not isinstance(scopes, dict):
        raise AnsibleFilterError(
            f"the purge scopes must be a mapping of section to scope, got {scopes!r}")
    # What the purge reads of the sections: the identities kept on purpose, for a
    # play without shards (a shard host's are in its subscribers_shard).
    kept = {name: {"kept": _listed(section, "kept") if shard is None else []}
            for name, section in fanned.items()}
    try:
        return purge_options(kept, _plain(purge), _plain(scopes),
                             _whole_number(limit, "the purge limit"), _shard(shard))
    except ValueError as exc:
        raise AnsibleFilterError(f"the purge cannot be run as set: {exc}; nothing was sent "
                                 "to any backend") from None


def subscriber_plan_merge(plans, with_subscribers=False):
    """One plan of a run from its shards' plans (see the docs file)."""
    if not isinstance(plans, list) or not all(isinstance(p, dict) for p in plans):
        raise AnsibleFilterError("subscriber_plan_merge takes a list of plans, one per shard")
    return merge(_plain(plans), with_subscribers=_flag(with_subscribers, "with_subscribers"))


class FilterModule:
    """The subscriber layer's filters."""

    def filters(self):
        return {
            "subscriber_records": subscriber_records,
            "subscriber_records_unpacked": subscriber_records_unpacked,
            "subscriber_purge": subscriber_purge,
            "subscriber_plan": subscriber_plan,
            "subscriber_plan_merge": subscriber_plan_merge,
        }
