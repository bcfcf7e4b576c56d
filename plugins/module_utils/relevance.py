# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""Which of a backend's records a task can act on, so that its read keeps only those.

A shard's task declares about 10,000 records of a backend that lists 200,000:
kept whole, the list filled each module's memory (four shards at once, 1.7 GB).
A task can act on a backend record only when:

* it holds an identity a declared record names — any identity a record can be
  named by (the CRM's customerid or uniqueid), so that a record declared by a
  uniqueid finds its customer, an update's new uniqueid finds who holds it, and
  a create's twins (every holder of its identity) are seen;
* or a purge may delete it: in purge_scope and in this shard's partition.

A purge without a partition may delete any record, so nothing is left out then.
Identities are compared as the backend compares them (``canonical_key``, the
fields' normalisers), as the engine matches them.
"""

from __future__ import annotations

from ansible_collections.isp.provisioning.plugins.module_utils.backend import matches
from ansible_collections.isp.provisioning.plugins.module_utils.http_session import find_json
from ansible_collections.isp.provisioning.plugins.module_utils.shard import partition_value


class Relevance:
    """Called with a backend record: True when the task can act on it."""

    def __init__(self, backend, declared, purge_scope=None, partition=None):
        self.backend = backend
        self.spec = backend.spec
        self.scope = purge_scope
        self.partition = partition
        # What it reads of a record: a spec's key() reads its identities only.
        self.fields = set(self.spec.identities) | {self.spec.identity}
        if purge_scope is not None:
            self.fields.update(purge_scope)
            self.fields.add(partition.by)
        self.read = [field for field in self.spec.fields
                     if field.read_name and field.name in self.fields]
        self.keys = set()
        self.values = {name: set() for name in self.spec.identities}
        for desired in declared:
            key = self.spec.key(desired)
            if key is not None:
                self.keys.add(backend.canonical_key(key))
            for name, values in self.values.items():
                value = partition_value(self.spec, name, desired.get(name))
                if value:  # "" is no identity: it would take in every record without one
                    values.add(value)

    @classmethod
    def of(cls, backend, declared, purge_scope=None, partition=None):
        """The relevance of a task's records; None when every record is (a purge
        that is not one shard's may delete any)."""
        if purge_scope is not None and partition is None:
            return None
        return cls(backend, declared, purge_scope, partition)

    def __call__(self, record):
        return self.declares(record) or (
            self.scope is not None and matches(record, self.scope)
            and self.partition.owns(record))

    def keeps_row(self, row, sieve=None):
        """Whether the task can act on a wire row, judged on the fields this
        relevance reads, decoded alone: a shard keeps 10,000 rows of 200,000,
        and decoding every row whole cost more than the rest of the read.
        A row ``sieve`` has kept as it decoded the answer is not judged twice."""
        return (sieve is not None and sieve.kept(row)) or self(
            self.backend.decoded(row, self.read))

    def sieve(self):
        """Drops the rows this task will not keep as a list answer is decoded;
        a row is known by its identity's wire name."""
        return Sieve(self.keeps_row, self.spec.by_name[self.spec.identity].read_name)

    def declares(self, record):
        """Whether a declared record names this one by any of its identities."""
        if self.backend.canonical_key(self.spec.key(record)) in self.keys:
            return True
        return any(partition_value(self.spec, name, record.get(name)) in values
                   for name, values in self.values.items() if values)


class Sieve:
    """Parses a list answer, dropping each row the task will not keep as soon
    as it is decoded, so that the answer's 200,000 rows are never held at once
    (four shards at once held over 1.5 GB so).

    json calls the hook with every object, innermost first, before the list
    that holds them is built. An object that holds ``marker`` (a key every row
    holds) and that ``keep`` refuses is taken for a row and stands as None.
    Whether the Nones are rows is then checked on the answer's shape: every
    one must be in the list ``rows_of(answer)`` finds. Anything else (a
    refused object elsewhere: a wrapper, an object nested in a row, a try at
    JSON after a server's diagnostics) parses the text again without dropping,
    so that an answer means what it meant unsifted.
    """

    def __init__(self, keep, marker):
        self.keep = keep
        self.marker = marker

    @staticmethod
    def kept(row):
        """Whether ``row`` was judged and kept as its answer was decoded: a row
        without ``marker``, or of an answer read again unsifted, is for the read
        to judge. Told by the row itself, so that each answer (each page of a
        list) says it for its own rows."""
        return isinstance(row, KeptRow)

    def parser(self, rows_of):
        """``parse`` for a list whose rows ``rows_of(answer)`` finds."""
        return lambda text: self.parse(text, rows_of)

    def parse(self, text, rows_of):
        """``find_json(text)``, with the list of rows ``rows_of(answer)`` finds
        holding only the rows ``keep`` takes (some may remain for the read's own
        judgement: rows without ``marker``)."""
        dropped = 0

        def drop_refused_row(value):
            nonlocal dropped
            if self.marker not in value:
                return value
            if self.keep(value):
                return KeptRow(value)
            dropped += 1
            return None

        answer = find_json(text, object_hook=drop_refused_row)
        if dropped:
            rows = rows_of(answer)
            if not isinstance(rows, list) or rows.count(None) != dropped:
                return find_json(text)
            rows[:] = [row for row in rows if row is not None]
        return answer


class KeptRow(dict):
    """A row a sieve judged and kept as it was decoded (``Sieve.kept``)."""

    __slots__ = ()
