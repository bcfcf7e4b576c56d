# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""Declarative entity specs: a field is declared once, and everything is derived from it.

An entity module's adapter declares its fields::

    CUSTOMER = EntitySpec(
        name="customer", plural="customers", identity="sn", label="ONU customer",
        fields=[
            Field("sn", normalise=as_text),
            Field("name", create_requires=True, max_length=100),
            Field("enabled", type="bool", wire="state", encode=yes_no, decode=is_yes),
        ],
    )

and gets from it the module's argument spec (single record and bulk list
alike), the record's identity, normalised comparison, input validation
(lengths, patterns, character sets), the create requirements, and through
``backend.EntityBackend`` the mapping of records to and from the wire and the
filters the backend's list takes.
"""

from __future__ import annotations

import copy
import functools
import re

from ansible_collections.isp.provisioning.plugins.module_utils.values import as_text, same


class Charset:
    """Characters a backend cannot store: ``refused`` is a regular expression
    matching one such character, ``says`` names them and why, in words
    ("a single quote, which the server cannot store")."""

    def __init__(self, refused, says):
        self.refused = re.compile(refused)
        self.says = says

    def problem(self, text):
        if self.refused.search(text) is None:
            return None
        return f"contains {self.says}"


# Characters no backend can carry, refused in every text of every field: NUL and
# the C0 controls but tab, newline and CR, unpaired surrogates (not UTF-8) and
# U+FFFE/U+FFFF. XML 1.0 cannot hold any of them, so zeep and lxml would refuse
# them halfway through a SOAP run, and the PHP and SQL servers cut text at a NUL.
UNCARRIED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def uncarried(value):
    """The first character of ``value`` (a text, or a list or mapping of them,
    keys included) that no backend can carry, as ``U+0000``; None when none is."""
    if type(value) is str:  # pylint: disable=unidiomatic-typecheck  # most values: at once
        match = UNCARRIED.search(value)
        return "U+%04X" % ord(match.group()) if match else None
    if isinstance(value, dict):
        value = [text for item in value.items() for text in item]
    if isinstance(value, (list, tuple)):
        return next((found for found in map(uncarried, value) if found), None)
    match = UNCARRIED.search(value) if isinstance(value, str) else None
    return "U+%04X" % ord(match.group()) if match else None


# A SQL INT column: what a number field holds unless its backend says otherwise.
INT_COLUMN = (-2 ** 31, 2 ** 31 - 1)


class Field:
    """One option of an entity, and all that code needs to know of it.

    * ``wire``: its name on the wire, both ways (default: the option name);
      ``read`` / ``write`` where the two directions differ; ``False`` for a
      direction it never travels (an action, a field written elsewhere);
      ``read_also``: a name (or names, in order) that some answers use when
      the read name is missing.
    * ``encode`` turns an option value into the wire's (default: text);
      ``decode`` a wire value into the record's (default: text).
    * ``normalise`` cleans a value before comparison, applied to desired and
      current alike (see ``values``).
    * ``create_requires``: the backend refuses a create without it;
      ``filter``: the backend's list can be filtered by it (``True``, or the
      filter's own name where it differs from the wire name); ``lookup``: an
      _info module takes it as an option to find records by.
    * limits, checked before any write: ``max_length`` (characters),
      ``pattern`` (a regular expression the whole text must match, ``rule``
      saying it in words), ``charset`` (a :class:`Charset`); an ``int`` field
      ``value_range`` (lowest, highest), by default the signed 32-bit range of
      the SQL ``INT`` column every backend keeps its numbers in.
    * ``readonly`` fields are reported but never written; ``updatable=False``
      ones can be set on create only (a change fails); ``new`` is the value a
      backend gives a new record's field that a task leaves out.
    * ``assigned``: the server gives it (an id of its own); a task may name it
      to find a record, but a declaration of what the backend holds leaves it
      out (it would differ on another server), unless it is the identity.
    """

    def __init__(
        self,
        name,
        type="str",
        *,
        wire=None,
        read=None,
        write=None,
        read_also=(),
        encode=None,
        decode=None,
        normalise=None,
        required=False,
        create_requires=False,
        filter=None,
        lookup=False,
        max_length=None,
        pattern=None,
        rule=None,
        charset=None,
        value_range=INT_COLUMN,
        choices=None,
        elements=None,
        options=None,
        no_log=False,
        aliases=None,
        readonly=False,
        updatable=True,
        new=None,
        assigned=False,
    ):
        self.name = name
        self.type = type
        self.read_name = _direction(read, wire, name)
        self.write_name = None if readonly else _direction(write, wire, name)
        self.read_also = (read_also,) if isinstance(read_also, str) else tuple(read_also)
        # where read_from looks, in order (once a field, not once a value read)
        self._read_keys = (self.read_name,) + self.read_also
        self.encode = encode or as_text
        self.decode = decode or as_text
        self.normalise = normalise or same
        self.required = required
        self.create_requires = create_requires
        self.filter_name = self.read_name if filter is True else filter
        self.lookup = lookup
        self.max_length = max_length
        self.pattern = re.compile(pattern) if pattern else None
        self.rule = rule or ("must match %s" % pattern if pattern else None)
        self.charset = charset
        self.value_range = value_range
        self.choices = choices
        self.elements = elements
        self.options = options
        self.no_log = no_log
        self.aliases = aliases
        self.readonly = readonly
        self.updatable = updatable
        self.new = new
        self.assigned = assigned

    def argument_spec(self, required=None):
        spec = {"type": self.type}
        # No defaults, ever: a field a task leaves out is never touched.
        for key in ("choices", "elements", "options", "aliases"):
            value = getattr(self, key)
            if value is not None:
                spec[key] = copy.deepcopy(value)
        if self.no_log:
            spec["no_log"] = True
        if required if required is not None else self.required:
            spec["required"] = True
        return spec

    def read_from(self, row):
        """This field's value in a wire record: under its read name, else the first
        of ``read_also`` the record holds (None: the record does not say)."""
        for key in self._read_keys:
            if key in row:
                return row[key]
        return None

    def problem(self, value):
        """What keeps ``value`` from being stored as it is, in words (None: nothing)."""
        character = uncarried(value)
        if character:
            return ("%s contains %s, a character no backend can carry (control characters other "
                    "than tab, newline and carriage return, unpaired surrogates, U+FFFE and "
                    "U+FFFF)" % (self.name, character))
        if self.type == "int" and isinstance(value, int) and not isinstance(value, bool):
            lowest, highest = self.value_range
            if not lowest <= value <= highest:
                return "%s %d is outside what the backend stores (%d to %d)" % (
                    self.name, value, lowest, highest)
        if not isinstance(value, str):
            return None
        if self.max_length is not None and len(value) > self.max_length:
            return "%s is %d characters long, more than the %d the backend stores" % (
                self.name, len(value), self.max_length)
        if self.pattern is not None and not self.pattern.fullmatch(value):
            shown = "<secret>" if self.no_log else repr(value)
            return "%s %s %s" % (self.name, shown, self.rule)
        if self.charset is not None:
            found = self.charset.problem(value)
            if found:
                return "%s %s" % (self.name, found)
        return None


def _direction(name, wire, option):
    """A field's name on the wire in one direction: its own, else the field's, else
    the option's; False (for the direction or the field) means it never travels."""
    if name is not None:
        return name or None
    if wire is False:
        return None
    return wire or option


