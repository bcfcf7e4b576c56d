# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""Shards of a subscriber repository, and the share of a purge that each one takes.

The inventory plugin splits the subscribers into ``count`` shards by a stable
hash of the subscriber id (:func:`split`); the role gives each backend task of
a shard its share of the purge (:func:`purge_options`): the undeclared records
whose identity hashes to that shard, minus every identity the repository
declares anywhere (``keep``). So shards converged by Ansible's forks, or by
the slices of an AWX sliced job on other machines, never delete each other's
records, and adding a subscriber moves no other one to another shard.
"""

from __future__ import annotations

from ansible_collections.isp.provisioning.plugins.module_utils.shard import (
    partition_value,
    shard_of,
)
from ansible_collections.isp.provisioning.plugins.module_utils.subscriber import (
    EQUIPMENT,
    SECTIONS,
    identity_of,
)

# The sections whose module can delete undeclared records (not SIMPLer equipment).
PURGEABLE = tuple(name for name, section in SECTIONS.items() if section.purgeable)


def split(subscribers, count, encode=None):
    """Validated subscribers -> ``count`` shards, each
    ``{"subscribers": [...], "keep": {section: [partition values]}}``.

    ``subscribers`` may be any iterable, read once: a reader of thousands of
    files passes a generator and ``encode`` (a subscriber -> what the shard
    holds of it, such as its JSON text), so that no record outlives its turn.

    A subscriber goes to shard ``shard_of(id, count)``, in repository order.
    ``keep[section]`` of shard i holds the partition value of every identity
    the repository declares in that section - whatever the subscriber's state,
    so an absent subscriber's record that the section keeps (IPDR) too - that
    hashes to shard i: the records that shard i's purge must never delete,
    though another shard declares them, or nobody converges them. Each shard
    holds its own subscribers and about 1/count of the identities: no copy of
    the other shards' records.
    """
    shards = empty_shards(count)
    for subscriber in subscribers:
        place(shards, placement(subscriber, count, encode))
    return shards


def empty_shards(count):
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ValueError(f"the number of shards must be a whole number of 1 or more, "
                         f"got {count!r}")
    return [{"subscribers": [], "keep": {name: [] for name in PURGEABLE}}
            for _index in range(count)]


def placement(subscriber, count, encode=None):
    """Where one validated subscriber goes among ``count`` shards (see :func:`split`):
    (its shard, what that shard holds of it, (section, partition value, the value's
    shard) of each identity it declares). Worked out on its own, so that a reader
    can work it out in another process and :func:`place` it in order."""
    kept = []
    for name in PURGEABLE:
        if subscriber[name] is None:
            continue  # not on that backend: nothing of it to keep there
        section = SECTIONS[name]
        value = partition_value(section.spec, section.identity, identity_of(subscriber, section))
        kept.append((name, value, shard_of(value, count)))
    return (shard_of(str(subscriber["id"]), count),
            encode(subscriber) if encode else subscriber, kept)


def place(shards, placed):
    index, held, kept = placed
    shards[index]["subscribers"].append(held)
    for name, value, shard in kept:
        shards[shard]["keep"][name].append(value)


def host_names(host, count):
    """The shard hosts' names: ``host`` alone for one shard (as before shards existed),
    else ``<host>_<i>`` zero-padded to the width of count - 1, so that sorting the
    names (as AWX does to slice an inventory) sorts the shards."""
    if count == 1:
        return [host]
    width = len(str(count - 1))
    return [f"{host}_{index:0{width}d}" for index in range(count)]


def purge_options(fanned, purge=(), scopes=None, limit=10, shard=None):
    """Each purgeable section's purge options for its entity module.

    ``fanned``: what ``subscriber.fan_out`` made of this shard's subscribers;
    ``purge``: the sections to purge; ``scopes``: section -> purge_scope, for
    a section whose own default (:attr:`Section.purge_scope`) is not wanted or
    which has none; ``limit``: purge_limit, per shard; ``shard``: the inventory
    plugin's ``subscribers_shard`` (index, count, keep), None in a play
    without it: the task is then the only shard, and keeps the identities the
    fan-out leaves alone on purpose (an absent subscriber's IPDR record).

    Returns ``{section: {"purge": False}}`` or ``{section: {"purge": True,
    "purge_scope": ..., "purge_limit": ..., "purge_shard": ...}}``. Raises
    ValueError naming every setting that cannot be used.
    """
    purge = list(purge or [])
    scopes = dict(scopes or {})
    problems = []
    for name in purge:
        if name == EQUIPMENT.name:
            problems.append(f"{name} cannot be purged: SIMPLer has no call that deletes "
                            "equipment")
        elif name not in PURGEABLE:
            problems.append(f"{name} is no section that can be purged "
                            f"({', '.join(PURGEABLE)})")
    for name, scope in scopes.items():
        if not isinstance(scope, dict) or not scope:
            problems.append(f"the purge scope of {name} must be a mapping of field names "
                            f"to patterns, got {scope!r}")
    for name in purge:
        if name in PURGEABLE and scopes.get(name, SECTIONS[name].purge_scope) is None:
            problems.append(
                f"{name} has no default purge scope: give one in subscribers_purge_scope "
                f"(for {name}, a field the backend can search by, with a plain value)")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        problems.append(f"the purge limit must be a whole number of 0 or more, got {limit!r}")
    if shard is not None:
        problems.extend(_shard_problems(shard))
    if problems:
        raise ValueError("; ".join(problems))
    options = {}
    for name in PURGEABLE:
        if name not in purge:
            options[name] = {"purge": False}
            continue
        section = SECTIONS[name]
        options[name] = {
            "purge": True,
            "purge_scope": scopes.get(name, section.purge_scope),
            "purge_limit": limit,
            "purge_shard": _share(section, fanned, shard),
        }
    return options


def _share(section, fanned, shard):
    # A shard's keep is in its subscribers_shard: only a play without shards reads the
    # fan-out's (the subscriber_purge filter reads only that much of it).
    if shard is None:
        kept = (fanned.get(section.name) or {}).get("kept") or []
        return {"index": 0, "count": 1, "by": section.identity,
                "keep": [partition_value(section.spec, section.identity, k) for k in kept]}
    return {"index": shard["index"], "count": shard["count"], "by": section.identity,
            "keep": list((shard.get("keep") or {}).get(section.name) or [])}


def _shard_problems(shard):
    if not isinstance(shard, dict):
        return [f"subscribers_shard must be a mapping (index, count, keep), got {shard!r}"]
    index, count = shard.get("index"), shard.get("count")
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in (index, count)) \
            or count < 1 or not 0 <= index < count:
        return [f"subscribers_shard needs index 0 to count - 1 and count 1 or more, "
                f"got index {index!r}, count {count!r}"]
    if not isinstance(shard.get("keep", {}), dict):
        return ["subscribers_shard.keep must map each section to the values it keeps"]
    return []
