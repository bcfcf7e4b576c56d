"""The export: backends' records joined into subscribers whose fan-out gives them back."""

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.subscriber import (
    EQUIPMENT,
    SECTIONS,
    SHARED,
    Options,
    fan_out,
    validate,
)
from ansible_collections.isp.provisioning.plugins.module_utils.subscriber_export import (
    JoinError,
    export,
    rules,
)

ANA = {
    "id": "SUB-1",
    "name": {"first": "Ana Maria", "last": "Petrova"},
    "contact": {"mobile": "+359888100200", "phone": "+35929001234", "email": "ana@example.net"},
    "address": {"street": "12 Vitosha Blvd", "city": "Sofia", "region": "Sofia City",
                "postcode": "1000", "country": "Bulgaria"},
    "onu": {"sn": "ALCL00A1B2C3", "service": "HGU"},
    "crm": {"resellerid": 3, "notes": "VIP"},
    "billing": {"customerstatus": "current", "payment_method": "cash",
                "equipment": [{"nickname": "cpe_1", "serialnumber": "ALCL00A1B2C3",
                               "description": "SUB-1", "status": "use"}]},
    "ipdr": {"name": "Petrova A."},
    "erp": {"house_id": 12, "apartment": "5"},
}
HARBOUR = {
    "id": "SUB-2", "state": "suspended", "organisation": "Varna Harbour Ltd",
    "contact": {"phone": "+35952600700", "email": "office@harbour.example"},
    "address": {"street": "1 Port Sq", "city": "Varna"},
    "crm": {"uniqueid": "OLD-77"},
    "billing": {"invoicingid": "INV-2", "nickname": "harbour"},
    # UserSide compares logins ignoring case: old-77 is OLD-77's, and is kept as it is.
    "erp": {"login": "old-77", "house_id": 3, "agreement_number": "INV-2"},
}
# HARBOUR's billing customer is found through the agreement number UserSide holds.
BY_AGREEMENT = {"billing": {"field": "invoicingid", "equals": "erp.agreement_number"}}
LONE = {"id": "SUB-3", "name": {"first": "Ivan", "last": "Ivanov"},
        "contact": {"mobile": "+359888000003", "email": "ivan@example.net"},
        "address": {"street": "3 Main St", "city": "Ruse", "region": "Ruse",
                    "postcode": "7000"},
        "crm": {}, "ipdr": {}}


def held(*subscribers):
    """What the backends hold after converging these subscribers, as _info's
    format: declare gives it: each section's records, without the task's state."""
    checked, problems = validate([dict(s) for s in subscribers])
    assert problems == []
    return {name: [{k: v for k, v in record.items() if k != "state"}
                   for record in out["records"]]
            for name, out in fan_out(checked).items()}


def exported(records, **rules_given):
    subscribers, review, summary = export(records, **rules_given)
    checked, problems = validate([dict(s) for s in subscribers])
    assert problems == []
    return subscribers, review, summary, held(*checked)


def test_the_fan_out_of_an_export_gives_every_record_back():
    # (in the order of their ids, which is the export's)
    records = held(ANA, dict(HARBOUR, id="SUB-2", crm={}, erp={"house_id": 3},
                             billing={"nickname": "harbour"}), LONE)
    subscribers, review, summary, again = exported(records)
    assert review == {}
    assert summary == {"subscribers": 3, "unmatched": 0, "ambiguous": 0, "conflict": 0,
                       "invalid": 0, "left_out": 0}
    assert again == records


def test_an_export_writes_each_shared_fact_once_and_only_overrides_in_sections():
    subscribers, _review, _summary, _again = exported(held(ANA, LONE))
    ana = subscribers[0]
    assert ana == ANA  # names, contact and address shared; the IPDR's own name kept
    assert subscribers[1] == LONE


def test_identities_other_than_the_default_are_kept_in_the_sections():
    records = held(HARBOUR)
    # HARBOUR's subscriber id is no key of any backend: the CRM's uniqueid names it.
    subscribers, _review, _summary, again = exported(records, join=BY_AGREEMENT)
    assert [s["id"] for s in subscribers] == ["OLD-77"]
    assert subscribers[0]["billing"] == {"invoicingid": "INV-2", "nickname": "harbour"}
    assert subscribers[0]["erp"]["login"] == "old-77"
    assert again == records


