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
  result_records:
    description:
      - Whether each entry of RV(results) carries the whole record as it is after
        the task. With V(false) an entry has the identity, C(action), C(changed),
        C(changes), C(purged) and a refusal's C(msg) only - for large lists, whose
        records are most of the task's output (the diff still has them all).
      - A task without a bulk list always returns its record.
    type: bool
    default: true
  results:
    description:
      - Which records RV(results) lists. V(all) lists every declared record, in
        order, then every purged one.
      - V(changed) lists only the records with something to report - written (or,
        in check mode, to be written), refused, not confirmed, not written - and
        the purged ones, still in order; a record left as it was is only counted
        (RV(unchanged)). Each declared record's entry has its C(index) in the list,
        so a caller maps entries back to what it declared. For large lists, whose
        no-op entries are most of the task's output and of what a controller keeps.
      - Check mode, the diff and the counters are the same with either.
      - A task without a bulk list always returns its record.
    type: str
    choices: [all, changed]
    default: all
  purge_shard:
    description:
      - This task's share of a purge that several tasks share (the shards of the
        C(isp.provisioning.subscribers) inventory plugin, run by Ansible's forks or
        by the slices of an AWX sliced job). A record is this task's to purge only
        when the text of its O(purge_shard.by) field hashes to O(purge_shard.index)
        of O(purge_shard.count) shards, and O(purge_shard.keep) does not hold it.
      - So shards that each declare only their own records never delete each
        other's, whatever order they run in. O(purge_limit) applies to each
        shard, so a run over N shards deletes at most N times O(purge_limit).
      - Without it, the task's purge covers every record in O(purge_scope).
    type: dict
    suboptions:
      index:
        description: This shard, from V(0) to O(purge_shard.count) - 1.
        type: int
        required: true
      count:
        description: How many shards share the purge.
        type: int
        required: true
      by:
        description:
          - The field whose value places a record on a shard (compared as the
            backend compares it, for example without case where it folds case).
          - Defaults to the record's identity.
        type: str
      keep:
        description:
          - Values of O(purge_shard.by) that other shards declare (or that must
            never be purged) and that hash to this shard; these records are not
            deleted.
        type: list
        elements: str
        default: []
notes:
  - >-
    A write that was sent but could not be read back (the read failed, also
    the one after a lost answer) is never reported as failed: its entry in
    RV(results) has C(unconfirmed=true), C(changed=true) and a C(msg) saying
    what is known (C(written; reading it back failed: ...)), and it is counted
    in RV(unconfirmed), not in RV(created) or RV(updated). The task then fails,
    asking for another run, which reads the records afresh and writes only what
    is still missing.
  - >-
    When the backend stops the task (it cannot be reached, refuses the
    credentials), each record whose write was not made has an entry in
    RV(results) with C(not_written=true), C(changed=false) and a C(msg) saying
    why - the write that found the backend down, and the ones never sent after it;
    the record is shown as the backend holds it. A write that made a step before
    the backend went down (a record partly made) is not confirmed instead.
attributes:
  check_mode:
    support: full
    description: Sends no write request and reports exactly the changes a real run would make.
  diff_mode:
    support: full
    description: Returns the whole record before and after, on create, update and delete.
"""

    # The JSON text of a module's list option O(customers) (SIMPLer equipment,
    # whose list is O(equipment), says its own).
    CUSTOMERS_JSON = r"""
options:
  customers_json:
    description:
      - O(customers) as one JSON text of the same list, for a long list that a
        template gives, such as
        P(isp.provisioning.subscriber_records_unpacked#filter) with C(as_json=true);
        ansible-core checks each value of a templated list before the task
        runs (seconds for 10,000 records), a text once.
      - Mutually exclusive with O(customers) and the single-customer options.
      - Masked in the task's output while it is text; once read, its records
        are shown as those of O(customers) are, their secrets masked.
    type: str
"""
