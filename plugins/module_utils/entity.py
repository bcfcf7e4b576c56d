# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Declarative entity specs: one declaration gives argument spec, identity and comparison.

An entity module declares its fields once::

    CUSTOMER = EntitySpec(
        name="customer", plural="customers", identity="sn",
        fields=[Field("sn", required=True), Field("name"), Field("enabled", type="bool")],
    )

and gets from it the module's argument spec (single record and bulk list
alike), the record's identity, and normalised comparison. How a field
travels on the wire is the backend adapter's business, not the spec's.
"""

from __future__ import annotations

import copy


def _identity(value):
    return value


def as_text(value):
    """Normalise a scalar the backend may send as a number or a string."""
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


def as_casefold(value):
    return None if value is None else str(value).casefold()


class Field(object):
    """One option of an entity.

    ``compare`` normalises a value before comparison (applied to desired and
    current alike); ``readonly`` fields are reported but never written;
    ``updatable=False`` fields can be set on create only (a change fails).
    """

    def __init__(
        self,
        name,
        type="str",
        required=False,
        choices=None,
        elements=None,
        options=None,
        no_log=False,
        aliases=None,
        compare=None,
        readonly=False,
        updatable=True,
    ):
        self.name = name
        self.type = type
        self.required = required
        self.choices = choices
        self.elements = elements
        self.options = options
        self.no_log = no_log
        self.aliases = aliases
        self.compare = compare or _identity
        self.readonly = readonly
        self.updatable = updatable

    def argument_spec(self, required=None):
        spec = dict(type=self.type)
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


class EntitySpec(object):
    """An entity: its fields, which one names a record, and its bulk option."""

    def __init__(self, name, plural, identity, fields, label=None):
        self.name = name
        self.plural = plural
        self.identity = identity
        self.fields = list(fields)
        self.by_name = dict((field.name, field) for field in self.fields)
        self.label = label or name
        if identity not in self.by_name:
            raise ValueError("identity %r is not a field" % identity)

    @property
    def identities(self):
        """Options any one of which names a record in a task (a subclass may allow more)."""
        return (self.identity,)

    @property
    def writable(self):
        return [field for field in self.fields if not field.readonly]

    @property
    def secret_fields(self):
        return [field.name for field in self.fields if field.no_log]

    def record_argument_spec(self):
        """Options of one record of a bulk list: the identity is required there."""
        spec = dict((field.name, field.argument_spec(required=False)) for field in self.writable)
        spec[self.identity]["required"] = True
        # No default: a record without its own state takes the task's.
        spec["state"] = dict(type="str", choices=["present", "absent"])
        return spec

    def desired(self, params):
        """The fields a task (or a bulk record) names: a None value is not named."""
        return dict(
            (field.name, params[field.name])
            for field in self.writable
            if params.get(field.name) is not None
        )

    def key(self, record):
        return record.get(self.identity)

    def normalise(self, name, value):
        field = self.by_name.get(name)
        return field.compare(value) if field else value

    def differences(self, desired, current):
        """Named fields whose normalised desired value differs from the current one."""
        return dict(
            (name, value)
            for name, value in desired.items()
            if name != self.identity
            and self.normalise(name, value) != self.normalise(name, current.get(name))
        )

    def public(self, record):
        """A record as it may be shown: secret fields left out."""
        if record is None:
            return None
        return dict((k, v) for k, v in record.items() if k not in self.secret_fields)
