# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""Module runners: what every entity module and every _info module does.

A module file names its backend adapter and its connection options, then
calls ``EntityModule(...).run()`` or ``InfoModule(...).run()``; check mode,
diff, bulk lists, purge and error reporting live here, once. What differs
between backends is asked of the adapter: its spec, its extra task options
and rules (``task_options``, ``task_rules``, ``for_task``), and how an _info
module finds records (``lookups``, ``search_options``, ``search``).
"""

from __future__ import annotations

import json

from ansible.module_utils.basic import AnsibleModule, _load_params, missing_required_lib
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.isp.provisioning.plugins.module_utils.argspec import (
    RecordValidator,
    structures_for_text,
)
from ansible_collections.isp.provisioning.plugins.module_utils.declare import declarations
from ansible_collections.isp.provisioning.plugins.module_utils.errors import ProvisioningError
from ansible_collections.isp.provisioning.plugins.module_utils.http_session import REQUESTS_IMPORT_ERROR
from ansible_collections.isp.provisioning.plugins.module_utils.reconcile import (
    Reconciler,
    ReconcileFailed,
)
from ansible_collections.isp.provisioning.plugins.module_utils.shard import Partition

# A list longer than this is not echoed back in the result's ``invocation``
# (what -vvv shows): at 10,000 records the echo is megabytes that every task
# masks, serialises and sends, and nobody reads.
ECHOED_RECORDS = 1000

BULK_OPTIONS = {
    "purge": {"type": "bool", "default": False},
    "purge_scope": {"type": "dict"},
    "purge_limit": {"type": "int", "default": 10},
    "result_records": {"type": "bool", "default": True},
    "results": {"type": "str", "choices": ["all", "changed"], "default": "all"},
    "purge_shard": {"type": "dict", "options": {
        "index": {"type": "int", "required": True},
        "count": {"type": "int", "required": True},
        "by": {"type": "str"},
        "keep": {"type": "list", "elements": "str", "default": []},
    }},
}


def _require_requests(module):
    if REQUESTS_IMPORT_ERROR is not None:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)


def attempt(work):
    """Run ``work()``; return (result, failure) instead of raising.

    The module fails only after the ``except`` block has ended: ansible-core
    2.19 attaches the exception being handled to ``fail_json`` as a
    traceback, and a user should see one sentence, never a traceback.
    """
    try:
        return work(), None
    except ReconcileFailed as exc:
        return None, exc
    except ProvisioningError as exc:
        return None, ReconcileFailed(str(exc), {})


class _Module(AnsibleModule):
    """An AnsibleModule that masks the secrets inside its list options' records
    wherever it shows them: ansible-core masks only options it knows as secret,
    and it checks a list option's items against no spec of their own (see
    ``EntityModule.records``), so every bulk task logged its records' secret
    fields in clear, and a task it refused at once (two options that exclude
    each other) echoed them too."""

    def __init__(self, secrets_in, record_lists=(), **kwargs):
        self.secrets_in = secrets_in
        # The result's lists of records (its results, an _info module's records):
        # those that no secret can be in skip the masking (see _return_formatted).
        # Named, never any list: ansible-core reads some keys itself (warnings,
        # deprecations, path), and must find them as the module gave them.
        self.record_lists = record_lists
        self._unmasked = {}
        super().__init__(**kwargs)

    def mask_listed(self):
        """Mask the secrets of the records the list options hold now (as given,
        as ansible-core converted them, as decoded from JSON text). Where records
        have secret fields, an item that is no record is masked whole (it may be
        a secret given out of place); where they have none, it is shown, so that
        a refusal names it by its index. Called where the module shows anything:
        its result (a refusal at start-up included) and its log line."""
        for option, names in self.secrets_in.items():
            records = self.params.get(option)
            for record in records if names and isinstance(records, list) else ():
                if isinstance(record, dict):
                    for name in names:
                        self.no_log_values.update(_texts(record.get(name)))
                else:
                    self.no_log_values.update(_texts(record))

    def _return_formatted(self, kwargs):
        self.mask_listed()
        # ansible-core masks a result by copying it value by value (remove_values):
        # half a second for the results of 10,000 records, a third of a no-op's
        # time in the module. A list that holds no secret would come out of it
        # equal, so it is set aside and put back as it is (_record_module_result);
        # one that may hold one is masked as before.
        self._unmasked = {key: kwargs[key] for key in self.record_lists
                          if type(kwargs.get(key)) is list  # pylint: disable=unidiomatic-typecheck
                          and not _may_hold(kwargs[key], self.no_log_values)}
        super()._return_formatted(dict(kwargs, **dict.fromkeys(self._unmasked)))

    def _record_module_result(self, o):
        # (ansible-core grafts a None back where it was: the list takes its place.)
        o.update((key, value) for key, value in self._unmasked.items() if key in o)
        super()._record_module_result(o)

    def _log_invocation(self):
        # The syslog line holds str() of each value, where repr escapes a secret
        # (a backslash, both quotes) past the masking: a list is only counted.
        self.mask_listed()
        params = self.params
        self.params = dict(params, **{
            option: f"({len(params[option])} items)" for option in self.secrets_in
            if isinstance(params.get(option), list)})
        try:
            super()._log_invocation()
        finally:
            self.params = params


def ansible_module(argument_spec, refused, secrets_in=None, json_texts=(), record_lists=(),
                   **rules):
    """The AnsibleModule of a task, failed before anything is sent if a text option
    was given a list or a mapping (which ansible-core would turn into text).
    ``secrets_in``: list option -> the secret fields of its records; ``json_texts``:
    options whose text is JSON (it reads like a list by design: see refused_text);
    ``record_lists``: the result's lists of records."""
    module = _Module(secrets_in or {}, record_lists, argument_spec=argument_spec,
                     supports_check_mode=True, **rules)
    # A converted list or mapping reads "['a']" or "{'a': 1}": only then are the
    # options read again as the task gave them (module.params holds them converted),
    # as that decodes and copies every record of a bulk list once more.
    if any(_looks_converted(module.params.get(name)) for name, option in argument_spec.items()
           if option.get("elements") != "dict" and name not in json_texts):
        refused_text(module, {name: option for name, option in argument_spec.items()
                              if name not in json_texts}, refused)
    return module


