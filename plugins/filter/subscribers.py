# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The subscriber filters: fan the subscribers out to the backends, and read the plan.

Each filter is documented in its own file beside this one
(``subscriber_records.yml``, ``subscriber_plan.yml``), as ansible-doc looks
for the documentation of a filter under the filter's name.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.isp.provisioning.plugins.module_utils.subscriber import (
    Options,
    fan_out,
    validate,
)
from ansible_collections.isp.provisioning.plugins.module_utils.subscriber_plan import plan


def _validated(subscribers):
    """The subscribers as validated; every problem at once, else nothing goes further."""
    if not isinstance(subscribers, list):
        raise AnsibleFilterError(
            f"the subscribers must be a list of subscriber records, got "
            f"{type(subscribers).__name__}; nothing was sent to any backend")
    valid, problems = validate(subscribers)
    # The argument-spec validator can say one thing twice (one type error per pass).
    problems = list(dict.fromkeys(problems))
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        raise AnsibleFilterError(
            f"the subscribers have {count}; nothing was sent to any backend: "
            + "; ".join(problems))
    return valid


TRUE = ("true", "yes", "on", "1")
FALSE = ("false", "no", "off", "0", "")


def _flag(value, name):
    # A template can hand a boolean over as text ("False"): bool("False") would be true.
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, str) and value.strip().lower() in TRUE + FALSE:
        return value.strip().lower() in TRUE
    raise AnsibleFilterError(f"{name} must be true or false, got {value!r}")


def subscriber_records(subscribers, ipdr_delete_absent=False, billing_suspended_status=None):
    """Subscribers -> each backend's records for its entity module (see the docs file)."""
    options = Options(
        ipdr_delete_absent=_flag(ipdr_delete_absent, "ipdr_delete_absent"),
        billing_suspended_status=str(billing_suspended_status)
        if billing_suspended_status else None,
    )
    return fan_out(_validated(subscribers), options)


def subscriber_plan(fanned, results, subscribers, check_mode=False):
    """The cross-backend plan of a run, from the fan-out and each backend task's result."""
    if not isinstance(fanned, dict) or not isinstance(results, dict):
        raise AnsibleFilterError(
            "subscriber_plan takes the output of subscriber_records and a mapping of "
            "section name to that section's registered task result")
    # The records in `fanned` came from these subscribers: validated again (cheap), as
    # the plan reads each one's state and sections in their validated form.
    return plan(_validated(subscribers), fanned, results,
                check_mode=_flag(check_mode, "check_mode"))


class FilterModule:
    """The subscriber layer's filters."""

    def filters(self):
        return {
            "subscriber_records": subscriber_records,
            "subscriber_plan": subscriber_plan,
        }
