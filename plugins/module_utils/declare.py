# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""A record the backend holds, declared as its entity module takes it.

What an _info module returns with ``format: declare``: one item of the entity
module's bulk list per record, so that feeding the list back into the entity
module changes nothing (and a subscriber repository can start from it).
Derived from the field declarations alone (``EntitySpec.declarable``): the
identity and every field a task sets, each value in its option's type;
read-only, server-assigned and secret fields left out, and unset values too
(a field a task leaves out is never touched, so nothing is lost by it).
"""

from __future__ import annotations

from ansible_collections.isp.provisioning.plugins.module_utils.values import as_int, as_text, flag


def declarations(spec, records):
    """Each record as one item of the entity module's bulk list takes it, with what
    was left out of it and why: a value the module would refuse (none of its
    choices, beyond a limit of the field) is left out, so the record is not
    refused whole. [(declaration, [{"field": name, "reason": words}, ...]), ...]
    (the reason names the value: a declarable field is never a secret one)."""
    # The options' specs once for all the records (an export may hold 10,000).
    options = [(field, field.argument_spec()) for field in spec.declarable]
    return [_declared(spec.identity, options, record) for record in records]


def declaration(spec, record):
    """One record's (declaration, what was left out of it): see declarations."""
    return declarations(spec, [record])[0]


def _declared(identity, options, record):
    declared, left_out = {}, []
    for field, option in options:
        value = as_option(option, record.get(field.name))
        if value is None:
            continue
        if field.name != identity:
            problem = outside_choices(field.name, option, value) or field.problem(value)
            if problem:
                left_out.append({"field": field.name, "reason": problem})
                continue
        declared[field.name] = value
    return declared, left_out


def as_option(option, value):
    """``value`` as the option (an argument spec entry) takes it; None when unset
    (None, "", or a list or mapping of nothing but unset values)."""
    if value is None:
        return None
    kind = option.get("type", "str")
    if kind == "list":
        element = {"type": option.get("elements", "str"), "options": option.get("options")}
        items = [as_option(element, item) for item in _listed(value)]
        return [item for item in items if item is not None] or None
    if kind == "dict":
        if not isinstance(value, dict):
            return None
        # Parts the option declares take their own type; free keys (custom fields) are text.
        parts = option.get("options")
        kept = {key: as_option(parts[key] if parts else {}, item)
                for key, item in value.items() if not parts or key in parts}
        return {key: item for key, item in kept.items() if item is not None} or None
    if kind == "bool":
        return value if isinstance(value, bool) else flag(value)
    if kind == "int":
        return as_int(value)
    text = as_text(value)
    return None if text == "" else text


def outside_choices(name, option, value):
    """Why ``value`` is none of the option's choices (None: it is one, or there are none)."""
    choices = option.get("choices")
    if choices is None or value in choices:
        return None
    return "%s %r is none of the entity module's choices (%s)" % (
        name, value, ", ".join(map(str, choices)))


def _listed(value):
    return value if isinstance(value, (list, tuple)) else [value]
