#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: onu_service_info
short_description: Read the service profiles of a RAISEPON ONU provisioning server
version_added: 0.1.0
description:
  - Returns the service profiles an ONU customer can be given, with their ids
    and names, optionally one by O(id) or O(name), or narrowed by O(filters).
author:
  - isp.provisioning contributors (@isp-provisioning)
options:
  id:
    description: Return the service with this id.
    type: str
  name:
    description: Return the service with this name (a shell-style pattern).
    type: str
extends_documentation_fragment:
  - isp.provisioning.onu
  - isp.provisioning.info
seealso:
  - module: isp.provisioning.onu_customer
"""

EXAMPLES = r"""
- name: Every service profile
  isp.provisioning.onu_service_info:
    url: https://onu.example.net/raisepon/API/
    username: visitor
    password: "{{ vault_onu_password }}"
  register: onu_services

- name: HGU profiles only
  isp.provisioning.onu_service_info:
    name: "HGU*"
"""

RETURN = r"""
services:
  description: The matching services; empty when none match.
  returned: always
  type: list
  elements: dict
  sample: [{"id": "3", "name": "Internet_4port"}, {"id": "8", "name": "HGU"}]
"""

from ansible_collections.isp.provisioning.plugins.module_utils.onu.client import connection_spec
from ansible_collections.isp.provisioning.plugins.module_utils.onu.services import OnuServices
from ansible_collections.isp.provisioning.plugins.module_utils.runner import InfoModule


def main():
    InfoModule(OnuServices, connection_spec()).run()


if __name__ == "__main__":
    main()