def test_a_fact_one_backend_lacks_stays_with_the_backends_that_hold_it():
    records = held(LONE)
    del records["ipdr"][0]["email"]
    subscribers, _review, _summary, again = exported(records)
    assert "email" not in subscribers[0]["contact"]
    assert subscribers[0]["crm"] == {"email": "ivan@example.net"}
    assert again == records  # the converge adds no e-mail to the IPDR record


def test_fields_a_backend_holds_differently_are_overrides_of_that_backend():
    records = held(ANA)
    records["erp"][0]["mobile_phone"] = "0888 100 200"
    subscribers, _review, _summary, again = exported(records)
    assert subscribers[0]["contact"]["mobile"] == "+359888100200"  # the CRM's word
    assert subscribers[0]["erp"]["mobile_phone"] == "0888 100 200"
    assert again == records


def test_records_no_subscriber_matches_are_reviewed_with_the_reason():
    records = held(ANA)
    records["billing"].append({"invoicingid": "SUB-9", "name": "Nobody", "nickname": "nobody"})
    records["onu"].append({"sn": "ALCL0000FFFF", "name": "spare", "enabled": True})
    records["crm"].append({"type": "Individual", "name": "No", "surname": "Key"})
    subscribers, review, summary, again = exported(records)
    assert [s["id"] for s in subscribers] == ["SUB-1"]
    assert {name: [(e["key"], e["problem"]) for e in entries]
            for name, entries in review.items()} == {
        "billing": [("SUB-9", "unmatched")],
        "onu": [("ALCL0000FFFF", "unmatched")],
        "crm": [(None, "unmatched")],
    }
    assert review["onu"][0]["reason"] == (
        "no subscriber matches it (onu.sn = billing_equipment.serialnumber)")
    assert review["crm"][0]["reason"] == (
        "no uniqueid, which the join rule crm.uniqueid = the subscriber id reads")
    assert summary["unmatched"] == 3


def test_records_that_match_two_are_reviewed_and_joined_to_neither():
    records = held(ANA, LONE)
    twin = dict(records["ipdr"][1], name="Ivanov twin")
    records["ipdr"].append(twin)  # two IPDR records of SUB-3 (UserID compared as stored)
    records["billing_equipment"].append(
        {"nickname": "cpe_x", "serialnumber": "ALCL00A1B2C3", "description": "SUB-1"})
    subscribers, review, summary, _again = exported(records)
    assert "ipdr" not in subscribers[1]
    assert [e["reason"] for e in review["ipdr"]] == [
        "2 ipdr records match subscriber SUB-3 (ipdr.user_id = the subscriber id)"] * 2
    # in an order of their own, not the backend's
    records["ipdr"][1:] = records["ipdr"][1:][::-1]
    assert export(records)[1] == review
    # Two pieces of SUB-1's equipment carry the serial: the ONU is joined to SUB-1 once.
    assert subscribers[0]["onu"]["sn"] == "ALCL00A1B2C3"
    assert summary["ambiguous"] == 2


def test_an_onu_two_subscribers_claim_is_ambiguous():
    records = held(ANA, LONE)
    records["billing"].append({"invoicingid": "SUB-3", "name": "Ivan Ivanov",
                               "nickname": "SUB_3"})
    records["billing_equipment"].append(
        {"nickname": "cpe_3", "serialnumber": "alcl00a1b2c3", "description": "SUB-3"})
    subscribers, review, _summary, _again = exported(records)
    assert "onu" not in subscribers[0]
    assert review["onu"][0]["reason"] == (
        "subscribers SUB-1, SUB-3 all match it (onu.sn = billing_equipment.serialnumber)")


def test_a_state_the_backends_disagree_on_leaves_the_odd_section_out():
    records = held(ANA)
    records["onu"][0]["enabled"] = False  # disabled on the ONU server, active in UserSide
    subscribers, review, summary, _again = exported(records)
    assert "onu" not in subscribers[0] and "state" not in subscribers[0]
    assert review["onu"][0]["reason"] == (
        "says suspended where erp active; left out of subscriber SUB-1")
    records["erp"][0]["status"] = "archived"
    _subscribers, review, _summary, _again = exported(records)
    assert review["erp"][0]["problem"] == "conflict"
    assert summary["conflict"] == 1


def test_a_subscriber_the_backends_cannot_take_is_reviewed_not_written():
    records = held(LONE)
    for name in ("crm", "ipdr"):
        records[name][0][SECTIONS[name].identity] = "SUB.3"  # no IPDR UserID has a dot
    subscribers, review, summary, _again = exported(records)
    assert subscribers == []
    assert summary["invalid"] == 2 and set(review) == {"crm", "ipdr"}
    assert "its subscriber cannot be written" in review["ipdr"][0]["reason"]


