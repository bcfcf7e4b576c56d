#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: crm_customer
short_description: Manage customers in a neuCRM ISP CRM
version_added: 0.1.0
description:
  - Creates, updates and deletes customers in a neuCRM ISP CRM through its
    customer API.
  - A customer is named by O(customerid), the id the CRM gives it, or, for
    declarative use, by O(uniqueid), the operator's own key. A new customer
    can only be declared by O(uniqueid) (the CRM assigns customerids), so a
    task that names an unknown O(customerid) fails before writing anything.
  - The CRM's list cannot search by uniqueid, so every task reads the whole
    customer list once, 100 customers a page, and finds customers in it. A
    create whose answer was lost is checked against a fresh read of the list
    and never sent again blindly.
  - One task manages one customer (its options), or many (O(customers)) with
    that single read of the list.
author:
  - isp.provisioning contributors (@isp-provisioning)
options:
  customerid:
    description:
      - The CRM's id of the customer. Names an existing customer; with
        O(uniqueid) as well, O(uniqueid) is a field to set.
      - One of O(customerid), O(uniqueid) and O(customers) is required.
    type: int
  uniqueid:
    description:
      - The customer's unique id in the operator's own records. Names the
        customer when O(customerid) is not given; such a customer that does
        not exist yet is created.
      - The CRM does not enforce it to be unique; a task fails when two
        customers hold the uniqueid it names, or would give one a uniqueid
        that another holds.
      - An empty string clears it (only when O(customerid) names the customer).
    type: str
  ispid:
    description:
      - ISP the customer belongs to. Set on create only; optional when the
        API user belongs to an ISP. A task that asks to move an existing
        customer fails.
    type: int
  resellerid:
    description:
      - Reseller the customer belongs to. Set on create only; optional when
        the API user belongs to a reseller. A task that asks to move an
        existing customer fails.
    type: int
  type:
    description: Customer type. Required to create a customer.
    type: str
    choices: [Individual, Organisation]
  name:
    description: Customer name. Required to create a customer.
    type: str
  surname:
    description: Surname. An empty string clears it.
    type: str
  dob:
    description: Date of birth or of registration, C(yyyy-mm-dd). An empty string clears it.
    type: str
  mobile:
    description: Mobile number. Required to create a customer.
    type: str
  email:
    description: Email address. Required to create a customer.
    type: str
  zipcode:
    description: Zipcode or postal code. Required to create a customer.
    type: str
  address_state:
    description:
      - State of the customer's address (the CRM's C(state) field, named so
        that it does not clash with O(state)). Required to create a customer.
    type: str
  city:
    description: City. Required to create a customer.
    type: str
  street:
    description: Street address. Required to create a customer.
    type: str
  notes:
    description: Notes. An empty string clears them.
    type: str
  reset_password:
    description:
      - With V(true), reset the customer's portal login password. This is an
        action, not a setting; it is taken on every run that asks for it (so
        the task reports a change each time) and is never read back or
        compared. Not available on create (the CRM sets up a new customer's
        login itself).
    type: bool
  customers:
    description:
      - Manage many customers in one task. Each item takes O(customerid) or
        O(uniqueid) (one is required), the other options above, and its own
        O(state).
      - Mutually exclusive with the single-customer options.
    type: list
    elements: dict
notes:
  - Required fields cannot be cleared; optional ones (O(surname), O(dob),
    O(uniqueid), O(notes)) are cleared with an empty string.
  - In results, a customer that does not exist yet (check mode, or a failed
    create) is keyed C(uniqueid=<value>) in place of its customerid.
  - "O(purge_scope) can name any field of a customer, for example
    V({resellerid: 3}) or V({resellerid: 3, uniqueid: lab-*})."
extends_documentation_fragment:
  - isp.provisioning.crm
  - isp.provisioning.entity
  - isp.provisioning.entity.customers_json
seealso:
  - module: isp.provisioning.crm_customer_info
"""

EXAMPLES = r"""
- name: A subscriber exists in the CRM (created on the first run)
  isp.provisioning.crm_customer:
    url: https://crm.example.net/
    userid: 5
    api_key: "{{ vault_crm_api_key }}"
    uniqueid: SUB-000123
    resellerid: 1
    type: Individual
    name: Some Name
    mobile: "12344444"
    email: abc@email.com
    zipcode: "12345"
    address_state: Goa
    city: Panaji
    street: 3rd street

- name: Change one field of customer 1243 (credentials from module_defaults)
  isp.provisioning.crm_customer:
    customerid: 1243
    street: 2nd street

- name: Reset a customer's portal password (every time this task runs)
  isp.provisioning.crm_customer:
    uniqueid: SUB-000123
    reset_password: true

- name: Converge every declared subscriber of reseller 3, deleting the others
  isp.provisioning.crm_customer:
    customers: "{{ crm_customers }}"
    purge: true
    purge_scope:
      resellerid: 3
"""

RETURN = r"""
customer:
  description: The customer after the task (predicted in check mode); null when absent.
  returned: when a single customer is managed
  type: dict
  sample: {"customerid": 1243, "uniqueid": "SUB-000123", "ispid": 1, "resellerid": 1,
           "type": "Individual", "name": "Some Name", "surname": null, "dob": null,
           "mobile": "12344444", "email": "abc@email.com", "zipcode": "12345",
           "address_state": "Goa", "city": "Panaji", "street": "3rd street", "notes": null,
           "username": null, "serviceid": null, "created": "2026-11-22"}
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
    customerid:
      description:
        - The customer's id; C(uniqueid=<value>) for one that did not exist
          before the task.
      type: raw
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

from ansible_collections.isp.provisioning.plugins.module_utils.crm.client import connection_spec
from ansible_collections.isp.provisioning.plugins.module_utils.crm.customers import CrmCustomers
from ansible_collections.isp.provisioning.plugins.module_utils.runner import EntityModule


def main():
    EntityModule(CrmCustomers, connection_spec()).run()


if __name__ == "__main__":
    main()
