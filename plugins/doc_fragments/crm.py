# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.isp.provisioning.plugins.doc_fragments.tls import ConnectionFragment


class ModuleDocFragment(ConnectionFragment):
    # Connection to a neuCRM server's customer API.
    ENV_PREFIX = "ISP_CRM_"
    CONNECTION = r"""
options:
  url:
    description:
      - Base URL of the CRM, the one under which C(api/customer/list) lives,
        for example V(https://crm.example.net/).
    type: str
    required: true
  userid:
    description:
      - Numerical id of the CRM login user the API calls are made as. A user
        that belongs to an ISP or a reseller sees and changes only that ISP's
        or reseller's customers.
    type: int
    required: true
  api_key:
    description:
      - The api_key of O(userid). It travels in the body of every request.
    type: str
    required: true
"""