def test_secrets_never_reach_a_subscriber():
    records = held(ANA)
    records["billing_equipment"][0].update(ki="0123456789abcdef", opcode="fedcba")
    subscribers, _review, _summary, _again = exported(records)
    assert set(subscribers[0]["billing"]["equipment"][0]) == {
        "description", "nickname", "serialnumber", "status"}


def test_join_rules_the_user_states():
    records = held(ANA)
    records["onu"][0]["sn"] = "ALCL00000042"
    records["erp"][0]["comment"] = "ALCL00000042"
    subscribers, review, _summary, again = exported(
        records, join={"onu": {"field": "sn", "equals": "erp.comment"}})
    assert review == {} and subscribers[0]["onu"]["sn"] == "ALCL00000042"
    assert again == records


def test_the_default_rules_follow_the_fan_out_identities():
    ordered, anchors = rules()
    said = {rule.section: rule.says() for rule in ordered}
    for name, section in SECTIONS.items():
        if section.default_identity:
            assert said[name] == f"{name}.{section.identity} = the subscriber id"
    assert said[EQUIPMENT.name] == "billing_equipment.description = billing.invoicingid"
    assert anchors == ["crm"]
    # each rule comes after the section it reads
    seen = []
    for rule in ordered:
        assert rule.after is None or rule.after in seen
        seen.append(rule.section)


@pytest.mark.parametrize("join, anchors, says", [
    ({"radius": "login"}, None, "join: radius is no section"),
    ({"onu": {"field": "sn", "equals": "onu.sn"}}, None, "join.onu.equals"),
    ({"onu": {"field": "sn", "equals": "billing.custom_fields.7"},
      "billing": {"field": "invoicingid", "equals": "onu.sn"}}, None, "in a circle"),
    (None, ["onu"], "anchors: onu must be a section joined on the subscriber id"),
    ({"crm": {"column": "x"}}, None, "join.crm: give a field name"),
])
def test_join_rules_that_cannot_work_are_refused(join, anchors, says):
    with pytest.raises(JoinError, match=says):
        rules(join, anchors)


def test_every_shared_field_either_composes_back_what_it_parses_or_parses_nothing():
    person = {"id": "S", "state": "active", "organisation": None,
              "name": {"first": "Ana", "last": "Petrova"},
              "contact": ANA["contact"], "address": ANA["address"]}
    records = {name: {field: shared(person) for field, shared in fields.items()}
               for name, fields in SHARED.items()}
    for name, fields in SHARED.items():
        for field, shared in fields.items():
            for path, value in shared.parse(records[name][field], records[name]).items():
                group, _dot, part = path.partition(".")
                assert (person[group][part] if part else person[group]) == value, path


def test_a_backend_without_the_person_or_organisation_field_keeps_the_names_to_itself():
    records = held(LONE)
    records["billing"] = [{"invoicingid": "SUB-3", "nickname": "SUB_3", "name": "Ivan Ivanov"}]
    subscribers, review, _summary, again = exported(records)
    # billing holds no type: a shared name would make the fan-out send one
    assert review == {} and "name" not in subscribers[0]
    assert subscribers[0]["crm"]["name"] == "Ivan" and subscribers[0]["billing"] == {
        "name": "Ivan Ivanov"}
    assert again == records


def test_an_export_without_its_anchors_read_is_refused():
    records = held(ANA)
    del records["crm"]
    with pytest.raises(JoinError, match=r"no anchor section \(crm\) was read"):
        export(records)
    subscribers, _review, _summary = export(records, anchors=["erp"])
    assert [s["id"] for s in subscribers] == ["SUB-1"]


def test_an_id_the_server_assigned_is_left_to_the_server():
    records = held(ANA)
    records["crm"][0]["customerid"] = 4711  # what format: declare gives beside the uniqueid
    subscribers, _review, _summary, again = exported(records)
    assert subscribers[0]["crm"] == {"notes": "VIP", "resellerid": 3}
    del records["crm"][0]["customerid"]
    assert again == records  # the converge finds the customer by its uniqueid


