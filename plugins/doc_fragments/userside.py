# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.isp.provisioning.plugins.doc_fragments.tls import ConnectionFragment


class ModuleDocFragment(ConnectionFragment):
    # Connection to a UserSide ERP API (api.php, category customer).
    ENV_PREFIX = "ISP_USERSIDE_"
    CONNECTION = r"""
options:
  url:
    description:
      - URL of the UserSide installation, the folder that holds C(api.php),
        for example V(https://erp.example.net/); a URL ending in C(api.php)
        is accepted too.
    type: str
    required: true
  api_key:
    description:
      - The API key (UserSide's C(key) parameter). It travels in the query
        string of every request; the modules mask it in every message.
    type: str
    required: true
notes:
  - Writes are always sent with POST, which every UserSide version accepts
    (3.21 and later refuse writes sent with GET). Answers are read in both
    envelope spellings (C(Result)/C(Data)/C(Id)/C(ErrorText) and the lower-case
    C(result)/C(data)/C(id)/C(error) of newer installations).
"""
