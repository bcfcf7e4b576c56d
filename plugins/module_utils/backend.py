# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""The contract between the reconcile engine and one backend's entity.

A backend adapter turns wire records into *records*: plain dicts keyed by
the entity spec's option names, with normalised values. The engine never
sees the wire; the adapter never decides what to change.

What the field declarations say is derived here, once: the mapping of
records to and from the wire (:meth:`EntityBackend.to_wire`,
:meth:`EntityBackend.from_wire`) and the refusal of a create that lacks a
field the backend requires (:meth:`EntityBackend.check`).
"""

from __future__ import annotations

import copy
import fnmatch

from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    ProvisioningError,
    ValidationError,
)
from ansible_collections.isp.provisioning.plugins.module_utils.pool import Pool
from ansible_collections.isp.provisioning.plugins.module_utils.values import as_text


# What create() or update() may return instead of the record: "read me back
# with the others, once, after the last write". For backends whose only read
# is the whole list, so that a bulk task reads it twice, not once per write.
READ_LATER = object()


class Unconfirmed(ProvisioningError):
    """A write was sent, but what became of it could not be read back.

    Neither a refusal (the server may well hold the record: the task must not
    say the write failed) nor a success (the task cannot say the record is as
    declared): the engine reports the record as written, not confirmed, and
    the task asks for another run, which reads it afresh. Raised from the
    read's error, so that a backend down (``stops_backend``) still stops.
    """


def confirmed(read, what="written"):
    """``read()``, the read that confirms a write the server accepted; Unconfirmed
    when it fails (``what`` says what is known of the write)."""
    try:
        return read()
    except Unconfirmed:
        raise
    except ProvisioningError as exc:
        raise Unconfirmed(f"{what}; reading it back failed: {exc}") from exc


def matches(record, selector):
    """True when every ``field: pattern`` of ``selector`` matches the record.

    Patterns are shell-style globs compared as text (``*`` matches anything,
    including an empty value); a bool pattern matches a bool field exactly.
    """
    for name, pattern in selector.items():
        value = record.get(name)
        if isinstance(pattern, bool) or isinstance(value, bool):
            if value != pattern:
                return False
            continue
        text = "" if value is None else as_text(value)
        if not fnmatch.fnmatchcase(text, as_text(pattern)):
            return False
    return True


class EntityBackend:
    """Base of every adapter. Subclasses set ``spec`` and implement the I/O methods.

    ``read_all`` is called at most once per task unless :meth:`forget` is
    called (the engine does after a lost answer, to read back).
    """

    spec = None
    # The backend's ``client_from_module(module)``: a task's options -> its wire client.
    client_factory = None
    # Options an entity module takes besides its fields, and the rules that
    # bind them (AnsibleModule's required_if, mutually_exclusive, ...).
    task_options = {}
    task_rules = {}
    # What an _info module takes to search besides the spec's lookups and
    # ``filters``: options of its own, and the options of which it needs one
    # (None: none needed).
    search_options = {}
    search_required_one_of = None

    @classmethod
    def for_task(cls, params):
        """The adapter class for a task's validated options (one whose spec
        depends on an option, such as the identity, returns a subclass)."""
        return cls

    @classmethod
    def writes(cls):
        """Whether an entity module writes these records (an adapter that only reads,
        such as ONU services', has no entity module to declare them to)."""
        return cls.create is not EntityBackend.create

    @classmethod
    def from_module(cls, module):
        return cls(cls.client_factory(module))

    def __init__(self, client=None):
        self.client = client
        # One list for the adapter's warnings and its client's (a cache it could not use).
        self.warnings = getattr(client, "warnings", None)
        if not isinstance(self.warnings, list):
            self.warnings = []
        self._all = None
        # Which records the task can act on, set by the engine before it reads (a
        # ``relevance.Relevance``); None keeps every one (an _info module's search).
        # At 200,000 records of which a shard declares 10,000, the rest would fill
        # the module's memory for nothing.
        self.relevant = None

    @property
    def concurrency(self):
        """How many requests of a task may be in flight at once (the task's option)."""
        return getattr(getattr(self.client, "http", None), "concurrency", 1)

    def each(self, work, items):
        """``work(item)`` for every item, ``concurrency`` at a time; values in order.

        For backends that read one record per request: the first error (in the
        items' order) is raised once the requests in flight have finished.
        """
        return Pool(self.concurrency).values(work, items)

    # --- the wire, as the field declarations say -------------------------------
    def to_wire(self, fields):
        """Option names and values -> the wire's names and values (only those given)."""
        wire = {}
        for name, value in fields.items():
            field = self.spec.by_name.get(name)
            if field is not None and field.write_name and value is not None:
                wire[field.write_name] = field.encode(value)
        return wire

    def from_wire(self, row):
        """A record as the wire answers it -> the record, keyed by option names."""
        return self.decoded(row, self.spec.read_fields)

    def decoded(self, row, fields):
        """``fields`` of a wire row, decoded, keyed by option names."""
        return {field.name: field.decode(field.read_from(row)) for field in fields}

    # --- reads -----------------------------------------------------------------
    def read_all(self):
        """Every record the backend holds (or the part of it this adapter manages)."""
        raise NotImplementedError

    def all_records(self):
        if self._all is None:
            self._all = self.keep_relevant(self.read_all())
        return self._all

    def keep_relevant(self, records):
        """The records (the list, or one page of it) the task can act on; an adapter
        that reads its list page by page calls this on each page."""
        if self.relevant is None:
            return list(records)
        return [record for record in records if self.relevant(record)]

    def relevant_rows(self, rows, sieve=None):
        """The rows of a list (wire rows) the task can act on (see ``Relevance.keeps_row``;
        ``sieve`` is the one that parsed them)."""
        if self.relevant is None:
            return rows
        return [row for row in rows if self.relevant.keeps_row(row, sieve)]

    def listed(self, read):
        """The records of a list that ``read(sieve)`` reads (its wire rows), only those
        the task can act on: most dropped by the sieve as decoded, the rest here."""
        sieve = self.sieve()
        return [self.from_wire(row) for row in self.relevant_rows(read(sieve), sieve)]

    def sieve(self):
        """What drops, while a list answer is decoded, the rows the task will not
        keep (a ``Sieve``); None when it keeps every row."""
        return None if self.relevant is None else self.relevant.sieve()

    def canonical_key(self, key):
        """An identity as the backend compares it (an adapter whose server folds case,
        or trims, says so here): declared and found records are matched on it."""
        return key

    def forget(self):
        """Drop what was read, so that the next read asks the backend again."""
        self._all = None

    def fetch(self, keys):
        """Current records for these identities, by identity, with one read of the backend."""
        found = {self.canonical_key(self.spec.key(record)): record
                 for record in self.all_records()}
        return {key: found[self.canonical_key(key)]
                for key in keys if self.canonical_key(key) in found}

    def search(self, params):
        """What an _info module returns for its options: the records whose fields
        match its lookups and ``filters``, from one read of them all. A backend
        that can narrow the read (its own list filters) or cannot list every
        record overrides this."""
        selector = dict(params["filters"])
        selector.update(
            (name, params[name]) for name in self.spec.lookups if params[name] is not None)
        return [record for record in self.all_records() if matches(record, selector)]

    def in_scope(self, selector):
        """Records that a purge with this scope may delete, by identity."""
        return {self.spec.key(record): record
                for record in self.all_records() if matches(record, selector)}

    # --- before any write -------------------------------------------------------
    def prepare(self, desired):
        """Turn a declared record into comparable values (resolve names to ids, ...).

        Raise ValidationError for a record that can never be written.
        """
        return desired

    def before_checks(self, items):
        """Read what :meth:`check` of these planned writes (``PlanItem``) will read,
        ``concurrency`` requests at a time; the base's checks read nothing.

        Only a speed-up: :meth:`check` still reads what was not read here. An error
        raised here stops the plan before any record's problem is reported, as a
        read failing in :meth:`check` does.
        """

    def check(self, action, desired, current, changes):
        """Raise ValidationError when a planned action cannot be carried out as asked.

        The base refuses a create that lacks a field the backend requires;
        an adapter that checks more calls this first.
        """
        if action == "create":
            missing = self.spec.missing_on_create(desired)
            if missing:
                raise ValidationError(missing)

    def predict(self, action, desired, current):
        """The record as it will be after the action (what check mode reports)."""
        if action == "delete":
            return None
        after = dict(current or self.defaults_on_create())
        after.update(desired)
        return after

    def defaults_on_create(self):
        """Values the backend gives a new record's fields that a task did not name."""
        return {field.name: copy.deepcopy(field.new) for field in self.spec.fields}

    def twins(self, created):
        """Every record that holds ``created``'s identity now, oldest first - read
        afresh, after this task's creates.

        A backend whose server does not refuse a second record of one identity
        (the CRM's uniqueid) answers here, so that two runs of one task at the
        same time, both of which found the record missing and created it, agree
        which one stays: the oldest (the lowest :meth:`record_id`); each run
        deletes its own younger twin. The run that created the younger one reads
        after its own create, so it sees the older one. A server that refuses a
        twin needs nothing: ``[]``.
        """
        return []

    def record_id(self, record):
        """The server's own id of a record, which orders twins (lower is older).

        The identity, where the server's id is the identity (the CRM's customerid);
        an adapter whose identity is a name the user gives returns the id here.
        """
        return record[self.spec.identity]

    def delete_twin(self, record):
        """Delete a twin this run created (see :meth:`twins`); an adapter whose server
        refuses to delete a new record as it is makes it deletable first."""
        self.delete(record)

    # --- writes -----------------------------------------------------------------
    def create(self, desired):
        """Create the record; return it as read back from the backend (or READ_LATER)."""
        raise NotImplementedError

    def update(self, current, changes, desired):
        """Write ``changes``; return the record as read back from the backend (or READ_LATER)."""
        raise NotImplementedError

    def delete(self, current):
        raise NotImplementedError
