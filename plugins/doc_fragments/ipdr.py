# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection to a Trisul IPDR server's customers API.
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the Trisul server, the part before C(/api/ipdrcustomers),
        for example V(https://trisul.example.net:8000).
      - If not set, the environment variable E(ISP_IPDR_URL) is used.
    type: str
    required: true
  username:
    description:
      - The Trisul user the API token belongs to.
      - If not set, the environment variable E(ISP_IPDR_USERNAME) is used.
    type: str
    required: true
  api_token:
    description:
      - The user's API token (Admin, Manage Users, Generate API Token).
      - If not set, the environment variable E(ISP_IPDR_API_TOKEN) is used.
    type: str
    required: true
  context:
    description:
      - The Trisul context whose customers the task manages. Every context
        holds its own customers; O(username) must be allowed to access it.
      - A purge never reaches beyond this context.
      - If not set, the environment variable E(ISP_IPDR_CONTEXT) is used.
    type: str
    default: default
notes:
  - The server answers errors (a wrong token, an unknown context, a context
    the user may not access) with HTTP 200; the module reads the answer's
    body and fails with the server's message.
"""
