#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: onu_customer_info
short_description: Read customers (ONUs) from a RAISEPON ONU provisioning server
version_added: 0.1.0
description:
  - Returns one customer by O(id) or O(sn), or every customer, optionally
    narrowed by O(filters).
  - Reads the server's customer list (one request), which unlike the server's
    single-customer endpoint reports each customer's state truly.
author:
  - isp.provisioning contributors (@isp-provisioning)
options:
  id:
    description: Return the customer with this server-assigned id.
    type: str
  sn:
    description: Return the customer with this ONU serial number.
    type: str
extends_documentation_fragment:
  - isp.provisioning.onu
  - isp.provisioning.info
  - isp.provisioning.info.declare
seealso:
  - module: isp.provisioning.onu_customer
"""

EXAMPLES = r"""
- name: One customer by serial number
  isp.provisioning.onu_customer_info:
    url: https://onu.example.net/raisepon/API/
    username: visitor
    password: "{{ vault_onu_password }}"
    sn: C850E98CE604
  register: onu

- name: Disabled customers on the HGU service (id 8)
  isp.provisioning.onu_customer_info:
    filters:
      enabled: false
      service: "8"

- name: Every one of the ONU customers, as onu_customer takes them
  isp.provisioning.onu_customer_info:
    format: declare
  register: export

- name: Fed back, they change nothing
  isp.provisioning.onu_customer:
    customers: "{{ export.customers }}"
"""

RETURN = r"""
customers:
  description:
    - The matching customers, in the server's order; empty when none match.
    - >-
      With O(format=declare), each holds instead the options of one item of the
      O(isp.provisioning.onu_customer#module:customers) list, such as C({"sn": "C850E98CE604",
      "name": "HT803G-1GC", "service": "10", "auto": true, "state_rf": "2", "enabled": true});
      no read-only or server-assigned field, no secret, no unset value.
  returned: always
  type: list
  elements: dict
  sample: [{"id": "262", "sn": "C850E98CE604", "name": "HT803G-1GC", "address": "",
            "egn": null, "service": "10", "auto": true, "state_rf": "2", "enabled": true}]
left_out:
  description:
    - With O(format=declare), each value a record's declaration left out because
      the entity module would refuse it (none of its choices, beyond a limit of
      the field); the record is declared without it. The same is warned.
      Declarable fields hold no secret.
  returned: when O(format=declare)
  type: list
  elements: dict
  contains:
    key:
      description: The record's identity.
      type: raw
    field:
      description: The field left out.
      type: str
    reason:
      description: Why the entity module would refuse the value, naming it.
      type: str
"""

from ansible_collections.isp.provisioning.plugins.module_utils.onu.client import connection_spec
from ansible_collections.isp.provisioning.plugins.module_utils.onu.customers import OnuCustomers
from ansible_collections.isp.provisioning.plugins.module_utils.runner import InfoModule


def main():
    InfoModule(OnuCustomers, connection_spec()).run()


if __name__ == "__main__":
    main()