def refused_text(module, argument_spec, refused):
    """Fail the task if it gave any of these text options a list or a mapping."""
    problems = structures_for_text(argument_spec, _load_params())
    if problems:
        module.fail_json(msg=refused + "; ".join(problems))


def _connect(module, backend_class):
    backend, failure = attempt(lambda: backend_class.from_module(module))
    if failure:
        module.fail_json(msg=failure.message, **failure.result)
    return backend


class EntityModule:
    """A module that converges one record (its options) or many (a list option)."""

    def __init__(self, backend_class, connection_spec):
        self.backend_class = backend_class
        self.spec = backend_class.spec
        self.connection_spec = connection_spec

    def argument_spec(self):
        spec = {field.name: field.argument_spec(required=False) for field in self.spec.writable}
        spec["state"] = {"type": "str", "choices": ["present", "absent"], "default": "present"}
        spec[self.spec.plural] = {"type": "list", "elements": "dict"}
        # The same list as one JSON text, which a template hands over as it is:
        # ansible-core 2.19 finalizes a templated list value by value before the
        # task runs (a role's shard of 10,000 records cost the controller seconds
        # a task). Secret while it is text, as it holds the records' secrets
        # (escaped as JSON, where masking the secrets themselves would miss them);
        # once read, its records are masked as the list option's are (see given).
        spec[self.spec.as_json] = {"type": "str", "no_log": True}
        spec.update(BULK_OPTIONS)
        spec.update(self.connection_spec)
        spec.update(self.backend_class.task_options)
        return spec

    def module(self):
        lists = [self.spec.plural, self.spec.as_json]
        rules = {key: list(value) for key, value in self.backend_class.task_rules.items()}
        rules.setdefault("required_if", []).extend(
            [("purge", True, ("purge_scope",)), ("purge", True, lists, True)])
        # A task names its record by one of the identities, or gives a list. (UserSide's
        # own rules then say which identity its ``identity`` option wants.)
        rules.setdefault("required_one_of", []).append(list(self.spec.identities) + lists)
        rules.setdefault("mutually_exclusive", []).extend(
            lists + [field.name] for field in self.spec.writable)
        return ansible_module(self.argument_spec(), "nothing was changed: ",
                              secrets_in=dict.fromkeys(lists, self.spec.secret_fields),
                              json_texts=(self.spec.as_json,), record_lists=("results",),
                              **rules)

    def run(self):
        module = self.module()
        _require_requests(module)
        # The adapter may depend on what the task says (UserSide's identity).
        self.backend_class = self.backend_class.for_task(module.params)
        self.spec = self.backend_class.spec
        given = self.given(module)
        records = self.records(module, given)
        purge_scope = self.purge_scope(module, given)
        partition = self.partition(module, given)
        backend = _connect(module, self.backend_class)
        single = given is None
        engine = Reconciler(backend, check_mode=module.check_mode, diff=module._diff,
                            records=single or module.params["result_records"],
                            every=single or module.params["results"] == "all")
        result, failure = attempt(
            lambda: engine.apply(engine.plan(
                records, purge_scope, module.params["purge_limit"], partition))
        )
        for warning in backend.warnings:
            module.warn(warning)
        invocation = self.invocation(module, given)
        if failure:
            module.fail_json(msg=failure.message, **failure.result, **invocation)
        if single:
            result = self.single_result(result)
        module.exit_json(**result, **invocation)

    def list_option(self, module):
        """The option the task gave its records in: the list, or its JSON text."""
        as_json = self.spec.as_json
        return as_json if module.params[as_json] is not None else self.spec.plural

    def given(self, module):
        """The task's records (None: it names one record by its own options).

        Records given as JSON text take the text's place among the task's options
        once read: what a failure or -vvv echoes from there on are the records,
        their secrets masked one by one (see records), never the text.
        """
        params, as_json = module.params, self.spec.as_json
        text = params[as_json]
        if text is None:
            return params[self.spec.plural]
        try:
            records = json.loads(text)
        except (ValueError, RecursionError) as exc:  # (a JSONDecodeError says where, never
            records = exc                               # what it read)
        module.no_log_values.discard(text)
        params[as_json] = records if isinstance(records, list) else None
        if not isinstance(records, list):
            # ansible-core turns a list given for a text into its repr
            refused_text(module, {as_json: {"type": "str"}}, "nothing was changed: ")
            got = records if isinstance(records, Exception) else f"it holds {_kind(records)}"
            module.fail_json(msg=f"nothing was changed: {as_json} must be the JSON text of a "
                                 f"list of records; {got}")
        return records

    def invocation(self, module, given):
        """The echo of the task's options, with a long list only counted (see
        ECHOED_RECORDS): the records, and the identities a purge share keeps
        (a shard's, about as many as it declares, on a registered result the
        controller keeps until the play ends)."""
        args = dict(module.params)
        shard = args["purge_shard"]
        long_records = given is not None and len(given) > ECHOED_RECORDS
        long_keep = shard is not None and len(shard["keep"]) > ECHOED_RECORDS
        if not (long_records or long_keep):
            return {}  # AnsibleModule echoes the options as they are
        if long_records:
            args[self.list_option(module)] = f"({len(given)} records, not echoed)"
        if long_keep:
            args["purge_shard"] = dict(shard, keep=f"({len(shard['keep'])} values, not echoed)")
        return {"invocation": {"module_args": args}}

    def records(self, module, given):
        """(state, desired) pairs: the task's own options, or each item of the list."""
        params = module.params
        if given is None:
            return [(params["state"], self.spec.desired(params))]
        validator = RecordValidator(self.spec.record_argument_spec())
        listed = self.list_option(module)
        records, problems = [], []
        for index, item in enumerate(given):
            # (Its secrets are masked, as the list's are, wherever the module shows it.)
            if not isinstance(item, dict):  # (the list option's: ansible-core's mappings)
                problems.append(f"{listed}[{index}]: a record must be a mapping of "
                                f"options, got {_kind(item)}")
                continue
            checked = validator.validate(item)
            if checked.error_messages:
                problems.append(f"{listed}[{index}]: {'; '.join(checked.error_messages)}")
                continue
            record = checked.validated_parameters
            records.append((record["state"] or params["state"], self.spec.desired(record)))
        if problems:
            module.fail_json(msg="nothing was changed: " + "; ".join(problems),
                             **self.invocation(module, given))
        return records

    def purge_scope(self, module, given):
        params = module.params
        if not params["purge"]:
            return None
        if not given:
            module.fail_json(
                msg="purge refuses to act on an empty %s list: declare at least one record"
                % self.list_option(module), **self.invocation(module, given))
        unknown = sorted(set(params["purge_scope"]) - set(self.spec.by_name))
        if unknown or not params["purge_scope"]:
            module.fail_json(
                msg="purge_scope must name one or more %s fields (%s); got %s" % (
                    self.spec.name, ", ".join(sorted(self.spec.by_name)),
                    ", ".join(unknown) or "none"),
                **self.invocation(module, given))
        return params["purge_scope"]

    def partition(self, module, given):
        """This task's share of a purge that several shards share (None: all of it)."""
        shard = module.params["purge_shard"]
        if shard is None or not module.params["purge"]:
            return None
        try:
            return Partition(self.spec, shard["index"], shard["count"], shard["by"], shard["keep"])
        except ValueError as exc:
            problem = str(exc)
        # (failed after the except block: see attempt)
        return module.fail_json(msg=problem, **self.invocation(module, given))

    def single_result(self, result):
        """A single-record task returns the record itself, not a list of one."""
        item = result.pop("results")[0]
        single = {"changed": result["changed"], self.spec.name: item[self.spec.name]}
        if "diff" in result:
            unchanged = item[self.spec.name] or {}
            diffs = result["diff"]
            single["diff"] = diffs[0] if diffs else {"before": unchanged, "after": unchanged}
        return single


