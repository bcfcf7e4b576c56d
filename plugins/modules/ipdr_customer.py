#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ipdr_customer
short_description: Manage IPDR customers on a Trisul server
version_added: 0.1.0
description:
  - Creates, updates and deletes IPDR customers in one context of a Trisul
    Network Analytics server, the records that name the subscriber behind a
    RADIUS/AAA user or a static IP in IP detail records.
  - A customer is known by its O(user_id), unique within a context.
  - Updates send only the fields that differ (a partial update); fields a
    task leaves out are never touched.
  - One task manages one customer (its options), or many (O(customers)) with
    a single read of the context's customers.
author:
  - isp.provisioning contributors (@isp-provisioning)
options:
  user_id:
    description:
      - The customer's user ID (the RADIUS user name or the static IP user);
        identifies the customer. It cannot be renamed.
      - It cannot contain C(.), which the server's URL route reads as a format
        suffix (so a write would reach another customer); such a record is
        refused before any write.
      - Required unless O(customers) is given.
    type: str
  name:
    description: Name of the customer. Required to create one.
    type: str
  address:
    description: Postal or installation address.
    type: str
  email:
    description: E-mail address.
    type: str
  phone_number:
    description: Phone number.
    type: str
  alt_phone_number:
    description: Alternative phone number.
    type: str
  customers:
    description:
      - Manage many customers in one task. Each item takes O(user_id)
        (required), O(name), O(address), O(email), O(phone_number),
        O(alt_phone_number), and its own O(state).
      - Mutually exclusive with the single-customer options.
    type: list
    elements: dict
extends_documentation_fragment:
  - isp.provisioning.ipdr
  - isp.provisioning.entity
  - isp.provisioning.entity.customers_json
seealso:
  - module: isp.provisioning.ipdr_customer_info
"""

EXAMPLES = r"""
- name: A subscriber is named in IP detail records
  isp.provisioning.ipdr_customer:
    url: https://trisul.example.net:8000
    username: user
    api_token: "{{ vault_ipdr_api_token }}"
    user_id: B68t19
    name: Trisul
    address: Chennai
    email: demo@example.com
    phone_number: "1234567890"

- name: Change one field (credentials from module_defaults)
  isp.provisioning.ipdr_customer:
    user_id: B68t19
    address: India

- name: Remove a subscriber from the lab context
  isp.provisioning.ipdr_customer:
    context: lab
    user_id: B68t19
    state: absent

- name: Converge every declared customer; delete undeclared ones whose user ID starts with lab-
  isp.provisioning.ipdr_customer:
    customers: "{{ ipdr_customers }}"
    purge: true
    purge_scope:
      user_id: "lab-*"
"""

RETURN = r"""
customer:
  description: The customer after the task (predicted in check mode); null when absent.
  returned: when a single customer is managed
  type: dict
  sample: {"id": 5, "user_id": "B68t19", "name": "Trisul", "address": "Chennai",
           "email": "demo@gmail.com", "phone_number": "1234567890",
           "alt_phone_number": "9999999999"}
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
    user_id:
      description: The customer's user ID.
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

from ansible_collections.isp.provisioning.plugins.module_utils.ipdr.client import connection_spec
from ansible_collections.isp.provisioning.plugins.module_utils.ipdr.customers import IpdrCustomers
from ansible_collections.isp.provisioning.plugins.module_utils.runner import EntityModule


def main():
    EntityModule(IpdrCustomers, connection_spec()).run()


if __name__ == "__main__":
    main()
