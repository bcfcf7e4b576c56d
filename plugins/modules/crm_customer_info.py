#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: crm_customer_info
short_description: Read customers from a neuCRM ISP CRM
version_added: 0.1.0
description:
  - Returns the customers of a neuCRM ISP CRM that the API user may see,
    narrowed by the CRM's own list filters (sent to the CRM) and by
    O(uniqueid) and O(filters) (applied to what the CRM answers).
  - The CRM answers at most 100 customers a request; the module pages
    through the whole answer, so the result holds every matching customer.
author:
  - isp.provisioning contributors (@isp-provisioning)
options:
  customerid:
    description: Return the customer with this id.
    type: int
  uniqueid:
    description:
      - Return customers with this uniqueid (a shell-style pattern). The CRM
        cannot search by it, so it is matched against the customers read.
    type: str
  ispid:
    description: Customers of this ISP.
    type: int
  resellerid:
    description: Customers of this reseller.
    type: int
  serviceid:
    description: The customer with this service.
    type: int
  username:
    description:
      - Customers with this PPPoE username; V(%) is a wildcard (V(xyz_%)
        finds usernames that begin with C(xyz_)).
    type: str
  type:
    description: Customers of this type.
    type: str
    choices: [Individual, Organisation]
  name:
    description: Customers with this name; V(%) is a wildcard.
    type: str
  mobile:
    description: Customers with this mobile number.
    type: str
  email:
    description: Customers with this email address.
    type: str
  zipcode:
    description: Customers with this zipcode.
    type: str
  address_state:
    description: Customers whose address is in this state (the CRM's C(state) filter).
    type: str
  city:
    description: Customers in this city.
    type: str
  created_from:
    description: Customers created on or after this date, C(yyyy-mm-dd).
    type: str
  created_upto:
    description: Customers created on or before this date, C(yyyy-mm-dd).
    type: str
extends_documentation_fragment:
  - isp.provisioning.crm
  - isp.provisioning.info
  - isp.provisioning.info.declare
seealso:
  - module: isp.provisioning.crm_customer
"""

EXAMPLES = r"""
- name: One customer by the operator's own key
  isp.provisioning.crm_customer_info:
    url: https://crm.example.net/
    userid: 5
    api_key: "{{ vault_crm_api_key }}"
    uniqueid: SUB-000123
  register: crm

- name: Every customer of reseller 2 whose PPPoE username begins with ftth_
  isp.provisioning.crm_customer_info:
    resellerid: 2
    username: ftth_%

- name: Organisations created in 2025 in Panaji
  isp.provisioning.crm_customer_info:
    type: Organisation
    created_from: "2025-01-01"
    created_upto: "2025-12-31"
    filters:
      city: Panaji

- name: Every one of the CRM customers, as crm_customer takes them
  isp.provisioning.crm_customer_info:
    format: declare
  register: export

- name: Fed back, they change nothing
  isp.provisioning.crm_customer:
    customers: "{{ export.customers }}"
"""

RETURN = r"""
customers:
  description:
    - The matching customers, by customerid; empty when none match.
    - >-
      With O(format=declare), each holds instead the options of one item of the
      O(isp.provisioning.crm_customer#module:customers) list, such as C({"customerid": 1243,
      "uniqueid": "SUB-000123", "ispid": 1, "resellerid": 1, "type": "Individual", "name":
      "Some Name", "mobile": "12344444", ...}); no read-only or server-assigned field, no
      secret, no unset value.
  returned: always
  type: list
  elements: dict
  sample: [{"customerid": 1243, "uniqueid": "SUB-000123", "ispid": 1, "resellerid": 1,
            "type": "Individual", "name": "Some Name", "surname": null, "dob": null,
            "mobile": "12344444", "email": "abc@email.com", "zipcode": "12345",
            "address_state": "Goa", "city": "Panaji", "street": "3rd street",
            "notes": null, "username": "ppp_1243", "serviceid": 5243,
            "created": "2026-11-22"}]
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

from ansible_collections.isp.provisioning.plugins.module_utils.crm.client import connection_spec
from ansible_collections.isp.provisioning.plugins.module_utils.crm.customers import CrmCustomers
from ansible_collections.isp.provisioning.plugins.module_utils.runner import InfoModule


def main():
    InfoModule(CrmCustomers, connection_spec()).run()


if __name__ == "__main__":
    main()