@pytest.mark.parametrize("section, join", [
    ("erp", {"erp": "agreement_number"}),
    ("billing", {"billing": {"field": "email", "equals": "crm.email"}}),
    ("crm", {"crm": {"field": "email", "equals": "ipdr.email"}}),
])
def test_a_record_joined_by_another_field_without_its_identity_is_reviewed(section, join):
    # Written without the identity, the fan-out would name it SUB-1 and the
    # converge create a second customer beside it.
    records = held(dict(ANA, erp=dict(ANA["erp"], agreement_number="SUB-1")))
    identity = SECTIONS[section].identity
    del records[section][0][identity]
    anchors = ["ipdr"] if section == "crm" else None
    subscribers, review, summary, again = exported(records, join=join, anchors=anchors)
    assert section not in subscribers[0]
    assert [e["reason"] for e in review[section]] == [
        f"holds no {identity}, which the fan-out would set to 'SUB-1'; "
        "left out of subscriber SUB-1"]
    assert summary["conflict"] == 1
    assert again[section] == []  # nothing for the converge to create


def test_the_billing_status_the_role_suspends_with_is_read_back_as_the_state():
    suspended = Options(billing_suspended_status="suspended")
    harbour = dict(HARBOUR, billing={"invoicingid": "INV-2", "nickname": "harbour",
                                     "customerstatus": "current"})
    records = held(harbour)
    subscribers, review, _summary = export(records, join=BY_AGREEMENT, options=suspended)
    # current is no suspended subscriber's status: the converge would change it
    assert "billing" not in subscribers[0] and review["billing"][0]["reason"] == (
        "holds customerstatus: 'current' where the subscriber is suspended, which the "
        "fan-out would set to customerstatus: 'suspended'; left out of subscriber OLD-77")
    records["billing"][0]["customerstatus"] = "suspended"
    subscribers, review, _summary = export(records, join=BY_AGREEMENT, options=suspended)
    assert review == {} and subscribers[0]["state"] == "suspended"
    assert "customerstatus" not in subscribers[0]["billing"]  # the converge derives it
    # without a lifecycle to say it (no ONU, no UserSide), the status says it
    alone, _review, _summary = export(dict(records, erp=[]), join={}, anchors=["billing"],
                                      options=suspended)
    assert alone[0]["state"] == "suspended" and "customerstatus" not in alone[0]["billing"]
    checked, _problems = validate([dict(s) for s in subscribers])
    assert [{k: v for k, v in r.items() if k != "state"}
            for r in fan_out(checked, suspended)["billing"]["records"]] == records["billing"]


def test_values_the_declarations_left_out_are_reviewed_with_their_record():
    records = held(ANA)
    reason = "status 'archived' is none of the entity module's choices (active, paused)"
    subscribers, review, summary, again = exported(
        records, left_out={"erp": [{"key": "SUB-1", "field": "status", "reason": reason}]})
    assert again == records  # the record itself is exported
    assert review == {"erp": [{
        "key": "SUB-1", "problem": "left_out", "record": records["erp"][0],
        "reason": f"its status is not in the repository: {reason} (the converge leaves it "
                  "as the backend holds it)"}]}
    assert summary["left_out"] == 1 and subscribers[0]["erp"]


def test_what_joins_through_a_reviewed_record_says_so():
    records = held(ANA)
    records["billing"].append(dict(records["billing"][0], name="Twin"))  # SUB-1's, twice
    _subscribers, review, _summary, _again = exported(records)
    assert [e["problem"] for e in review["billing"]] == ["ambiguous", "ambiguous"]
    assert review["billing_equipment"][0]["reason"] == (
        "the billing record it joins through is in this review, left out of its subscriber "
        "(billing_equipment.description = billing.invoicingid)")
    assert review["onu"][0]["reason"] == (
        "the billing_equipment record it joins through is in this review, left out of its "
        "subscriber (onu.sn = billing_equipment.serialnumber)")


def test_a_join_on_another_key_compares_it_as_the_backend_does():
    # UserSide compares every natural key ignoring case, the agreement number too.
    records = held(dict(ANA, erp=dict(ANA["erp"], agreement_number="sub-1")))
    subscribers, review, _summary, again = exported(records, join={"erp": "agreement_number"})
    assert review == {} and subscribers[0]["erp"]["agreement_number"] == "sub-1"
    assert again == records


def test_ids_that_differ_only_in_case_are_reviewed_not_written_to_one_file():
    records = held(LONE, dict(LONE, id="sub-3"))
    subscribers, review, summary, _again = exported(records)
    assert subscribers == [] and summary["invalid"] == 4
    assert review["crm"][0]["reason"] == (
        "its subscriber cannot be written: its file SUB-3.yml is that of sub-3 on a file "
        "system that ignores case")
