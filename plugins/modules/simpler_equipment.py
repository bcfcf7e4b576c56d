#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: simpler_equipment
short_description: Manage equipment records in Azotel SIMPLer
version_added: 0.1.0
description:
  - Creates and updates entries of SIMPLer's equipment table (CPEs, access
    points, routers, SIMs), over its REST/JSON or SOAP API (O(transport)).
  - A piece of equipment is known by its O(nickname), which SIMPLer keeps unique.
  - The SIM fields (O(imsi), O(msisdn), O(sqn), O(ki), O(opcode)) can be set
    only when the equipment is created; a task that would change one on
    existing equipment fails before writing anything.
  - B(The SIMPLer API has no function that deletes equipment.) O(state=absent)
    of existing equipment fails, in check mode too, and so does a purge that
    would delete any; absent equipment that does not exist is left as it is.
  - One task manages one piece of equipment (its options), or many
    (O(equipment)) with a single read of the equipment table.
author:
  - isp.provisioning contributors (@isp-provisioning)
options:
  nickname:
    description:
      - Nickname of the equipment; identifies it.
      - Spaces around it, and around every other value, are dropped, as SIMPLer
        stores them.
      - Required unless O(equipment) is given.
    type: str
  description:
    description: Description.
    type: str
  serialnumber:
    description: Serial number.
    type: str
  ipaddress:
    description: IP address (IPv4 or IPv6).
    type: str
  mac:
    description:
      - MAC address (SIMPLer takes C(mac) and reports C(macaddress)). Compared
        without regard to case and separators.
    type: str
  status:
    description: V(stock) for equipment in store, V(use) for deployed equipment.
    type: str
    choices: [stock, use]
  type:
    description:
      - Equipment type, for example V(nanostationsm), V(mikrotikrouter),
        V(genericSM), V(router), V(other). Servers hold types beyond the
        vendor's list, so any value is taken.
    type: str
  imsi:
    description: IMSI of a SIM. Set on create only.
    type: str
  msisdn:
    description: MSISDN of a SIM. Set on create only.
    type: str
  sqn:
    description: SQN of a SIM. Set on create only.
    type: str
  ki:
    description: Ki (secret key) of a SIM. Set on create only; never returned.
    type: str
  opcode:
    description: OPc of a SIM. Set on create only; never returned.
    type: str
  equipment:
    description:
      - Manage many pieces of equipment in one task. Each item takes the
        options above (O(nickname) required) and its own O(state).
      - Mutually exclusive with the single-equipment options.
    type: list
    elements: dict
  equipment_json:
    description:
      - O(equipment) as one JSON text of the same list, for a long list that a
        template gives, such as
        P(isp.provisioning.subscriber_records_unpacked#filter) with C(as_json=true);
        ansible-core checks each value of a templated list before the task
        runs (seconds for 10,000 records), a text once.
      - Mutually exclusive with O(equipment) and the single-equipment options.
      - Masked in the task's output while it is text; once read, its records
        are shown as those of O(equipment) are, their secrets masked.
    type: str
extends_documentation_fragment:
  - isp.provisioning.simpler
  - isp.provisioning.entity
seealso:
  - module: isp.provisioning.simpler_equipment_info
  - module: isp.provisioning.simpler_customer
"""

EXAMPLES = r"""
- name: A subscriber's radio
  isp.provisioning.simpler_equipment:
    url: https://server.azotel.com
    api_username: apiuser
    api_password: "{{ vault_simpler_password }}"
    nickname: cpe_jbloggs
    type: nanostationsm
    mac: 00:15:6D:B7:FA:4E
    ipaddress: 172.16.9.202
    status: use

- name: Every declared piece of equipment, over SOAP
  isp.provisioning.simpler_equipment:
    transport: soap
    equipment: "{{ simpler_equipment }}"
"""

RETURN = r"""
equipment:
  description:
    - The equipment after the task (predicted in check mode), when a single
      piece is managed; without O(ki) and O(opcode).
    - With O(equipment), the list option, the results are in RV(results).
  returned: when a single piece of equipment is managed
  type: dict
  sample: {"id": "32", "nickname": "NS2", "description": "3.2.3-rc", "serialnumber": "",
           "ipaddress": "172.16.9.202", "mac": "00:15:6D:B7:FA:4E", "status": "stock",
           "type": "nanostationsm", "imsi": "", "msisdn": "", "sqn": "",
           "date_added": "2016-08-10 05:49:50.297976"}
results:
  description: One entry per item of O(equipment), in order; with O(results=changed)
    only those with something to report.
  returned: when O(equipment) is given
  type: list
  elements: dict
  contains:
    index:
      description: The place of the record in the declared list, from 0.
      type: int
      returned: for a declared record
    nickname:
      description: The equipment's nickname.
      type: str
    action:
      description: What was (or in check mode, would be) done.
      type: str
      choices: [create, update, none]
    changed:
      description: Whether the equipment changed.
      type: bool
    equipment:
      description: The equipment after the task.
      returned: unless O(result_records=false)
      type: dict
    changes:
      description: The fields an update changed, with their new values.
      type: dict
      returned: on update
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
  description: How many pieces of equipment were created.
  returned: when O(equipment) is given
  type: int
updated:
  description: How many pieces of equipment were updated.
  returned: when O(equipment) is given
  type: int
deleted:
  description: Always 0 (SIMPLer cannot delete equipment).
  returned: when O(equipment) is given
  type: int
unchanged:
  description: How many pieces of equipment needed no change.
  returned: when O(equipment) is given
  type: int
unconfirmed:
  description: How many writes were sent but not read back (see the notes).
  returned: when O(equipment) is given
  type: int
"""

from ansible_collections.isp.provisioning.plugins.module_utils.runner import EntityModule
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.client import connection_spec
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.equipment import (
    SimplerEquipment,
)


def main():
    EntityModule(SimplerEquipment, connection_spec()).run()


if __name__ == "__main__":
    main()
