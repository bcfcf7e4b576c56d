# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""Shards: one stable hash places subscribers and partitions purges.

The subscribers inventory plugin puts a subscriber on shard
``shard_of(id, count)``; a shard's purge deletes only undeclared backend
records whose partition field hashes to that shard with the same function.
So K shards, run one after another or at once on K execution nodes, never
delete each other's records, and adding a subscriber moves nobody else.

The hash is SHA-256, not Python's ``hash()``: that one is salted per process,
and every shard, slice and run must agree.
"""

from __future__ import annotations

import hashlib

from ansible_collections.isp.provisioning.plugins.module_utils.values import as_text


def shard_of(text, count):
    """The shard (0 .. count - 1) of a text, the same in every process and run."""
    digest = hashlib.sha256(str(text).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count


def partition_value(spec, name, value):
    """The text of field ``name`` that a purge partition hashes and compares:
    the value as the backend compares it (its normaliser), "" for none."""
    if value is None:
        return ""
    normalised = spec.normalise(name, value)
    return "" if normalised is None else as_text(normalised)


class Partition:
    """One shard's share of a purge: records of other shards, and values declared
    anywhere in the repository (``keep``), are not this shard's to delete."""

    def __init__(self, spec, index, count, by=None, keep=()):
        if count < 1 or not 0 <= index < count:
            raise ValueError(
                f"purge_shard: index must be 0 to count - 1 and count at least 1; "
                f"got index {index}, count {count}")
        self.spec = spec
        self.index = index
        self.count = count
        self.by = by or spec.identity
        if self.by not in spec.by_name:
            raise ValueError(
                f"purge_shard: by must name a {spec.name} field "
                f"({', '.join(sorted(spec.by_name))}); got {self.by}")
        self.keep = {partition_value(spec, self.by, value) for value in keep}

    def owns(self, record):
        """True when a purge on this shard may delete this (undeclared) record."""
        value = partition_value(self.spec, self.by, record.get(self.by))
        return value not in self.keep and shard_of(value, self.count) == self.index