# How an _info module returns records: as they are read, or as the entity module
# takes them (see declare.py).
FORMATS = ["info", "declare"]


class InfoModule:
    """A read-only module: the records the adapter's ``search`` finds for the options
    (by default every record whose fields match the lookups and ``filters``), as
    they are read or, for an entity an entity module writes, as it takes them."""

    def __init__(self, backend_class, connection_spec):
        self.backend_class = backend_class
        self.spec = backend_class.spec
        self.connection_spec = connection_spec

    def argument_spec(self):
        spec = {name: {"type": "str"} for name in self.spec.lookups}
        spec["filters"] = {"type": "dict", "default": {}}
        if self.backend_class.writes():
            spec["format"] = {"type": "str", "choices": FORMATS, "default": FORMATS[0]}
        spec.update(self.backend_class.search_options)
        spec.update(self.connection_spec)
        return spec

    def run(self):
        required = self.backend_class.search_required_one_of
        module = ansible_module(self.argument_spec(), "nothing was read: ",
                                record_lists=(self.spec.plural,),
                                required_one_of=[list(required)] if required else None)
        _require_requests(module)
        unknown = sorted(set(module.params["filters"]) - set(self.spec.by_name))
        if unknown:
            module.fail_json(
                msg="filters can only name %s fields (%s); unknown: %s"
                % (self.spec.name, ", ".join(sorted(self.spec.by_name)), ", ".join(unknown))
            )
        backend = _connect(module, self.backend_class)
        records, failure = attempt(lambda: backend.search(module.params))
        result = {}
        if not failure:
            result = self.shown(records, module.params.get("format"), backend.warnings)
        for warning in backend.warnings:
            module.warn(warning)
        if failure:
            module.fail_json(msg=failure.message)
        module.exit_json(changed=False, **result)

    def shown(self, records, form, warnings):
        """The module's result: the records as the task's ``format`` asks, as read
        (secrets left out), or each declared as the entity module takes it. With
        ``declare``, ``left_out`` says each value a declaration left out (the
        record's identity, the field, the reason), and ``warnings`` too."""
        if form != "declare":
            return {self.spec.plural: [self.spec.public(record) for record in records]}
        declared = declarations(self.spec, records)
        left_out = [dict(item, key=self.spec.key(record))
                    for record, (_declared, items) in zip(records, declared) for item in items]
        warnings.extend("%s %r: %s, so it is left out of the declaration" % (
            self.spec.label, item["key"], item["reason"]) for item in left_out)
        return {self.spec.plural: [item for item, _left_out in declared], "left_out": left_out}


