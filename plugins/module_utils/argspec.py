# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""Argument-spec validation of many records: ansible-core's answer, at a list's speed.

``ArgumentSpecValidator`` deep-copies every record, resolves aliases, fills
fallbacks and runs a dozen checks: about 0.1 ms a record, 20 s for the
200,000 subscribers of a large ISP (each with several sections). Almost
every record is plain - each value already of its option's type - and for
those the answer is known without conversions: the given values, the
defaults of options left out, None for the others.

:class:`RecordValidator` answers a plain record itself and hands any other
(a value to convert, an alias, an unknown key, a missing required option)
to ``ArgumentSpecValidator``, so that its conversions, warnings and words
stay the only ones. The unit tests hold the two to the same answers.
"""

from __future__ import annotations

import copy

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

# Option types whose valid values are exactly these Python types (bool is an int
# to Python, not to the validator).
EXACT = {"str": (str,), "int": (int,), "float": (float,), "bool": (bool,),
         "list": (list,), "dict": (dict,)}
# Option keys the fast path does not handle: the full validator decides.
INVOLVED = frozenset(("aliases", "fallback", "apply_defaults", "mutually_exclusive",
                      "required_together", "required_one_of", "required_if", "required_by",
                      "deprecated_aliases", "removed_in_version", "removed_at_date"))


class Plain:
    """The validator's result for a record that needed nothing but defaults."""

    errors = ()
    error_messages = ()

    def __init__(self, validated):
        self.validated_parameters = validated


class TextGivenStructure(ValueError):
    """A text option given a list or a mapping (see :func:`structures_for_text`)."""


class Refused:
    """The validator's result for a record with a list or a mapping where text
    belongs: those problems after whatever else the full validator found."""

    def __init__(self, problems, checked):
        self.errors = list(checked.errors) + [TextGivenStructure(p) for p in problems]
        self.error_messages = [str(error) for error in self.errors]
        self.validated_parameters = checked.validated_parameters


def structures_for_text(spec, record, prefix=""):
    """Where a text option (or a list of texts) was given a list or a mapping.

    ansible-core turns either into its Python repr (``sn: [a]`` becomes the
    serial "['a']"), and that would be written to the backend. One message
    for each, naming the option as the record gave it.
    """
    problems = []
    for name, option in spec.items():
        for given in [name] + list(option.get("aliases") or ()):
            value = record.get(given)
            kind = option.get("type", "str")
            if kind == "str" and isinstance(value, (list, dict)):
                problems.append(f"{prefix}{given} must be text, got {_shape(value)}")
            elif kind == "list" and option.get("elements") == "str" and isinstance(value, list):
                problems.extend(f"{prefix}{given}[{index}] must be text, got {_shape(item)}"
                                for index, item in enumerate(value)
                                if isinstance(item, (list, dict)))
            elif kind == "dict" and option.get("options") and isinstance(value, dict):
                problems.extend(structures_for_text(option["options"], value, f"{prefix}{given}."))
            elif kind == "list" and option.get("options") and isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, dict):
                        problems.extend(structures_for_text(
                            option["options"], item, f"{prefix}{given}[{index}]."))
    return problems


def _shape(value):
    return "a list" if isinstance(value, list) else "a mapping"


class RecordValidator:
    """Validates records against one argument spec; build it once, use it per record."""

    def __init__(self, spec):
        self.spec = spec
        self.full = ArgumentSpecValidator(spec)
        self.fast = all(_simple(option) for option in spec.values())
        self.shape = _Shape(spec) if self.fast else None

    def validate(self, record):
        if self.shape is not None and isinstance(record, dict):
            plain = self.shape.plain(record)
            if plain is not None:
                return Plain(plain)  # every text is text: nothing to look for below
        checked = self.full.validate(record)
        problems = structures_for_text(self.spec, record) if isinstance(record, dict) else []
        return Refused(problems, checked) if problems else checked


def _simple(option):
    if INVOLVED & set(option) or option.get("type", "str") not in EXACT and option.get(
            "type") != "raw":
        return False
    elements = option.get("elements")
    if elements is not None and elements not in EXACT:
        return False
    options = option.get("options")
    return options is None or all(_simple(sub) for sub in options.values())


