# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # What every entity module shares: state, the guarded purge, attributes.
    DOCUMENTATION = r"""
options:
  state:
    description:
      - V(present) creates the record, or changes the fields the task names;
        fields the task leaves out are never touched.
      - V(absent) deletes it; a record that does not exist is left as it is
        (no change, no error).
      - In a bulk list, a record's own C(state) wins over this one.
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - With V(true), delete every record within O(purge_scope) that the bulk
        list does not declare (with either state), so that the backend holds
        exactly what the list declares within that scope.
      - Needs the bulk list and O(purge_scope). It refuses to act on an empty
        list.
    type: bool
    default: false
  purge_scope:
    description:
      - "Which of the backend's records a purge may delete, as field names and
        values; every named field must match. Values are shell-style patterns
        compared as text (V(*) matches anything), so that a scope can name a
        prefix (V({name: lab-*})) or every record (V({<identity>: '*'}))."
      - Records outside the scope are never deleted, whatever the list says.
    type: dict
  purge_limit:
    description:
      - The task fails, changing nothing, when a purge would delete more
        records than this. Raise it, deliberately, for a larger clean-up.
    type: int
    default: 10
attributes:
  check_mode:
    support: full
    description: Sends no write request and reports exactly the changes a real run would make.
  diff_mode:
    support: full
    description: Returns the whole record before and after, on create, update and delete.
"""
