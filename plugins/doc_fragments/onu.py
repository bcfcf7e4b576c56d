# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.isp.provisioning.plugins.doc_fragments.tls import ConnectionFragment


class ModuleDocFragment(ConnectionFragment):
    # Connection to a RAISEPON 2.0 ONU provisioning server.
    ENV_PREFIX = "ISP_ONU_"
    CONNECTION = r"""
options:
  url:
    description:
      - URL of the server's API folder, the one that holds C(api_login.php),
        for example V(https://onu.example.net/raisepon/API/).
    type: str
    required: true
  username:
    description:
      - Account to log in with. Changes need an operator (type 6) or admin
        (type 9) account; reads need at least a visitor (type 3) account.
    type: str
    required: true
  password:
    description:
      - Password of O(username).
    type: str
    required: true
  token_cache:
    description:
      - The server refuses every new token for its first ten seconds, so each
        task that logs in waits ten seconds. With V(true), the token is kept in
        a file readable only by its owner, under C($XDG_CACHE_HOME/isp.provisioning/)
        (by default C(~/.cache/isp.provisioning/)), and reused by later tasks
        until five minutes before it expires, so that a playbook pays the wait once.
      - The file is named by a hash of url, username and password; a token the
        server no longer accepts is dropped and replaced by a new login.
    type: bool
    default: false
"""