# Values that copy.deepcopy gives back as they are.
ATOMIC = (str, int, float, bool)
_NOT_PLAIN = object()


class _Shape:
    """An argument spec, read once, for answering plain records (:meth:`plain`).

    Reading the spec's every option for every record (its type, default,
    choices...) was most of the cost of a plain record: a section's spec holds
    dozens of options, a record a few of them.
    """

    def __init__(self, spec):
        self.names = frozenset(spec)
        self.required = frozenset(name for name, option in spec.items() if option.get("required"))
        # In the spec's order, which the validated record keeps.
        self.defaults = {name: option.get("default") for name, option in spec.items()}
        self.copied_defaults = tuple(name for name, value in self.defaults.items()
                                     if isinstance(value, (list, dict)))
        self.options = {name: _Option(option) for name, option in spec.items()}

    def plain(self, record):
        """The validated record, or None when it is not plain (the full validator decides)."""
        if not self.names.issuperset(record) or not self.required.issubset(record):
            return None
        validated = dict(self.defaults)
        for name in self.copied_defaults:
            if name not in record:
                validated[name] = copied(validated[name])  # the spec's own stays as it is
        options = self.options
        for name, value in record.items():
            value = options[name].plain(value)
            if value is _NOT_PLAIN:
                return None
            validated[name] = value
        return validated


class _Option:
    """One option of a :class:`_Shape`."""

    def __init__(self, option):
        kind = option.get("type", "str")
        self.types = None if kind == "raw" else EXACT[kind]
        self.whole = kind == "int"  # bool is an int to Python, not to the validator
        # ansible-core refuses a null where choices are given, and a required one; one
        # where a default is given it checks as a value of the type (left to it)
        self.null_refused = (bool(option.get("required")) or option.get("choices") is not None
                             or option.get("default") is not None)
        self.choices = option.get("choices")
        self.listed = kind == "list"
        options = option.get("options")
        self.mapping = _Shape(options) if kind == "dict" and options is not None else None
        elements = option.get("elements") if kind == "list" else None
        self.elements = EXACT[elements] if elements is not None else None
        self.whole_elements = elements == "int"
        self.items = _Shape(options) if elements is not None and options is not None else None
        self.copied = kind in ("list", "dict", "raw")

    def plain(self, value):
        """The validated value, or _NOT_PLAIN."""
        if value is None:
            return _NOT_PLAIN if self.null_refused else None
        if self.types is not None and (not isinstance(value, self.types)
                                       or (self.whole and isinstance(value, bool))):
            return _NOT_PLAIN
        if self.choices is not None and any(
                item not in self.choices for item in (value if self.listed else [value])):
            return _NOT_PLAIN
        if self.mapping is not None:
            checked = self.mapping.plain(value)
            return _NOT_PLAIN if checked is None else checked
        if self.elements is not None:
            return self._items(value)
        if self.copied and type(value) not in ATOMIC:
            return copied(value)
        return value

    def _items(self, value):
        items = []
        for item in value:
            if not isinstance(item, self.elements) or (self.whole_elements
                                                       and isinstance(item, bool)):
                return _NOT_PLAIN
            if self.items is not None:
                item = self.items.plain(item)
                if item is None:
                    return _NOT_PLAIN
            items.append(item)
        return items


def copied(value):
    """copy.deepcopy of a structure, done plainly for the maps, lists and scalars a
    record is made of (deepcopy's bookkeeping cost most of copying a section); one
    that holds itself or anything else is deepcopy's."""
    try:
        return _plain_copy(value)
    except (_NotPlainData, RecursionError):
        return copy.deepcopy(value)


class _NotPlainData(Exception):
    """A value _plain_copy leaves to copy.deepcopy."""


def _plain_copy(value):
    kind = type(value)
    if kind is dict:
        return {key if type(key) in ATOMIC else _plain_copy(key): _plain_copy(item)
                for key, item in value.items()}
    if kind is list:
        return [_plain_copy(item) for item in value]
    if kind in ATOMIC or value is None:
        return value
    raise _NotPlainData()
