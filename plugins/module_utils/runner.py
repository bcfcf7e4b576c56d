# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Module runners: what every entity module and every _info module does.

A module file declares its entity spec, its backend adapter and its
connection options, then calls ``EntityModule(...).run()`` or
``InfoModule(...).run()``; check mode, diff, bulk lists, purge and error
reporting live here, once.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.isp.provisioning.plugins.module_utils.backend import matches
from ansible_collections.isp.provisioning.plugins.module_utils.errors import ProvisioningError
from ansible_collections.isp.provisioning.plugins.module_utils.http_session import REQUESTS_IMPORT_ERROR
from ansible_collections.isp.provisioning.plugins.module_utils.reconcile import (
    Reconciler,
    ReconcileFailed,
)

BULK_OPTIONS = dict(
    purge=dict(type="bool", default=False),
    purge_scope=dict(type="dict"),
    purge_limit=dict(type="int", default=10),
)


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


def _connect(module, backend_class):
    backend, failure = attempt(lambda: backend_class.from_module(module))
    if failure:
        module.fail_json(msg=failure.message, **failure.result)
    return backend


class EntityModule(object):
    """A module that converges one record (its options) or many (a list option)."""

    def __init__(self, backend_class, connection_spec, extra_spec=None):
        self.backend_class = backend_class
        self.spec = backend_class.spec
        self.connection_spec = connection_spec
        self.extra_spec = extra_spec or {}

    def argument_spec(self):
        spec = dict(
            (field.name, field.argument_spec(required=False)) for field in self.spec.writable
        )
        spec["state"] = dict(type="str", choices=["present", "absent"], default="present")
        spec[self.spec.plural] = dict(type="list", elements="dict")
        spec.update(BULK_OPTIONS)
        spec.update(self.connection_spec)
        spec.update(self.extra_spec)
        return spec

    def run(self):
        plural = self.spec.plural
        module = AnsibleModule(
            argument_spec=self.argument_spec(),
            supports_check_mode=True,
            required_one_of=[list(self.spec.identities) + [plural]],
            mutually_exclusive=[[plural, field.name] for field in self.spec.writable],
            required_if=[("purge", True, (plural, "purge_scope"))],
        )
        _require_requests(module)
        records = self.records(module)
        purge_scope = self.purge_scope(module)
        backend = _connect(module, self.backend_class)
        engine = Reconciler(backend, check_mode=module.check_mode, diff=module._diff)
        result, failure = attempt(
            lambda: engine.apply(engine.plan(records, purge_scope, module.params["purge_limit"]))
        )
        for warning in backend.warnings:
            module.warn(warning)
        if failure:
            module.fail_json(msg=failure.message, **failure.result)
        if module.params[plural] is None:
            result = self.single_result(result)
        module.exit_json(**result)

    def records(self, module):
        """(state, desired) pairs: the task's own options, or each item of the list."""
        params = module.params
        if params[self.spec.plural] is None:
            return [(params["state"], self.spec.desired(params))]
        validator = ArgumentSpecValidator(self.spec.record_argument_spec())
        records, problems = [], []
        for index, item in enumerate(params[self.spec.plural]):
            checked = validator.validate(item)
            if checked.error_messages:
                problems.append(
                    "%s[%d]: %s" % (self.spec.plural, index, "; ".join(checked.error_messages))
                )
                continue
            record = checked.validated_parameters
            module.no_log_values.update(
                str(record[name]) for name in self.spec.secret_fields if record.get(name)
            )
            records.append((record["state"] or params["state"], self.spec.desired(record)))
        if problems:
            module.fail_json(msg="nothing was changed: " + "; ".join(problems))
        return records

    def purge_scope(self, module):
        params = module.params
        if not params["purge"]:
            return None
        if not params[self.spec.plural]:
            module.fail_json(
                msg="purge refuses to act on an empty %s list: declare at least one record"
                % self.spec.plural
            )
        unknown = sorted(set(params["purge_scope"]) - set(self.spec.by_name))
        if unknown or not params["purge_scope"]:
            module.fail_json(
                msg="purge_scope must name one or more %s fields (%s); got %s"
                % (
                    self.spec.name,
                    ", ".join(sorted(self.spec.by_name)),
                    ", ".join(unknown) or "none",
                )
            )
        return params["purge_scope"]

    def single_result(self, result):
        """A single-record task returns the record itself, not a list of one."""
        item = result.pop("results")[0]
        single = {"changed": result["changed"], self.spec.name: item[self.spec.name]}
        if "diff" in result:
            unchanged = item[self.spec.name] or {}
            diffs = result["diff"]
            single["diff"] = diffs[0] if diffs else {"before": unchanged, "after": unchanged}
        return single


class InfoModule(object):
    """A read-only module: every record, or those whose fields match the given options.

    A backend that cannot list every record overrides :meth:`records` (and
    ``required_one_of``, to demand a lookup).
    """

    required_one_of = None

    def __init__(self, backend_class, connection_spec, lookups):
        self.backend_class = backend_class
        self.spec = backend_class.spec
        self.connection_spec = connection_spec
        self.lookups = lookups

    def argument_spec(self):
        spec = dict((name, dict(type="str")) for name in self.lookups)
        spec["filters"] = dict(type="dict", default={})
        spec.update(self.connection_spec)
        return spec

    def run(self):
        module = AnsibleModule(
            argument_spec=self.argument_spec(),
            supports_check_mode=True,
            required_one_of=self.required_one_of,
        )
        _require_requests(module)
        unknown = sorted(set(module.params["filters"]) - set(self.spec.by_name))
        if unknown:
            module.fail_json(
                msg="filters can only name %s fields (%s); unknown: %s"
                % (self.spec.name, ", ".join(sorted(self.spec.by_name)), ", ".join(unknown))
            )
        backend = _connect(module, self.backend_class)
        records, failure = attempt(lambda: self.records(backend, module.params))
        for warning in backend.warnings:
            module.warn(warning)
        if failure:
            module.fail_json(msg=failure.message)
        module.exit_json(changed=False, **{self.spec.plural: [self.spec.public(r) for r in records]})

    def records(self, backend, params):
        """The records that the lookups and ``filters`` select, from one read of them all."""
        selector = dict(params["filters"])
        selector.update((name, params[name]) for name in self.lookups if params[name] is not None)
        return [record for record in backend.all_records() if matches(record, selector)]
