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

    def validate(self, record):
        if self.fast and isinstance(record, dict):
            plain = _plain(self.spec, record)
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


def _plain(spec, record):
    """The validated record, or None when it is not plain (the full validator decides)."""
    if not set(record) <= set(spec):
        return None
    validated = {}
    for name, option in spec.items():
        if name not in record:
            if option.get("required"):
                return None
            value = option.get("default")
            if isinstance(value, (list, dict)):
                value = copy.deepcopy(value)  # the spec's own default must stay as it is
        else:
            value = record[name]
            if value is None:
                # ansible-core refuses a null where choices are given, and a required one
                if option.get("required") or option.get("choices") is not None:
                    return None
            else:
                value = _value(option, value)
                if value is _NOT_PLAIN:
                    return None
        validated[name] = value
    return validated


_NOT_PLAIN = object()


def _value(option, value):
    kind = option.get("type", "str")
    if kind != "raw" and (not isinstance(value, EXACT[kind])
                          or (kind == "int" and isinstance(value, bool))):
        return _NOT_PLAIN
    choices = option.get("choices")
    if choices is not None:
        given = value if kind == "list" else [value]
        if any(item not in choices for item in given):
            return _NOT_PLAIN
    options = option.get("options")
    if kind == "dict" and options is not None:
        checked = _plain(options, value)
        return _NOT_PLAIN if checked is None else checked
    if kind == "list" and option.get("elements") is not None:
        wanted = EXACT[option["elements"]]
        items = []
        for item in value:
            if not isinstance(item, wanted) or (option["elements"] == "int"
                                                and isinstance(item, bool)):
                return _NOT_PLAIN
            if options is not None:
                item = _plain(options, item)
                if item is None:
                    return _NOT_PLAIN
            items.append(item)
        return items
    return copied(value) if kind in ("list", "dict", "raw") else value


SCALARS = (str, int, float, bool, type(None))


def copied(value):
    """A deep copy of a value as JSON gives it (dicts, lists, scalars), built as
    it is walked: ``copy.deepcopy`` keeps a memo and dispatches on every item's
    type, a twentieth of a bulk task's CPU. Anything else is deepcopy's."""
    kind = type(value)
    if kind in SCALARS:
        return value
    if kind is dict:
        return {key: copied(item) for key, item in value.items()}
    if kind is list:
        return [copied(item) for item in value]
    return copy.deepcopy(value)