class EntitySpec:
    """An entity: its fields, which one names a record, and its bulk option.

    ``create_needs`` words the refusal of a create that lacks a field the
    backend requires: ``{fields}`` (joined by commas) or ``{fields_and}``
    (joined by "and"), and ``{verb}``, are filled in.
    """

    create_needs = "{fields_and} {verb} required to create it"

    def __init__(self, name, plural, identity, fields, label=None, create_needs=None):
        self.name = name
        self.plural = plural
        self.identity = identity
        self.fields = list(fields)
        self.by_name = {field.name: field for field in self.fields}
        self.label = label or name
        if create_needs is not None:
            self.create_needs = create_needs
        if identity not in self.by_name:
            raise ValueError("identity %r is not a field" % identity)

    @property
    def identities(self):
        """Options any one of which names a record in a task (a subclass may allow more)."""
        return (self.identity,)

    @property
    def as_json(self):
        """The option that takes the bulk list's records as one JSON text."""
        return self.plural + "_json"

    # The field lists below are worked out once a spec: a bulk task asks for them
    # once a record (10,000 times), and a spec's fields never change.
    @functools.cached_property
    def writable(self):
        return [field for field in self.fields if not field.readonly]

    @functools.cached_property
    def read_fields(self):
        """Fields a record read from the backend holds."""
        return [field for field in self.fields if field.read_name]

    @property
    def declarable(self):
        """Fields that a record's declaration (an _info module's ``format: declare``)
        may hold: the identity, and every field a task sets but secrets and what
        the server assigns."""
        return [field for field in self.writable
                if field.name == self.identity or not (field.no_log or field.assigned)]

    @functools.cached_property
    def secret_fields(self):
        return [field.name for field in self.fields if field.no_log]

    @property
    def lookups(self):
        """Fields an _info module takes as options to find records by."""
        return tuple(field.name for field in self.fields if field.lookup)

    @property
    def filters(self):
        """Fields the backend's list can be filtered by: option name -> filter name."""
        return {field.name: field.filter_name for field in self.fields if field.filter_name}

    def record_argument_spec(self):
        """Options of one record of a bulk list: the identity is required there."""
        spec = {field.name: field.argument_spec(required=False) for field in self.writable}
        spec[self.identity]["required"] = True
        # No default: a record without its own state takes the task's.
        spec["state"] = {"type": "str", "choices": ["present", "absent"]}
        return spec

    def desired(self, params):
        """The fields a task (or a bulk record) names: a None value is not named."""
        return {
            field.name: params[field.name]
            for field in self.writable
            if params.get(field.name) is not None
        }

    def key(self, record):
        return record.get(self.identity)

    def normalise(self, name, value):
        field = self.by_name.get(name)
        return field.normalise(value) if field else value

    def problems(self, desired):
        """Every limit a declared record breaks, in words (checked before any write)."""
        # An identity of spaces or nothing names no record; servers answer it with
        # a 400 at best, or store a customer nobody can find again. (The other
        # identities a task may name are fields too, which "" clears.)
        empty = [f"{self.identity} must not be empty"
                 if isinstance(desired.get(self.identity), str)
                 and not desired[self.identity].strip() else None]
        found = (self.by_name[name].problem(value)
                 for name, value in desired.items() if name in self.by_name)
        return [problem for problem in empty + list(found) if problem]

    def missing_on_create(self, desired):
        """What a create needs and the record does not give, as a refusal (None: nothing)."""
        missing = [
            field.name for field in self.fields
            if field.create_requires and self.normalise(field.name, desired.get(field.name))
            in (None, "")
        ]
        if not missing:
            return None
        return self.create_needs.format(
            fields=", ".join(missing),
            fields_and=" and ".join(missing),
            verb="is" if len(missing) == 1 else "are",
        )

    def differences(self, desired, current):
        """Named fields whose normalised desired value differs from the current one."""
        return {
            name: value
            for name, value in desired.items()
            if name != self.identity
            and self.normalise(name, value) != self.normalise(name, current.get(name))
        }

    def public(self, record):
        """A record as it may be shown: secret fields left out."""
        if record is None:
            return None
        secret = self.secret_fields
        return {k: v for k, v in record.items() if k not in secret}
