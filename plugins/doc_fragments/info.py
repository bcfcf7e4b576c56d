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
