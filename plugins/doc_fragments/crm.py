# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection to a neuCRM server's customer API.
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the CRM, the one under which C(api/customer/list) lives,
        for example V(https://crm.example.net/).
      - If not set, the environment variable E(ISP_CRM_URL) is used.
    type: str
    required: true
  userid:
    description:
      - Numerical id of the CRM login user the API calls are made as. A user
        that belongs to an ISP or a reseller sees and changes only that ISP's
        or reseller's customers.
      - If not set, the environment variable E(ISP_CRM_USERID) is used.
    type: int
    required: true
  api_key:
    description:
      - The api_key of O(userid). It travels in the body of every request.
      - If not set, the environment variable E(ISP_CRM_API_KEY) is used.
    type: str
    required: true
"""
