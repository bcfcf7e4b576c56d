# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""The export: each backend's records joined into subscribers, the fan-out undone.

Input is what each backend holds, as its entity module takes it (an _info
module's ``format: declare``): ``{section: [record, ...]}`` for the sections
read (``onu``, ``crm``, ``billing``, ``ipdr``, ``erp``, ``billing_equipment``).

Join rules say which record belongs to which subscriber: a section's ``field``
equals the subscriber ``id``, or a field of another section of the same
subscriber (``billing.custom_fields.onu_sn``). Subscribers are the records of
the ``anchors`` sections (the CRM by default): each anchor record's key is a
subscriber id. A record that matches no subscriber, or two, or that its
subscriber cannot express, goes to the review with the reason, never silently
away.

The inverse is derived from the fan-out's own declarations (``SHARED``): each
backend field's ``parse`` gives the shared facts back, the first section in
:data:`FACT_SOURCES` that says a fact gives it, and every field the fan-out
would compose differently is kept in the section as an override. So
``fan_out(export(records))`` gives back every record exactly (the unit tests
hold it to that): converging an export changes nothing.
"""

from __future__ import annotations

import json

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.isp.provisioning.plugins.module_utils.subscriber import (
    EQUIPMENT,
    SECTIONS,
    SHARED,
    Options,
    Validation,
)
from ansible_collections.isp.provisioning.plugins.module_utils.subscriber_files import (
    Repository,
    file_name,
    review_document,
)
from ansible_collections.isp.provisioning.plugins.module_utils.subscriber_yaml import (
    YAML_IMPORT_ERROR,
)

EVERY = dict(SECTIONS, **{EQUIPMENT.name: EQUIPMENT})
# Which backend's word a shared fact is taken from when several hold it: the CRM
# holds names and addresses in parts, the others as composed text.
FACT_SOURCES = ("crm", "billing", "erp", "ipdr", "onu")
# No backend keys the ONU by the subscriber id: it is found as the serial number of
# the subscriber's billing equipment (SIMPLer keeps the CPE it installed). The
# equipment rides in the billing section of the customer its description names.
DEFAULT_JOIN = {
    "onu": {"field": "sn", "equals": "billing_equipment.serialnumber"},
    EQUIPMENT.name: {"field": "description", "equals": "billing.invoicingid"},
}
DEFAULT_ANCHORS = ("crm",)
SUBSCRIBER_KEYS = ("id", "state", "name", "organisation", "contact", "address")


class JoinError(ValueError):
    """Join rules that cannot be used (said before anything is read)."""


class Rule:
    """``section``'s record belongs to the subscriber whose ``equals`` (``id``, or
    ``<section>.<field>[.<key>]`` of the subscriber's joined records) equals the
    record's ``field``, both compared as the section's backend compares keys."""

    def __init__(self, section, field, equals):
        self.section = section
        self.field = field
        self.equals = equals
        self.path = [] if equals == "id" else equals.split(".")
        self.adapter = EVERY[section].backend(None)  # no client: canonical_key alone

    @property
    def after(self):
        return self.path[0] if self.path else None

    def canonical(self, value):
        if value is None or isinstance(value, (dict, list, bool)):
            return None
        text = str(value).strip()
        if not text:
            return None
        section = EVERY[self.section]
        value = section.spec.normalise(self.field, text)
        if self.field == section.identity or self.field in section.spec.identities:
            # A field that can name the record is compared as the backend compares
            # keys: UserSide folds the case of every natural key (agreement number...).
            return self.adapter.canonical_key(value)
        return value

    def targets(self, subscriber_id, joined):
        """The values a subscriber offers this rule (each of a list's items' too)."""
        if not self.path:
            return [subscriber_id]
        values = [joined.get(self.path[0])]
        for key in self.path[1:]:
            values = [item for value in values
                      for item in (value if isinstance(value, list) else [value])]
            values = [value.get(key) for value in values if isinstance(value, dict)]
        return values

    def says(self):
        return f"{self.section}.{self.field} = " + (
            "the subscriber id" if not self.path else self.equals)


def rules(join=None, anchors=None):
    """The join rules, in the order they are applied, and the anchors, checked.

    ``join``: section -> a field name (equal to the subscriber id) or
    ``{field, equals}``; a section not named keeps its default: its identity
    equals the subscriber id where the fan-out derives it from the id, else
    :data:`DEFAULT_JOIN`.
    """
    anchors = list(DEFAULT_ANCHORS if anchors is None else anchors)
    chosen = {name: {"field": section.identity, "equals": "id"}
              for name, section in SECTIONS.items() if section.default_identity}
    chosen.update(DEFAULT_JOIN)
    for name, given in (join or {}).items():
        if name not in EVERY:
            raise JoinError(f"join: {name} is no section (sections: {', '.join(EVERY)})")
        given = {"field": given, "equals": "id"} if isinstance(given, str) else given
        if not isinstance(given, dict) or set(given) - {"field", "equals"} or \
                not isinstance(given.get("field"), str):
            raise JoinError(f"join.{name}: give a field name, or {{field: ..., equals: ...}}")
        chosen[name] = dict({"equals": "id"}, **given)
    found = {name: Rule(name, r["field"], str(r["equals"])) for name, r in chosen.items()}
    for name in anchors:
        if name not in found or found[name].after is not None:
            raise JoinError(f"anchors: {name} must be a section joined on the subscriber id")
    for rule in found.values():
        if rule.after is not None and (rule.after not in EVERY or rule.after == rule.section
                                       or len(rule.path) < 2):
            raise JoinError(f"join.{rule.section}.equals: {rule.equals!r} is neither id nor "
                            "<another section>.<field>")
    ordered, placed = [], set()
    while len(ordered) < len(found):
        ready = [rule for name, rule in found.items() if name not in placed
                 and (rule.after is None or rule.after in placed)]
        if not ready:
            raise JoinError("join: the rules refer to each other in a circle: "
                            + ", ".join(r.says() for n, r in found.items() if n not in placed))
        ordered.extend(ready)
        placed.update(rule.section for rule in ready)
    return ordered, anchors


class Review:
    """What could not be joined or expressed, by section, with the reason."""

    def __init__(self):
        self.entries = {name: [] for name in EVERY}
        self.counts = {}

    def add(self, section, record, kind, reason):
        key = record.get(EVERY[section].identity)
        self.entries[section].append({"key": key, "problem": kind, "reason": reason,
                                      "record": _sorted(record)})
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def sorted(self):
        # Twins (the same key, the same reason) in the order of their whole record:
        # the same file whatever order the backend lists them in.
        return {name: sorted(items, key=lambda e: (str(e["key"]), e["reason"],
                                                   json.dumps(e["record"], sort_keys=True,
                                                              default=str)))
                for name, items in self.entries.items() if items}


def export(records, join=None, anchors=None, options=None, left_out=None):
    """(subscribers sorted by id, review by section, summary) from each section's records.

    ``options``: the role's fan-out options (subscriber.Options) the repository
    will be converged with: a state they set is read back as that state.
    ``left_out``: section -> the values the _info module left out of its
    declarations (its ``left_out``), each reviewed with its record."""
    options = options or Options()
    ordered, anchors = rules(join, anchors)
    if not any(name in records for name in anchors):
        # Every record would be unmatched: a backend not configured, most likely.
        raise JoinError(f"no anchor section ({', '.join(anchors)}) was read: its records are "
                        "the subscribers (configure its connection, or name others as anchors)")
    review = Review()
    records = {name: [_without_secrets(name, r) for r in records.get(name) or []]
               for name in EVERY if name in records}
    _review_left_out(records, left_out or {}, review)
    joined = {}  # subscriber id -> {section: record, or a list for equipment}
    for name in anchors:
        rule = next(r for r in ordered if r.section == name)
        for record in records.get(name, []):
            key = record.get(rule.field)
            if rule.canonical(key) is not None:
                joined.setdefault(str(key).strip(), {})
    for rule in ordered:
        if rule.section in records:
            _join(rule, records[rule.section], joined, review)
    subscribers = []
    validation = Validation()
    # Windows and macOS file systems ignore case: SUB-1.yml and sub-1.yml are one file.
    folded = {}
    for subscriber_id in joined:
        folded.setdefault((file_name(subscriber_id) or "").casefold(), []).append(subscriber_id)
    for subscriber_id in sorted(joined):
        subscriber, used = compose(subscriber_id, joined[subscriber_id], review, options)
        if subscriber is None:
            continue
        before = len(validation.problems)
        checked = validation.check(_validatable(subscriber), f"{subscriber_id}.yml")
        why = "; ".join(validation.problems[before:])
        name = file_name(subscriber_id)
        twins = sorted(set(folded.get((name or "").casefold(), [])) - {subscriber_id})
        if name is None:
            checked, why = None, f"its id {subscriber_id!r} cannot be a file name"
        elif twins:
            checked, why = None, (f"its file {name} is that of {', '.join(twins)} on a file "
                                  "system that ignores case")
        if checked is None:
            for name, record in used:
                review.add(name, record, "invalid", f"its subscriber cannot be written: {why}")
            continue
        subscribers.append(subscriber)
    summary = dict({"subscribers": len(subscribers)},
                   **{kind: review.counts.get(kind, 0)
                      for kind in ("unmatched", "ambiguous", "conflict", "invalid",
                                   "left_out")})
    return subscribers, review.sorted(), summary


def _without_secrets(name, record):
    """A declaration holds no secret; a record from elsewhere loses any here."""
    secret = set(EVERY[name].spec.secret_fields)
    return {k: v for k, v in record.items() if k not in secret and v is not None}


def _review_left_out(records, left_out, review):
    """Each value a declaration left out, reviewed with its record: the repository
    does not say it, and the converge leaves it as the backend holds it."""
    for name, items in sorted(left_out.items()):
        identity = EVERY[name].spec.identity  # the _info module's key
        by_key = {str(record.get(identity)): record for record in records.get(name, [])}
        for item in items:
            record = by_key.get(str(item.get("key")), {identity: item.get("key")})
            review.add(name, record, "left_out",
                       f"its {item.get('field')} is not in the repository: {item.get('reason')} "
                       "(the converge leaves it as the backend holds it)")


def _join(rule, section_records, joined, review):
    offers = {}  # canonical key -> subscriber ids offering it
    for subscriber_id, sections in joined.items():
        for key in {rule.canonical(value) for value in rule.targets(subscriber_id, sections)}:
            if key is not None:
                offers.setdefault(key, []).append(subscriber_id)
    # The keys the records reviewed before would have offered (a billing record
    # that matched two subscribers): what joins through them says so.
    reviewed = {rule.canonical(value) for entry in review.entries.get(rule.after, [])
                for value in rule.targets(None, {rule.after: entry["record"]})}
    claims = {}  # subscriber id -> this section's records matching it
    for record in section_records:
        key = rule.canonical(record.get(rule.field))
        if key is None:
            review.add(rule.section, record, "unmatched",
                       f"no {rule.field}, which the join rule {rule.says()} reads")
            continue
        owners = offers.get(key, [])
        if not owners and key in reviewed:
            review.add(rule.section, record, "unmatched",
                       f"the {rule.after} record it joins through is in this review, left "
                       f"out of its subscriber ({rule.says()})")
        elif not owners:
            review.add(rule.section, record, "unmatched",
                       f"no subscriber matches it ({rule.says()})")
        elif len(owners) > 1:
            review.add(rule.section, record, "ambiguous",
                       f"subscribers {', '.join(sorted(owners))} all match it ({rule.says()})")
        else:
            claims.setdefault(owners[0], []).append(record)
    for subscriber_id, matched in claims.items():
        if rule.section == EQUIPMENT.name:
            joined[subscriber_id][rule.section] = sorted(
                matched, key=lambda r: str(r.get(EQUIPMENT.identity)))
        elif len(matched) > 1:
            for record in matched:
                review.add(rule.section, record, "ambiguous",
                           f"{len(matched)} {rule.section} records match subscriber "
                           f"{subscriber_id} ({rule.says()})")
        else:
            joined[subscriber_id][rule.section] = matched[0]


# --- one subscriber: the fan-out undone ----------------------------------------------
def compose(subscriber_id, sections, review, options):
    """(the subscriber record whose fan-out gives back exactly these sections' records,
    the (section, record) pairs it holds); (None, []) when nothing of it could be
    expressed. What cannot be is put in the review."""
    sections = dict(sections)
    equipment = sections.pop(EQUIPMENT.name, None)
    if equipment and "billing" not in sections:
        for record in equipment:
            review.add(EQUIPMENT.name, record, "unmatched",
                       f"subscriber {subscriber_id} has no billing record, which its "
                       "equipment would ride in")
        equipment = None
    state = _state(subscriber_id, sections, review, options)
    facts = _facts(sections)
    while True:
        subscriber = _subscriber(subscriber_id, state, facts)
        unsaid = [(name, field) for name, record in sections.items()
                  for field, shared in SHARED[name].items()
                  if field not in record and shared(subscriber) is not None]
        dropped = {group for name, field in unsaid
                   for group in _groups_behind(SHARED[name][field], subscriber_id, state, facts)}
        if not dropped:
            break
        # A backend that does not hold a fact the others hold: the fact cannot be
        # shared, or the fan-out would add it there. Each backend keeps its own.
        facts = {path: value for path, value in facts.items() if _group(path) not in dropped}
    for name, field in unsaid:  # only what no fact explains (a default type, say)
        if name in sections:
            review.add(name, sections.pop(name), "conflict",
                       f"holds no {field}, which the fan-out would set; left out of "
                       f"subscriber {subscriber_id}")
    bodies = {}
    for name, record in sections.items():
        body = _body(SECTIONS[name], record, subscriber, options)
        if body is None:
            field, value = _missing_default(SECTIONS[name], subscriber, record, options)
            review.add(name, record, "conflict",
                       f"holds no {field}, which the fan-out would set to {value!r}; "
                       f"left out of subscriber {subscriber_id}")
            continue
        bodies[name] = body
    if not bodies:
        return None, []
    used = [(name, sections[name]) for name in bodies]
    if equipment and "billing" in bodies:
        bodies["billing"]["equipment"] = [_sorted(item) for item in equipment]
        used.extend((EQUIPMENT.name, item) for item in equipment)
    elif equipment:
        for record in equipment:
            review.add(EQUIPMENT.name, record, "unmatched",
                       f"the billing record of subscriber {subscriber_id} was left out")
    written = {key: value for key, value in subscriber.items()
               if key in SUBSCRIBER_KEYS and value is not None}
    if written["state"] == "active":
        del written["state"]  # the default
    written.update((name, bodies[name]) for name in SECTIONS if name in bodies)
    return written, used


def _state(subscriber_id, sections, review, options):
    """The subscriber's state, as the sections' lifecycle fields say it. A section
    whose fields say no state, or another state than the rest, is left out.

    A field the options set for a suspended subscriber alone (SIMPLer's status,
    ``billing_suspended_status``) says the state only where no lifecycle does;
    under a suspended subscriber, a record holding another value is left out."""
    says = {}
    for name in list(sections):
        lifecycle = SECTIONS[name].lifecycle
        if not lifecycle:
            continue
        record = sections[name]
        found = [state for state, owned in lifecycle.items() if _holds(record, owned)]
        if found:
            says[name] = found[0]
        else:
            held = ", ".join(f"{field}: {record.get(field)!r}"
                             for field in SECTIONS[name].owned)
            review.add(name, sections.pop(name), "conflict",
                       f"{held} is no subscriber state ({_states(lifecycle)}); left out of "
                       f"subscriber {subscriber_id}")
    optional = {name: _option_set(SECTIONS[name], options) for name in sections}
    optional = {name: owned for name, owned in optional.items() if owned}
    if not says:
        says = {name: "suspended" for name, owned in optional.items()
                if _holds(sections[name], owned)}
    state = "suspended" if says and set(says.values()) == {"suspended"} else "active"
    for name, said in says.items():
        if said != state:
            others = ", ".join(f"{n} {s}" for n, s in says.items() if s == state)
            review.add(name, sections.pop(name), "conflict",
                       f"says {said} where {others}; left out of subscriber {subscriber_id}")
    for name, owned in optional.items() if state == "suspended" else ():
        if name in sections and not _holds(sections[name], owned):
            held = ", ".join(f"{field}: {sections[name].get(field)!r}" for field in owned)
            wanted = ", ".join(f"{field}: {value!r}" for field, value in owned.items())
            review.add(name, sections.pop(name), "conflict",
                       f"holds {held} where the subscriber is suspended, which the fan-out "
                       f"would set to {wanted}; left out of subscriber {subscriber_id}")
    return state


def _holds(record, fields):
    return all(record.get(field) == value for field, value in fields.items())


def _option_set(section, options):
    """The fields the options set on a suspended subscriber's record beyond its
    section's own lifecycle."""
    own = section.lifecycle.get("suspended", {})
    return {field: value for field, value in options.lifecycle(section, "suspended").items()
            if field not in own}


def _states(lifecycle):
    return "; ".join(f"{state}: " + ", ".join(f"{k}: {v!r}" for k, v in owned.items())
                     for state, owned in lifecycle.items())


WHO = ("organisation", "name")


def _facts(sections):
    """Shared facts by path, each from the first of FACT_SOURCES that says it."""
    facts = {}
    for name in FACT_SOURCES:
        record = sections.get(name)
        for field, shared in SHARED[name].items() if record else ():
            if field not in record:
                continue
            for path, value in shared.parse(record[field], record).items():
                group = _group(path)
                rival = next((g for g in WHO if g != group), None) if group in WHO else None
                if rival and any(_group(p) == rival for p in facts):
                    continue  # a person's name and an organisation: the first source's
                facts.setdefault(path, value)
    return facts


def _group(path):
    """What is dropped together: a person's name whole, any other fact alone."""
    return "name" if path.startswith("name.") else path


def _groups_behind(shared, subscriber_id, state, facts):
    """The fact groups whose removal changes what ``shared`` composes."""
    now = shared(_subscriber(subscriber_id, state, facts))
    return {group for group in {_group(p) for p in facts}
            if shared(_subscriber(subscriber_id, state, {
                p: v for p, v in facts.items() if _group(p) != group})) != now}


def _subscriber(subscriber_id, state, facts):
    subscriber = {"id": subscriber_id, "state": state, "name": None, "organisation": None,
                  "contact": None, "address": None}
    for path, value in sorted(facts.items()):
        if "." in path:
            group, part = path.split(".")
            subscriber[group] = dict(subscriber[group] or {}, **{part: value})
        else:
            subscriber[path] = value
    return subscriber


def _body(section, record, subscriber, options):
    """The section: the record's fields the fan-out would not give as they are
    (None: a field it would set that the record does not hold)."""
    if _missing_default(section, subscriber, record, options):
        return None
    subscriber_id = subscriber["id"]
    composed = {field: shared(subscriber) for field, shared in SHARED[section.name].items()}
    stated = options.lifecycle(section, subscriber["state"])
    body = {}
    for field, value in record.items():
        if field in section.owned or field in stated:
            continue  # the subscriber's state says it (_state checked it says this)
        if section.identity in record and getattr(section.spec.by_name.get(field), "assigned",
                                                  False):
            # The CRM's customerid, beside the uniqueid that names the record: the
            # server's to give, and one that no longer exists fails the converge.
            continue
        if field == section.identity and section.default_identity \
                and value == section.default_identity(subscriber_id):
            continue
        if field in section.defaults and value == section.defaults[field](subscriber_id):
            continue
        if field in composed and composed[field] == value:
            continue
        body[field] = value
    return _sorted(body)


def _missing_default(section, subscriber, record, options):
    """(a field the fan-out would set that the record does not hold, the value it
    would set); None when it holds them all. A record joined by another field
    that lacks its identity is one: the fan-out would name it by the subscriber
    id, and the converge create a second record beside it."""
    subscriber_id = subscriber["id"]
    derived = {field: default(subscriber_id) for field, default in section.defaults.items()}
    if section.default_identity:
        derived[section.identity] = section.default_identity(subscriber_id)
    derived.update(options.lifecycle(section, subscriber["state"]))
    return next(((field, value) for field, value in derived.items() if field not in record),
                None)


def _sorted(value):
    """Mappings with their keys sorted, all the way down: a stable file."""
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def _validatable(subscriber):
    """A copy the validation may fill in (it sets defaults in the sections)."""
    return {key: (dict(value) if isinstance(value, dict) else value)
            for key, value in subscriber.items()}


# --- the module -------------------------------------------------------------------------
def export_repository(module):
    """subscriber_export: export, then write what changed (nothing in check mode)."""
    if YAML_IMPORT_ERROR:
        module.fail_json(msg=missing_required_lib("PyYAML"), exception=YAML_IMPORT_ERROR)
    params = module.params
    review_file = params["review_file"] or params["path"].rstrip("/\\") + ".review.yml"
    unknown = sorted((set(params["records"]) | set(params["left_out"])) - set(EVERY))
    if unknown:
        module.fail_json(msg=f"records, left_out: {', '.join(unknown)} is no section "
                             f"(sections: {', '.join(EVERY)})")
    shapeless = sorted(name for name, items in params["records"].items()
                       if not isinstance(items, list)
                       or not all(isinstance(item, dict) for item in items))
    if shapeless:
        module.fail_json(msg=f"records: {', '.join(shapeless)} must be a list of records "
                             "(mappings), as an _info module's format=declare returns them")
    try:
        repository = Repository(params["path"], review_file)
        options = Options(billing_suspended_status=params["billing_suspended_status"])
        subscribers, review, summary = export(params["records"], params["join"],
                                              params["anchors"], options, params["left_out"])
    except ValueError as problem:  # JoinError too
        module.fail_json(msg=str(problem))
    changes, stale, in_lists = repository.plan(subscribers, review_document(review, summary))
    result = {"changed": bool(changes), "summary": summary, "written": sorted(changes),
              "stale": stale, "in_lists": in_lists, "review_file": repository.review_file}
    if module._diff:  # pylint: disable=protected-access
        result["diff"] = repository.diff(changes)
    if not module.check_mode:
        repository.write(changes)
    module.exit_json(**result)
