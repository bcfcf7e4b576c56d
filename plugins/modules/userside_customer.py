#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: userside_customer
short_description: Manage customers in a UserSide ERP
version_added: 0.1.0
description:
  - Creates, updates and deletes customers of a UserSide ERP through its API
    (category C(customer)).
  - A customer is known by a natural key that you control and UserSide can
    look up, its O(login) by default, or the field O(identity) names.
  - UserSide answers a customer in another shape than it takes one (dates,
    phone and e-mail lists, integer IP addresses, maps of marks); the module
    compares both in one canonical form, so a second run changes nothing.
    Ids are returned as text, dates as V(YYYY-MM-DD), MACs in lower case with colons.
  - Status, tariff, marks, IP/MAC bindings and additional services are each
    changed through their own UserSide action, and only when they differ.
  - Creating is several requests (C(add), C(edit), then the other actions).
    When a later one fails, the customer just added is deleted again, so no
    half-made customer is left for the next run to miss and duplicate.
    When even that delete fails (UserSide went down), the record is reported
    changed and not confirmed, naming the customer id. Once it holds its
    identity, the next run finds and finishes it. Not yet given it, the next
    run never takes it for this record (another run's namesake, just added,
    looks the same), and refuses the create, writing nothing, naming the id of
    each customer of that name with no identity and nothing else set. Give it
    its identity or delete it in UserSide, then run again.
  - Changing a customer is several requests too (C(edit), then each action).
    When UserSide goes down after one of them, the record is reported changed
    and not confirmed (partly made), never as not written.
  - UserSide cannot list every customer, so current state is read by looking up
    each declared key (all before the first write); a purge needs a
    O(purge_scope) that UserSide can search by.
author:
  - isp.provisioning contributors (@isp-provisioning)
options:
  identity:
    description:
      - Which field names a customer. It must be unique among the customers
        in UserSide and is required in every task (or bulk item).
    type: str
    choices: [account_number, agreement_number, email, login]
    default: login
  login:
    description: The customer's login.
    type: str
  name:
    description: Full name of the customer. Required to create one.
    type: str
  agreement_number:
    description: Number of the customer's agreement.
    type: str
  agreement_date:
    description: Date of the agreement, V(YYYY-MM-DD) (V(DD.MM.YYYY) is accepted too).
    type: str
  account_number:
    description: Personal account number.
    type: str
  mobile_phone:
    description: Mobile phone number (UserSide's C(phone0)). V("") removes it.
    type: str
  home_phone:
    description: Home phone number (UserSide's C(phone1)). V("") removes it.
    type: str
  email:
    description: E-mail address (compared case-insensitively).
    type: str
  house_id:
    description: Id of the house (building) of the connection address.
    type: int
  apartment:
    description: Apartment number; needs a house (O(house_id), or the customer's own), as O(entrance) and O(floor) do.
    type: str
  entrance:
    description: Entrance number; V(0) means none.
    type: int
  floor:
    description: Floor; V(0) means none.
    type: int
  comment:
    description: Notes.
    type: str
  group_id:
    description:
      - Id of the customer group. It is checked against UserSide's groups
        before any write (on servers from 3.19, which list them).
    type: int
  manager_id:
    description: Id of the employee who manages the customer.
    type: int
  is_corporate:
    description: Whether the customer is a legal entity. New customers are not.
    type: bool
  is_potential:
    description: Whether the customer is a potential one. New customers are not.
    type: bool
  billing_id:
    description: Id of the billing the customer belongs to. Set on create only.
    type: int
  billing_uid:
    description:
      - The customer's id in the billing system (UserSide's C(codeti)). Set on
        create only; UserSide does not answer it, so it is never compared.
    type: str
  status:
    description: Working status. New customers are V(active).
    type: str
    choices: [active, paused, stopped]
  tariff:
    description: Id of the customer's tariff.
    type: int
  marks:
    description:
      - Ids of the marks (labels) the customer carries, exactly; V([]) removes
        them all. Left out, marks are not touched.
    type: list
    elements: int
  ip_mac:
    description:
      - The customer's IP addresses with their MAC addresses, exactly; V([])
        removes them all. Left out, bindings are not touched.
    type: list
    elements: dict
    suboptions:
      ip:
        description: IPv4 address.
        type: str
        required: true
      mac:
        description: MAC address, in any usual spelling.
        type: str
  services:
    description: Ids of the customer's additional services, exactly; V([]) removes them all.
    type: list
    elements: int
  customers:
    description:
      - Manage many customers in one task. Each item takes the options above
        (except O(identity)), its identity field being required, and its own O(state).
      - Mutually exclusive with the single-customer options.
    type: list
    elements: dict
  purge_scope:
    description:
      - UserSide cannot list customers without a condition, so the scope must
        name at least one of O(marks) (one mark id), O(house_id),
        O(billing_id), O(tariff), O(status), O(is_corporate) or O(name) with
        a plain value (no pattern); other fields (O(group_id), ...) narrow it further.
      - Customers without an identity value are never purged (with a warning).
    type: dict
extends_documentation_fragment:
  - isp.provisioning.userside
  - isp.provisioning.entity
  - isp.provisioning.entity.customers_json
seealso:
  - module: isp.provisioning.userside_customer_info
"""

EXAMPLES = r"""
- name: A subscriber exists, active, with its tariff, mark and address
  isp.provisioning.userside_customer:
    url: https://erp.example.net/
    api_key: "{{ vault_userside_key }}"
    login: ada
    name: Ada Lovelace
    agreement_number: D-2024-7
    agreement_date: "2024-03-05"
    mobile_phone: "+15550100"
    email: ada@example.net
    house_id: 5
    apartment: "12"
    tariff: 3
    status: active
    marks: [1]
    ip_mac:
      - ip: 10.0.0.1
        mac: AA-BB-CC-00-11-22

- name: Pause a subscriber (credentials from module_defaults)
  isp.provisioning.userside_customer:
    login: ada
    status: paused

- name: Customers named by agreement number
  isp.provisioning.userside_customer:
    identity: agreement_number
    agreement_number: D-2024-7
    comment: moved to the new building

- name: Converge every declared customer; delete undeclared ones carrying mark 1
  isp.provisioning.userside_customer:
    customers: "{{ userside_customers }}"
    purge: true
    purge_scope:
      marks: 1
"""

RETURN = r"""
customer:
  description: The customer after the task (predicted in check mode); null when absent.
  returned: when a single customer is managed
  type: dict
  sample: {"id": "4", "login": "ada", "name": "Ada Lovelace", "status": "active",
           "tariff": "3", "marks": ["1"], "ip_mac": [{"ip": "10.0.0.1",
           "mac": "aa:bb:cc:00:11:22"}], "services": []}
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

from ansible_collections.isp.provisioning.plugins.module_utils.runner import EntityModule
from ansible_collections.isp.provisioning.plugins.module_utils.userside.client import connection_spec
from ansible_collections.isp.provisioning.plugins.module_utils.userside.customers import (
    UsersideCustomers,
)


def main():
    EntityModule(UsersideCustomers, connection_spec()).run()


if __name__ == "__main__":
    main()
