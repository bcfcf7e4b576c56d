#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: simpler_customer
short_description: Manage customer accounts in Azotel SIMPLer
version_added: 0.1.0
description:
  - Creates, updates and deletes customer accounts in Azotel SIMPLer, the
    billing and network management system of wireless and fibre ISPs, over
    its REST/JSON or SOAP API (O(transport)).
  - A customer is known by its invoicing id O(invoicingid). With
    O(customerid) also given, the customer is found by its SIMPLer id
    instead, and its invoicing id is set to O(invoicingid).
  - SIMPLer makes a new customer's nickname and invoicing id unique by
    appending a number when they are taken, so adding twice makes two
    customers. The module therefore always searches before it adds, and
    after an add whose answer was lost it searches again instead of adding again.
  - Two runs of one task at the same time may both add a customer; after its
    adds, each run searches its invoicing ids again, and the run whose
    customer is the younger twin (the one SIMPLer gave a number appended to the
    invoicing id) deletes it, with a warning, and reports the older one.
  - SIMPLer has no call that lists customers with their invoicing ids; each
    declared customer is found with one search and one read per candidate,
    all before the first write.
  - SIMPLer deletes only customers that are not in status C(current) and have
    no subscriptions, IP addresses, invoices, tickets, accounts, CPE or
    equipment, cards or attachments; otherwise O(state=absent) fails with the
    server's reason.
author:
  - isp.provisioning contributors (@isp-provisioning)
options:
  invoicingid:
    description:
      - Invoicing id of the customer; identifies it. Spaces around it are
        dropped, as SIMPLer stores it.
      - Required unless O(customers) is given.
    type: str
  customerid:
    description:
      - SIMPLer's id of an existing customer. When given, the customer is found
        by it (and its invoicing id may be changed to O(invoicingid)).
      - SIMPLer chooses the id of a new customer; a task naming an id that does
        not exist fails.
    type: str
  name:
    description: Name of the customer. Required to create one.
    type: str
  nickname:
    description:
      - Short name of the customer; letters, digits and V(_) only. Required to
        create one.
    type: str
  customerstatus:
    description:
      - Status of the account, one of the server's statuses
        (C(getCustomerStatuses); for example V(potential), V(current), V(post)).
    type: str
  type:
    description: Account type.
    type: str
    choices: [customer business, customer home, reseller, partner, supplier, competitor, gov]
  email:
    description: E-mail address of the customer.
    type: str
  phone:
    description: Main phone number (the wire's C(phone_list_main)).
    type: str
  accounts_email:
    description: E-mail address for accounts.
    type: str
  support_email:
    description: E-mail address for support.
    type: str
  country:
    description: Country of the customer.
    type: str
  payment_method:
    description: How the customer pays.
    type: str
    choices: [cash, cheque, credit card, debit card, direct debit, online transfer, standing order]
  send_method:
    description:
      - How invoices are sent; V(mail) e-mails the customer, V(pdf) only the
        operator, V(both) both, V(none) nobody.
    type: str
    choices: [mail, pdf, both, none]
  init_date:
    description: Initial contact date, as V(YYYY-MM-DD) (converted to the wire's MM/DD/YYYY).
    type: str
  startdate:
    description: Start date, as V(YYYY-MM-DD).
    type: str
  installdate:
    description: Installation date, as V(YYYY-MM-DD).
    type: str
  installation_address:
    description:
      - The address SIMPLer takes as C(address) and reports as C(street),
        C(street2), C(town), C(county), C(zip), C(state).
      - Only the parts named are compared and changed; the others are kept.
    type: dict
    suboptions: &address
      street1:
        description: First street line.
        type: str
      street2:
        description: Second street line.
        type: str
      town:
        description: Town.
        type: str
      county:
        description: County.
        type: str
      postcode:
        description: Post code.
        type: str
      state:
        description: State.
        type: str
  invoicing_address:
    description:
      - The address SIMPLer takes as C(iaddress) and reports as C(installstreet),
        C(installstreet2), C(installtown), C(installcounty), C(installzip),
        C(installstate).
      - Only the parts named are compared and changed; the others are kept.
    type: dict
    suboptions: *address
  custom_fields:
    description:
      - Values of the operator's custom fields (Settings, Custom Fields), by
        field id (V(7) or V(custom_field_7)).
      - Only the fields named are compared and changed.
    type: dict
  customers:
    description:
      - Manage many customers in one task. Each item takes the options above
        (O(invoicingid) required) and its own O(state).
      - Mutually exclusive with the single-customer options.
    type: list
    elements: dict
extends_documentation_fragment:
  - isp.provisioning.simpler
  - isp.provisioning.entity
  - isp.provisioning.entity.customers_json
seealso:
  - module: isp.provisioning.simpler_customer_info
  - module: isp.provisioning.simpler_equipment
"""

EXAMPLES = r"""
- name: A new subscriber's account
  isp.provisioning.simpler_customer:
    url: https://server.azotel.com
    api_username: apiuser
    api_password: "{{ vault_simpler_password }}"
    invoicingid: INV-20240117
    name: Jo Bloggs
    nickname: jbloggs
    customerstatus: potential
    type: customer home
    email: jo@example.net
    installation_address:
      street1: 1 Main Street
      town: Stowe
      postcode: "05672"
    startdate: "2024-01-17"
    custom_fields:
      "7": VLAN-120

- name: The same over SOAP (credentials from module_defaults)
  isp.provisioning.simpler_customer:
    transport: soap
    invoicingid: INV-20240117
    customerstatus: current

- name: Remove a customer that never went live
  isp.provisioning.simpler_customer:
    invoicingid: INV-20240117
    state: absent

- name: Converge every declared customer in one task
  isp.provisioning.simpler_customer:
    customers: "{{ simpler_customers }}"
"""

RETURN = r"""
customer:
  description: The customer after the task (predicted in check mode); null when absent.
  returned: when a single customer is managed
  type: dict
  sample: {"invoicingid": "INV-20240117", "customerid": "27904", "name": "Jo Bloggs",
           "nickname": "jbloggs", "customerstatus": "potential", "type": "customer home",
           "email": "jo@example.net", "phone": "", "accounts_email": "", "support_email": "",
           "country": "", "payment_method": "", "send_method": "", "init_date": "",
           "startdate": "2024-01-17", "installdate": "",
           "installation_address": {"street1": "1 Main Street", "street2": "", "town": "Stowe",
                                    "county": "", "postcode": "05672", "state": ""},
           "invoicing_address": {"street1": "", "street2": "", "town": "", "county": "",
                                 "postcode": "", "state": ""},
           "custom_fields": {"7": "VLAN-120"}}
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
    invoicingid:
      description: The customer's invoicing id.
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

from ansible_collections.isp.provisioning.plugins.module_utils.runner import EntityModule
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.client import connection_spec
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.customers import (
    SimplerCustomers,
)


def main():
    EntityModule(SimplerCustomers, connection_spec()).run()


if __name__ == "__main__":
    main()
