#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: subscriber_export
short_description: Write the backends' records as a subscriber repository
version_added: 0.1.0
description:
  - Joins the records each backend holds (as the backends' _info modules return
    them with C(format=declare)) into subscribers by the O(join) rules, and
    writes one file per subscriber into O(path), in the layout the
    C(isp.provisioning.subscribers) inventory plugin reads. The
    C(isp.provisioning.export) playbook reads the backends and runs it.
  - Each subscriber's fan-out (the C(isp.provisioning.subscribers) role) gives
    back exactly the records it was made of, so converging an export changes
    nothing. Shared facts (name, contact, address) are taken from the first of
    C(crm), C(billing), C(erp), C(ipdr), C(onu) that holds them in parts; a
    backend field that holds them differently, and every field of a backend's
    own, is kept in that backend's section.
  - Records that match no subscriber, match two, or that their subscriber
    cannot express are written to O(review_file), by backend section, with the
    reason; the summary counts them. None is dropped silently.
  - Files are written only when their bytes change, with keys in a fixed order,
    so that a second export of the same backends changes no file. The files in
    O(path) are read as the inventory plugin reads them; a subscriber that a file
    of its own holds (anywhere under O(path), named anyhow) is rewritten there; a
    new one is written to C(<id>.yml) at the top; one that a file of many holds
    (a list) is not written, and named in RV(in_lists). Subscriber files in
    O(path) that this export does not write are left alone and named in
    RV(stale).
  - The records hold no secret (C(format=declare) leaves them out, and any
    field declared secret is dropped here too); no connection setting is written.
author:
  - isp.provisioning contributors (@isp-provisioning)
options:
  path:
    description: The folder of subscriber files (created when missing).
    type: path
    required: true
  review_file:
    description:
      - The file the records that could not be joined are written to, outside
        O(path) (the inventory plugin would read it as subscribers).
      - Defaults to O(path) with C(.review.yml) appended (C(subscribers.review.yml)
        beside C(subscribers/)).
    type: path
  records:
    description:
      - Section -> the records that backend holds, each as one item of its entity
        module's bulk list. Sections C(onu), C(crm), C(billing), C(ipdr), C(erp),
        C(billing_equipment) (SIMPLer equipment).
      - A section left out was not read, and no subscriber gets it.
    type: dict
    required: true
  join:
    description:
      - Section -> how its records are matched to subscribers. A field name (the
        record's field equals the subscriber id) or C({field, equals}), where
        C(equals) is C(id) or C(<section>.<field>[.<key>]), a field of the
        subscriber's record in another section (a list's items each offer theirs).
        Keys are compared as the backend compares them (ONU serials and UserSide
        logins ignoring case).
      - "Defaults: C(crm: uniqueid), C(billing: invoicingid), C(ipdr: user_id),
        C(erp: login) - the identities the fan-out derives from the subscriber id;
        C(onu: {field: sn, equals: billing_equipment.serialnumber}) - the ONU whose
        serial is that of a piece of the subscriber's SIMPLer equipment;
        C(billing_equipment: {field: description, equals: billing.invoicingid}) -
        equipment whose description names the customer's invoicing id."
    type: dict
    default: {}
  anchors:
    description:
      - The sections whose records are the subscribers, each record's joined field
        being a subscriber id. Every other section's records join these.
    type: list
    elements: str
    default: [crm]
  left_out:
    description:
      - Section -> the values each backend's _info module left out of its
        declarations (its RV(isp.provisioning.onu_customer_info#module:left_out)
        and the like), each C({key, field, reason}). Each goes to the review with its
        record, as C(left_out); the repository does not say the value, and the
        converge leaves it as the backend holds it.
    type: dict
    default: {}
  billing_suspended_status:
    description:
      - The SIMPLer customer status a suspended subscriber gets, the role's
        C(subscribers_billing_suspended_status), which the repository will be
        converged with. A SIMPLer customer with this status says the subscriber
        is suspended (as a disabled ONU and a paused UserSide customer do), and
        the status is then not written in the section; any other status says
        active.
      - Unset, the status is written in the section as it is.
    type: str
attributes:
  check_mode:
    support: full
    description: Reports what would be written, and writes nothing.
  diff_mode:
    support: full
    description: Each file that changes, before and after.
"""

EXAMPLES = r"""
- name: Write the subscribers of the records read before
  isp.provisioning.subscriber_export:
    path: "{{ playbook_dir }}/subscribers"
    records:
      crm: "{{ crm_export.customers }}"
      ipdr: "{{ ipdr_export.customers }}"
    join:
      ipdr: user_id
      onu:
        field: sn
        equals: erp.comment
"""

RETURN = r"""
summary:
  description: Subscribers written, and the records reviewed by problem.
  returned: always
  type: dict
  sample: {"subscribers": 240, "unmatched": 6, "ambiguous": 4, "conflict": 1, "invalid": 0,
           "left_out": 0}
written:
  description: The files written (in check mode, that would be), the review file too.
  returned: always
  type: list
  elements: str
stale:
  description: Subscriber files in O(path) that this export did not write, relative to it.
  returned: always
  type: list
  elements: str
in_lists:
  description:
    - "The subscribers this export did not write because a file holding a list of
      subscribers holds them, each as V(<id>: <file>[<index>]). Update them in
      that file by hand (a file of their own beside it would declare them twice)."
  returned: always
  type: list
  elements: str
  sample: ["SUB-000101: sofia/flats.yml[3]"]
review_file:
  description: The review file's path.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.isp.provisioning.plugins.module_utils.subscriber_export import (
    DEFAULT_ANCHORS,
    export_repository,
)


def main():
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "required": True},
            "review_file": {"type": "path"},
            "records": {"type": "dict", "required": True},
            "join": {"type": "dict", "default": {}},
            "anchors": {"type": "list", "elements": "str", "default": list(DEFAULT_ANCHORS)},
            "billing_suspended_status": {"type": "str"},
            "left_out": {"type": "dict", "default": {}},
        },
        supports_check_mode=True,
    )
    export_repository(module)


if __name__ == "__main__":
    main()
