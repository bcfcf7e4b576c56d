# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Filters of every _info module.
    DOCUMENTATION = r"""
options:
  filters:
    description:
      - Return only records whose fields match, as field names and values;
        every named field must match. Values are shell-style patterns compared
        as text (V(*) matches anything, V(?) one character); a boolean matches
        a boolean field exactly.
      - The fields are those of a returned record.
    type: dict
    default: {}
attributes:
  check_mode:
    support: full
    description: The module never changes anything.
  diff_mode:
    support: none
    description: The module never changes anything.
"""

    # The format of the _info modules of entities an entity module writes
    # (every one but onu_service_info): isp.provisioning.info.declare.
    DECLARE = r"""
options:
  format:
    description:
      - How records are returned.
      - V(info) returns each record as it is read, server-assigned and
        read-only fields included (secrets never).
      - V(declare) returns each record as an item of the bulk list of the entity
        module named under See Also, so that the list fed back into that module
        changes nothing - the start of a subscriber repository from what a
        backend holds. Each holds the record's identity and the fields a
        task can set, in the types the module takes; read-only and
        server-assigned fields (ids, timestamps, balances), secrets and unset
        values (null, empty text, empty lists) are left out (a field a task
        leaves out is never touched). A value the entity module would refuse
        (none of its choices, beyond a limit of the field) is left out too,
        with a warning naming the record and the field, and returned in
        RV(left_out).
    type: str
    choices: [info, declare]
    default: info
"""