def _texts(value):
    """Every scalar inside ``value`` as text: a secret given as the wrong type (a
    list, a mapping, a number) is echoed in the failure's invocation all the same."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [text for part in value for text in _texts(part)]
    return [str(value)] if value not in (None, "") and not isinstance(value, bool) else []


def _may_hold(value, secrets):
    """Whether ansible-core's masking could change ``value``: False only when it
    is plain JSON (see _plain) and no secret is in its JSON text. That text
    holds every text and number of the value in full, and JSON escapes each
    character on its own, so a secret inside one is inside the text, escaped
    alike. (A match in a key, or across an escape, only costs the masking it
    would have had anyway.) NaN and the infinities are refused: masking reads
    them as "nan" and "inf", JSON writes "NaN" and "Infinity"."""
    if not _plain(value):
        return True
    try:
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError, RecursionError):  # NaN, a huge int, too deep: as before
        return True
    return any(json.dumps(to_native(secret, errors="surrogate_or_strict"))[1:-1] in text
               for secret in secrets)


# What a result's record may hold and still be judged by its JSON text: the
# masking reads a number as str() gives it, and JSON as int's or float's own
# text does, which a subclass (an enum) may tell apart; likewise for texts.
_SCALARS = frozenset((str, int, float, bool, type(None)))


def _plain(value):
    """Whether ``value`` holds only dicts, lists, texts and numbers of exactly
    JSON's own types: the masking compares and replaces a text by its own
    methods, which a subclass of str may change. A dict or list of scalars
    alone is told by the set of its values' types, so a record is checked at
    once, not value by value."""
    stack = [value]
    while stack:
        item = stack.pop()
        values = item.values() if type(item) is dict else item  # pylint: disable=unidiomatic-typecheck
        if set(map(type, values)) <= _SCALARS:
            continue
        for part in values:
            kind = type(part)
            if kind is dict or kind is list:
                stack.append(part)
            elif kind not in _SCALARS:
                return False
    return True


def _kind(value):
    """A JSON value's kind, in words."""
    if value is None:
        return "null"
    return {dict: "a mapping", list: "a list", str: "a text", bool: "true or false"}.get(
        type(value), "a number")


def _looks_converted(value):
    """Whether ``value`` holds a text that reads like a converted list or mapping."""
    if isinstance(value, str):
        return value[:1] in ("[", "{")
    if isinstance(value, dict):
        value = list(value.values())
    return isinstance(value, list) and any(_looks_converted(item) for item in value)
