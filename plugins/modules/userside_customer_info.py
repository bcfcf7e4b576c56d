#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: userside_customer_info
short_description: Read customers from a UserSide ERP
version_added: 0.1.0
description:
  - Returns the customers found by O(id), by a key UserSide's C(get_abon_id)
    looks up (O(login), O(agreement_number), O(account_number), O(email),
    O(phone), O(ip), O(mac), O(billing_uid)), or by O(conditions); with several,
    only customers that all of them find. Then O(filters) narrows them.
  - UserSide cannot list every customer, so at least one of these is needed.
  - Customers are returned in the shape M(isp.provisioning.userside_customer)
    takes, not in UserSide's read shape.
author:
  - isp.provisioning contributors (@isp-provisioning)
options:
  id:
    description: The customer with this UserSide id.
    type: int
  login:
    description: The customer with this login.
    type: str
  agreement_number:
    description: Customers with this agreement number.
    type: str
  account_number:
    description: Customers with this personal account number.
    type: str
  email:
    description: Customers with this e-mail address.
    type: str
  phone:
    description: Customers with this phone number (mobile or home).
    type: str
  ip:
    description: The customer bound to this IP address.
    type: str
  mac:
    description: Customers bound to this MAC address.
    type: str
  billing_uid:
    description: Customers with this id in the billing system (UserSide's C(codeti)).
    type: str
  conditions:
    description:
      - Conditions of UserSide's C(get_customers_id), as it names them, for
        example C(mark_id), C(house_id), C(state_id), C(tariff_id), C(billing_id),
        C(name) with C(is_like).
    type: dict
extends_documentation_fragment:
  - isp.provisioning.userside
  - isp.provisioning.info
  - isp.provisioning.info.declare
seealso:
  - module: isp.provisioning.userside_customer
"""

EXAMPLES = r"""
- name: One customer by login
  isp.provisioning.userside_customer_info:
    url: https://erp.example.net/
    api_key: "{{ vault_userside_key }}"
    login: ada
  register: found

- name: Paused customers among those this repository manages (mark 1)
  isp.provisioning.userside_customer_info:
    conditions:
      mark_id: 1
    filters:
      status: paused

- name: Every one of the UserSide customers of house 5, as userside_customer takes them
  isp.provisioning.userside_customer_info:
    conditions:
      house_id: 5
    format: declare
  register: export

- name: Fed back, they change nothing
  isp.provisioning.userside_customer:
    customers: "{{ export.customers }}"
"""

RETURN = r"""
customers:
  description:
    - The customers found, by UserSide id; empty when none match.
    - >-
      With O(format=declare), each holds instead the options of one item of the
      O(isp.provisioning.userside_customer#module:customers) list, such as C({"login": "ada",
      "name": "Ada Lovelace", "house_id": 5, "apartment": "12", "group_id": 2, "is_corporate":
      false, "status": "active", "tariff": 3, "marks": [1], "ip_mac": [{"ip": "10.0.0.1",
      "mac": "aa:bb:cc:00:11:22"}], ...}); no read-only or server-assigned field, no secret,
      no unset value.
  returned: always
  type: list
  elements: dict
  sample: [{"id": "4", "login": "ada", "name": "Ada Lovelace", "agreement_number": "D-7",
            "agreement_date": "2024-03-05", "account_number": null, "mobile_phone": "+100",
            "home_phone": null, "email": "ada@example.net", "house_id": "5",
            "apartment": "12", "entrance": "2", "floor": "3", "comment": null,
            "group_id": "2", "manager_id": null, "is_corporate": false,
            "is_potential": false, "billing_id": null, "billing_uid": null,
            "status": "active", "tariff": "3", "marks": ["1"],
            "ip_mac": [{"ip": "10.0.0.1", "mac": "aa:bb:cc:00:11:22"}], "services": [],
            "balance": 0.0, "date_create": "2026-01-01 10:00:00"}]
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

from ansible_collections.isp.provisioning.plugins.module_utils.runner import InfoModule
from ansible_collections.isp.provisioning.plugins.module_utils.userside.client import connection_spec
from ansible_collections.isp.provisioning.plugins.module_utils.userside.customers import (
    UsersideCustomers,
)


def main():
    InfoModule(UsersideCustomers, connection_spec()).run()


if __name__ == "__main__":
    main()
