#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ipdr_customer_info
short_description: Read IPDR customers from a Trisul server
version_added: 0.1.0
description:
  - Returns one customer of a context by O(user_id), or every customer of
    the context, optionally narrowed by O(filters).
  - Reads the context's customer list (one request).
author:
  - isp.provisioning contributors (@isp-provisioning)
options:
  user_id:
    description: Return the customer with this user ID.
    type: str
extends_documentation_fragment:
  - isp.provisioning.ipdr
  - isp.provisioning.info
  - isp.provisioning.info.declare
seealso:
  - module: isp.provisioning.ipdr_customer
"""

EXAMPLES = r"""
- name: One customer by user ID
  isp.provisioning.ipdr_customer_info:
    url: https://trisul.example.net:8000
    username: user
    api_token: "{{ vault_ipdr_api_token }}"
    user_id: B68t19
  register: ipdr

- name: Customers of the lab context whose e-mail is at example.net
  isp.provisioning.ipdr_customer_info:
    context: lab
    filters:
      email: "*@example.net"

- name: Every one of the IPDR customers, as ipdr_customer takes them
  isp.provisioning.ipdr_customer_info:
    format: declare
  register: export

- name: Fed back, they change nothing
  isp.provisioning.ipdr_customer:
    customers: "{{ export.customers }}"
"""

RETURN = r"""
customers:
  description:
    - The matching customers, in the server's order; empty when none match.
    - >-
      With O(format=declare), each holds instead the options of one item of the
      O(isp.provisioning.ipdr_customer#module:customers) list, such as C({"user_id": "B68t19",
      "name": "Trisul", "address": "Chennai", "email": "demo@gmail.com", "phone_number":
      "1234567890", "alt_phone_number": "9999999999"}); no read-only or server-assigned field,
      no secret, no unset value.
  returned: always
  type: list
  elements: dict
  sample: [{"id": 5, "user_id": "B68t19", "name": "Trisul", "address": "Chennai",
            "email": "demo@gmail.com", "phone_number": "1234567890",
            "alt_phone_number": "9999999999"}]
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

from ansible_collections.isp.provisioning.plugins.module_utils.ipdr.client import connection_spec
from ansible_collections.isp.provisioning.plugins.module_utils.ipdr.customers import IpdrCustomers
from ansible_collections.isp.provisioning.plugins.module_utils.runner import InfoModule


def main():
    InfoModule(IpdrCustomers, connection_spec()).run()


if __name__ == "__main__":
    main()
