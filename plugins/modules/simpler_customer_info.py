#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: simpler_customer_info
short_description: Read customer accounts from Azotel SIMPLer
version_added: 0.1.0
description:
  - Returns customers by O(invoicingid), O(customerid) or O(nickname), or every
    customer, optionally narrowed by O(filters).
  - The lookups narrow SIMPLer's search (C(searchCustomer)); each customer
    found is then read whole (C(getCustomerData)), one request each, so
    reading every customer of a large operator takes a while.
author:
  - isp.provisioning contributors (@isp-provisioning)
options:
  invoicingid:
    description: Return the customer with this invoicing id.
    type: str
  customerid:
    description: Return the customer with this SIMPLer id.
    type: str
  nickname:
    description: Return the customer with this nickname.
    type: str
extends_documentation_fragment:
  - isp.provisioning.simpler
  - isp.provisioning.info
  - isp.provisioning.info.declare
seealso:
  - module: isp.provisioning.simpler_customer
"""

EXAMPLES = r"""
- name: One customer by invoicing id
  isp.provisioning.simpler_customer_info:
    url: https://server.azotel.com
    api_username: apiuser
    api_password: "{{ vault_simpler_password }}"
    invoicingid: INV-20240117
  register: simpler

- name: Every potential customer, over SOAP
  isp.provisioning.simpler_customer_info:
    transport: soap
    filters:
      customerstatus: potential

- name: Every one of the SIMPLer customers, as simpler_customer takes them
  isp.provisioning.simpler_customer_info:
    format: declare
  register: export

- name: Fed back, they change nothing
  isp.provisioning.simpler_customer:
    customers: "{{ export.customers }}"
"""

RETURN = r"""
customers:
  description:
    - The matching customers, in the server's order; empty when none match.
    - >-
      With O(format=declare), each holds instead the options of one item of the
      O(isp.provisioning.simpler_customer#module:customers) list, such as C({"invoicingid":
      "INV-20240117", "name": "Jo Bloggs", "nickname": "jbloggs", "customerstatus":
      "potential", "startdate": "2024-01-17", "installation_address": {"street1": "1 Main
      Street", "town": "Stowe", "postcode": "05672"}, "custom_fields": {"7": "VLAN-120"},
      ...}); no read-only or server-assigned field, no secret, no unset value.
  returned: always
  type: list
  elements: dict
  sample: [{"invoicingid": "INV-20240117", "customerid": "27904", "name": "Jo Bloggs",
            "nickname": "jbloggs", "customerstatus": "potential", "type": "customer home",
            "email": "", "phone": "", "accounts_email": "", "support_email": "",
            "country": "", "payment_method": "", "send_method": "", "init_date": "",
            "startdate": "2024-01-17", "installdate": "",
            "installation_address": {"street1": "1 Main Street", "street2": "",
                                     "town": "Stowe", "county": "", "postcode": "05672",
                                     "state": ""},
            "invoicing_address": {"street1": "", "street2": "", "town": "", "county": "",
                                  "postcode": "", "state": ""},
            "custom_fields": {"7": "VLAN-120"}}]
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
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.client import connection_spec
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.customers import (
    SimplerCustomers,
)


def main():
    InfoModule(SimplerCustomers, connection_spec()).run()


if __name__ == "__main__":
    main()
