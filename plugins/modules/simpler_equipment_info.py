#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: simpler_equipment_info
short_description: Read equipment records from Azotel SIMPLer
version_added: 0.1.0
description:
  - Returns equipment by O(nickname) or O(id), or every piece of equipment,
    optionally narrowed by O(filters), from one read of the equipment table.
  - The SIM secrets C(ki) and C(opcode) are never returned.
author:
  - isp.provisioning contributors (@isp-provisioning)
options:
  nickname:
    description: Return the equipment with this nickname.
    type: str
  id:
    description: Return the equipment with this SIMPLer id.
    type: str
extends_documentation_fragment:
  - isp.provisioning.simpler
  - isp.provisioning.info
  - isp.provisioning.info.declare
seealso:
  - module: isp.provisioning.simpler_equipment
"""

EXAMPLES = r"""
- name: One piece of equipment
  isp.provisioning.simpler_equipment_info:
    url: https://server.azotel.com
    api_username: apiuser
    api_password: "{{ vault_simpler_password }}"
    nickname: NS2

- name: Equipment in stock
  isp.provisioning.simpler_equipment_info:
    filters:
      status: stock

- name: Every one of the SIMPLer equipment, as simpler_equipment takes them
  isp.provisioning.simpler_equipment_info:
    format: declare
  register: export

- name: Fed back, they change nothing
  isp.provisioning.simpler_equipment:
    equipment: "{{ export.equipment }}"
"""

RETURN = r"""
equipment:
  description:
    - The matching equipment, in the server's order; empty when none match.
    - >-
      With O(format=declare), each holds instead the options of one item of the
      O(isp.provisioning.simpler_equipment#module:equipment) list, such as C({"nickname":
      "NS2", "description": "3.2.3-rc", "ipaddress": "172.16.9.202", "mac":
      "00:15:6D:B7:FA:4E", "status": "stock", "type": "nanostationsm"}); no read-only or
      server-assigned field, no secret, no unset value.
  returned: always
  type: list
  elements: dict
  sample: [{"id": "32", "nickname": "NS2", "description": "3.2.3-rc", "serialnumber": "",
            "ipaddress": "172.16.9.202", "mac": "00:15:6D:B7:FA:4E", "status": "stock",
            "type": "nanostationsm", "imsi": "", "msisdn": "", "sqn": "",
            "date_added": "2016-08-10 05:49:50.297976"}]
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
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.equipment import (
    SimplerEquipment,
)


def main():
    InfoModule(SimplerEquipment, connection_spec()).run()


if __name__ == "__main__":
    main()
