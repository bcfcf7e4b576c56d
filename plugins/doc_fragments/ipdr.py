# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.isp.provisioning.plugins.doc_fragments.tls import ConnectionFragment


class ModuleDocFragment(ConnectionFragment):
    # Connection to a Trisul IPDR server's customers API.
    ENV_PREFIX = "ISP_IPDR_"
    CONNECTION = r"""
options:
  url:
    description:
      - Base URL of the Trisul server, the part before C(/api/ipdrcustomers),
        for example V(https://trisul.example.net:8000).
    type: str
    required: true
  username:
    description:
      - The Trisul user the API token belongs to.
    type: str
    required: true
  api_token:
    description:
      - The user's API token (Admin, Manage Users, Generate API Token).
    type: str
    required: true
  context:
    description:
      - The Trisul context whose customers the task manages. Every context
        holds its own customers; O(username) must be allowed to access it.
      - A purge never reaches beyond this context.
    type: str
    default: default
notes:
  - The server answers errors (a wrong token, an unknown context, a context
    the user may not access) with HTTP 200; the module reads the answer's
    body and fails with the server's message.
"""
