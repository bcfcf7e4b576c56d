#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: onu_customer
short_description: Manage customers (ONUs) on a RAISEPON ONU provisioning server
version_added: 0.1.0
description:
  - Creates, updates and deletes customers on a RAISEPON 2.0 ONU provisioning
    server, the system that brings a subscriber's fibre terminal (ONU) online
    on a Raisecom GPON/EPON OLT.
  - A customer is known by its ONU serial number O(sn).
  - One task manages one customer (its options), or many (O(customers)) with
    a single read of the server's customer list.
  - The server cannot clear a field or set it to an empty string or V("0");
    a task that asks for that fails before writing anything.
  - Every update sends the customer's state (the server disables a customer
    whose update leaves it out). The server re-provisions after an update
    only customers with O(auto=true), so the module warns when a task sets
    O(auto=false), and when it updates a customer whose auto is NO.
author:
  - isp.provisioning contributors (@isp-provisioning)
options:
  sn:
    description:
      - Serial number of the customer's ONU; identifies the customer.
      - Matched ignoring case and trailing spaces, as the server matches it;
        an existing customer keeps its stored serial (serials are not renamed).
      - Required unless O(customers) is given.
    type: str
  name:
    description:
      - Name of the customer. Required to create one.
      - At most 100 characters. Like every text option, cannot contain a
        single quote or a backslash (the server passes values to SQL
        unescaped), nor a character outside the Basic Multilingual Plane such
        as an emoji (the server's tables are 3-byte utf8).
    type: str
  address:
    description: Installation address, at most 255 characters.
    type: str
  egn:
    description:
      - National identification number of the customer, digits only (the
        server keeps it in a number column, without its leading zeros).
    type: str
  service:
    description:
      - The ONU's service profile, by id or by name as the server lists it
        (see M(isp.provisioning.onu_service_info)). A name is resolved to its id.
    type: str
  auto:
    description:
      - Whether the server re-provisions the ONU automatically. New customers
        get V(true) when this is not set.
      - The server re-provisions after an update only customers with V(true);
        with V(false) an updated ONU stays offline. The module warns when a
        task sets V(false).
    type: bool
  state_rf:
    description: State of the ONU's RF (CATV) port, V("1") enabled or V("2") disabled.
    type: str
    choices: ["1", "2"]
  enabled:
    description:
      - Whether the customer is active (the server's C(state) field, V(YES) or
        V(NO)). New customers are enabled when this is not set.
    type: bool
  customers:
    description:
      - Manage many customers in one task. Each item takes O(sn) (required),
        O(name), O(address), O(egn), O(service), O(auto), O(state_rf),
        O(enabled), and its own O(state).
      - Mutually exclusive with the single-customer options.
    type: list
    elements: dict
extends_documentation_fragment:
  - isp.provisioning.onu
  - isp.provisioning.entity
  - isp.provisioning.entity.customers_json
seealso:
  - module: isp.provisioning.onu_customer_info
  - module: isp.provisioning.onu_service_info
"""

EXAMPLES = r"""
- name: A subscriber's ONU is provisioned and enabled
  isp.provisioning.onu_customer:
    url: https://onu.example.net/raisepon/API/
    username: operator
    password: "{{ vault_onu_password }}"
    sn: C850E98CE607
    name: Boza S Kosmi
    service: Internet_4port
    state_rf: "2"

- name: Suspend a subscriber (credentials from module_defaults)
  isp.provisioning.onu_customer:
    sn: C850E98CE607
    enabled: false

- name: Remove a subscriber
  isp.provisioning.onu_customer:
    sn: C850E98CE607
    state: absent

- name: Converge every declared ONU; delete undeclared lab ONUs
  isp.provisioning.onu_customer:
    customers: "{{ onu_customers }}"
    purge: true
    purge_scope:
      name: "lab-*"
    token_cache: true
"""

RETURN = r"""
customer:
  description: The customer after the task (predicted in check mode); null when absent.
  returned: when a single customer is managed
  type: dict
  sample: {"id": "262", "sn": "C850E98CE604", "name": "HT803G-1GC", "address": "",
           "egn": null, "service": "10", "auto": true, "state_rf": "2", "enabled": true}
results:
  description: One entry per customer of O(customers), in order, then one per purged customer; with
    O(results=changed) only those with something to report.
  returned: when O(customers) is given
  type: list
  elements: dict
  contains:
    index:
      description: The place of the record in the declared list, from 0.
      type: int
      returned: for a declared record
    sn:
      description: The customer's serial number.
      type: str
    action:
      description: What was (or in check mode, would be) done.
      type: str
      choices: [create, update, delete, none]
    changed:
      description: Whether the customer changed.
      type: bool
    customer:
      description: The customer after the task; null when absent.
      returned: unless O(result_records=false)
      type: dict
    changes:
      description: The fields an update changed, with their new values.
      type: dict
      returned: on update
    purged:
      description: True for a customer deleted by O(purge).
      type: bool
      returned: on purge
    unconfirmed:
      description: Sent but not read back (C(msg) says why); see the notes.
      type: bool
      returned: when a write was not confirmed
    not_written:
      description: The backend stopped the task before this write was made (C(msg) says
        how); see the notes.
      type: bool
      returned: when the backend stopped the task
created:
  description: How many customers were created.
  returned: when O(customers) is given
  type: int
updated:
  description: How many customers were updated.
  returned: when O(customers) is given
  type: int
deleted:
  description: How many customers were deleted.
  returned: when O(customers) is given
  type: int
unchanged:
  description: How many customers needed no change.
  returned: when O(customers) is given
  type: int
unconfirmed:
  description: How many writes were sent but not read back (see the notes).
  returned: when O(customers) is given
  type: int
"""

from ansible_collections.isp.provisioning.plugins.module_utils.onu.client import connection_spec
from ansible_collections.isp.provisioning.plugins.module_utils.onu.customers import OnuCustomers
from ansible_collections.isp.provisioning.plugins.module_utils.runner import EntityModule


def main():
    EntityModule(OnuCustomers, connection_spec()).run()


if __name__ == "__main__":
    main()
