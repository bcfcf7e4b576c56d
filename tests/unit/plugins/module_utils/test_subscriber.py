"""The subscriber record: its checks, its fan-out, and the fan-out table of the docs."""

import pathlib
import re

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.subscriber import (
    EQUIPMENT,
    SECTIONS,
    SHARED,
    Options,
    fan_out,
    nickname_of,
    validate,
)

DOCS = pathlib.Path(__file__).parents[4] / "docs" / "subscribers.md"


def person(**extra):
    record = {
        "id": "SUB-1",
        "name": {"first": "Ana", "last": "Petrova"},
        "contact": {"mobile": "+359888100200", "phone": "+35929001234",
                    "email": "ana@example.net"},
        "address": {"street": "12 Vitosha Blvd", "city": "Sofia", "region": "Sofia City",
                    "postcode": "1000", "country": "Bulgaria"},
        "onu": {"sn": "ALCL00A1B2C3"},
        "crm": {"resellerid": 3},
        "billing": {},
        "ipdr": {},
        "erp": {"house_id": 12},
    }
    record.update(extra)
    return record


def valid(*records, **options):
    checked, problems = validate(list(records))
    assert problems == []
    return fan_out(checked, Options(**options))


# --- the declarations the mapping names ------------------------------------------------
def test_every_section_has_a_shared_mapping():
    assert list(SHARED) == list(SECTIONS)


@pytest.mark.parametrize("name", list(SECTIONS))
def test_every_field_the_fan_out_sets_is_a_writable_field_of_the_backend(name):
    section = SECTIONS[name]
    writable = {field.name for field in section.spec.writable}
    named = set(SHARED[name]) | set(section.defaults) | set(section.owned) | {section.identity}
    assert named <= writable, f"{name}: not fields of {section.module}: {named - writable}"


def test_the_option_set_suspension_status_is_a_billing_field():
    for name, fields in Options.suspending.items():
        assert set(fields) <= {f.name for f in SECTIONS[name].spec.writable}


def test_sections_leave_out_state_and_what_the_lifecycle_sets():
    onu = SECTIONS["onu"].argument_spec()
    assert "state" not in onu and "enabled" not in onu
    assert "required" not in onu["sn"]
    assert "status" not in SECTIONS["erp"].argument_spec()


# --- the docs -------------------------------------------------------------------------
def table_at(marker):
    """(header, rows) of the Markdown table on or after the docs' line holding ``marker``."""
    lines = DOCS.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if marker in line)
    if not lines[start].startswith("|"):
        start += 1
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows[0], rows[2:]  # the header; the rows after the |---| line


def quoted(cell):
    """The `names` a cell gives, leaving out the notes in parentheses."""
    return set(re.findall(r"`([^`]+)`", re.sub(r"\([^)]*\)", "", cell)))


def test_the_docs_fan_out_table_names_exactly_the_shared_fields():
    header, rows = table_at("fan-out table:")
    columns = {next(iter(quoted(cell))): index for index, cell in enumerate(header) if quoted(cell)}
    assert set(columns) == set(SECTIONS)
    for name, index in columns.items():
        documented = set().union(*(quoted(row[index]) for row in rows))
        assert documented == set(SHARED[name]), name


IDENTITIES = "| section | identity field | default |"


def test_the_docs_identity_table_names_each_sections_identity():
    _header, rows = table_at(IDENTITIES)
    documented = {quoted(row[0]).pop(): quoted(row[1]).pop() for row in rows}
    assert documented == {name: section.identity for name, section in SECTIONS.items()}


def test_the_docs_say_which_identities_default_to_the_id():
    _header, rows = table_at(IDENTITIES)
    for row in rows:
        section = SECTIONS[quoted(row[0]).pop()]
        assert ("the subscriber id" in row[2]) == (section.default_identity is not None), row


# --- validate -------------------------------------------------------------------------
def test_a_valid_subscriber_gets_the_defaults():
    checked, problems = validate([{"id": "SUB-1", "ipdr": {}}])
    assert problems == []
    assert checked[0]["state"] == "active"
    assert checked[0]["onu"] is None and checked[0]["ipdr"] == {}


def test_an_id_that_yaml_read_as_a_number_is_refused():
    # YAML reads 0012 as 10: turning it back into text would name another subscriber.
    checked, problems = validate([{"id": 10}])
    assert checked == []
    assert problems == ["subscribers[0]: subscriber 10: id 10 must be text (quote it in YAML)"]


def test_problems_across_records_are_reported_even_beside_other_problems():
    _checked, problems = validate(
        [{"id": "S1", "colour": "x", "onu": {"sn": "X"}}, {"id": "S1"},
         {"id": "S2", "onu": {"sn": "X"}},
         {"id": "E1", "billing": {"equipment": [{"nickname": "e1"}]}},
         {"id": "E2", "billing": {"equipment": [{"nickname": "e1"}]}},
         {"id": "N", "name": {"first": "x", "middle": "y"}}],
        ["a.yml", "b.yml", "c.yml", "f.yml", "g.yml", "n.yml"])
    assert "b.yml: subscriber S1: subscriber id S1 is also used by a.yml" in problems
    assert "c.yml: subscriber S2: onu.sn 'X' is also claimed by a.yml: subscriber S1" in problems
    assert ("g.yml: subscriber E2: billing.equipment nickname 'e1' is also claimed by "
            "f.yml: subscriber E1") in problems
    assert "n.yml: subscriber N: unknown key name.middle (known: first, last)" in problems


def test_every_problem_of_every_subscriber_at_once():
    records = [
        {"id": "SUB-1", "colour": "blue", "onu": {"service": "HGU"}},
        {"id": "SUB-2", "contact": "+359888", "erp": {"house_id": "several"}},
        "not a mapping",
        {"id": "SUB-3", "state": "gone"},
    ]
    _checked, problems = validate(records, ["a.yml", "b.yml", "c.yml", "d.yml"])
    assert problems[0].startswith("a.yml: subscriber SUB-1: unknown key colour (known: ")
    assert "a.yml: subscriber SUB-1: onu.sn is required: it names the subscriber's record on " \
           "the ONU backend" in problems
    assert "b.yml: subscriber SUB-2: contact must be a mapping, got text" in problems
    assert "b.yml: subscriber SUB-2: erp: house_id must be a whole number, got text" in problems
    assert "c.yml: must be a mapping, got str" in problems
    assert any(p.startswith("d.yml: subscriber SUB-3: value of state must be one of") for p in problems)
    assert len(problems) == 6


def test_a_list_given_for_text_is_refused_not_stringified():
    _checked, problems = validate([{"id": "SUB-1", "contact": {"email": ["a@b", "c@d"]},
                                    "onu": {"sn": "SN1", "service": ["HGU"]}}])
    assert problems == ["subscribers[0]: subscriber SUB-1: contact.email must be text, got a list",
                        "subscribers[0]: subscriber SUB-1: onu: service must be text, got a list"]


def test_an_unknown_section_field_and_a_field_the_lifecycle_owns():
    _checked, problems = validate([
        {"id": "SUB-1", "onu": {"sn": "SN1", "enabled": False}, "erp": {"colour": "red"}}])
    assert "subscribers[0]: subscriber SUB-1: onu.enabled follows the subscriber's state " \
           "(active, suspended, absent): set state instead" in problems
    assert any(p.startswith("subscribers[0]: subscriber SUB-1: erp: unknown key colour")
               for p in problems)


def test_a_section_field_the_backend_cannot_store():
    _checked, problems = validate([{"id": "SUB-1", "onu": {"sn": "SN1", "address": "O'Neill St"}}])
    assert len(problems) == 1 and "onu: address contains a single quote" in problems[0]


def test_values_the_shared_facts_give_a_backend_are_checked_too():
    _checked, problems = validate([
        {"id": "SUB.1", "name": {"first": "Aoife", "last": "O'Brien"}, "onu": {"sn": "SN1"},
         "ipdr": {}, "crm": {}, "contact": {"email": "not an address"}}])
    assert any("onu: name contains a single quote" in p and "shared facts" in p for p in problems)
    assert any("ipdr: user_id 'SUB.1' contains '.'" in p for p in problems)
    assert any("crm: email 'not an address' is not an email address" in p for p in problems)
    assert len(problems) == 3


def test_a_section_value_overrides_the_checked_shared_value():
    _checked, problems = validate([
        {"id": "SUB-1", "name": {"first": "Aoife", "last": "O'Brien"},
         "onu": {"sn": "SN1", "name": "Aoife OBrien"}}])
    assert problems == []


def test_name_and_organisation_together():
    _checked, problems = validate([{"id": "SUB-1", "name": {"first": "A"}, "organisation": "B"}])
    assert problems == ["subscribers[0]: subscriber SUB-1: give either name (a person) or "
                        "organisation, not both"]


def test_a_subscriber_id_used_twice():
    checked, problems = validate([{"id": "SUB-1"}, {"id": "SUB-1"}], ["a.yml", "b.yml"])
    assert problems == ["b.yml: subscriber SUB-1: subscriber id SUB-1 is also used by a.yml"]
    assert [s["id"] for s in checked] == ["SUB-1"]


def test_one_identity_claimed_by_two_subscribers():
    _checked, problems = validate([
        {"id": "SUB-1", "onu": {"sn": "SN1"}, "ipdr": {"user_id": "shared"}},
        {"id": "SUB-2", "onu": {"sn": "SN1"}, "ipdr": {"user_id": "shared"}},
    ], ["a.yml", "b.yml"])
    assert problems == [
        "b.yml: subscriber SUB-2: onu.sn 'SN1' is also claimed by a.yml: subscriber SUB-1",
        "b.yml: subscriber SUB-2: ipdr.user_id 'shared' is also claimed by a.yml: subscriber SUB-1",
    ]


def test_a_default_identity_claimed_by_another_subscribers_override():
    _checked, problems = validate([
        {"id": "SUB-1", "crm": {}},
        {"id": "SUB-2", "crm": {"uniqueid": "SUB-1"}},
    ])
    assert len(problems) == 1 and "crm.uniqueid 'SUB-1' is also claimed" in problems[0]


def test_equipment_records_are_checked():
    _checked, problems = validate([
        {"id": "SUB-1", "billing": {"equipment": [{"nickname": "cpe", "status": "lost"}]}},
        {"id": "SUB-2", "billing": {"equipment": "cpe"}},
    ])
    assert any("billing.equipment[0]" in p and "status" in p for p in problems)
    assert any("billing.equipment must be a list" in p for p in problems)


# --- fan_out --------------------------------------------------------------------------
def test_a_person_fans_out_to_each_backends_fields():
    fanned = valid(person())
    one = {name: fanned[name]["records"][0] for name in SECTIONS}
    assert one["onu"] == {"sn": "ALCL00A1B2C3", "name": "Ana Petrova", "enabled": True,
                          "address": "12 Vitosha Blvd, 1000 Sofia, Sofia City, Bulgaria",
                          "state": "present"}
    assert one["crm"] == {
        "uniqueid": "SUB-1", "resellerid": 3, "type": "Individual", "name": "Ana",
        "surname": "Petrova", "mobile": "+359888100200", "email": "ana@example.net",
        "street": "12 Vitosha Blvd", "city": "Sofia", "address_state": "Sofia City",
        "zipcode": "1000", "state": "present"}
    assert one["billing"] == {
        "invoicingid": "SUB-1", "nickname": "SUB_1", "name": "Ana Petrova",
        "type": "customer home", "email": "ana@example.net", "phone": "+35929001234",
        "country": "Bulgaria", "state": "present",
        "installation_address": {"street1": "12 Vitosha Blvd", "town": "Sofia",
                                 "county": "Sofia City", "postcode": "1000"}}
    assert one["ipdr"] == {"user_id": "SUB-1", "name": "Ana Petrova", "email": "ana@example.net",
                           "address": "12 Vitosha Blvd, 1000 Sofia, Sofia City, Bulgaria",
                           "phone_number": "+359888100200", "alt_phone_number": "+35929001234",
                           "state": "present"}
    assert one["erp"] == {"login": "SUB-1", "name": "Ana Petrova", "house_id": 12,
                          "mobile_phone": "+359888100200", "home_phone": "+35929001234",
                          "email": "ana@example.net", "is_corporate": False,
                          "status": "active", "state": "present"}
    assert all(fanned[name]["owners"] == ["SUB-1"] for name in SECTIONS)
    assert fanned["onu"]["module"] == "onu_customer"


def test_an_organisation():
    fanned = valid({"id": "ORG-1", "organisation": "Varna Harbour Ltd", "crm": {},
                    "billing": {}, "erp": {}, "contact": {"mobile": "+3598"}})
    assert fanned["crm"]["records"][0]["name"] == "Varna Harbour Ltd"
    assert "surname" not in fanned["crm"]["records"][0]
    assert fanned["crm"]["records"][0]["type"] == "Organisation"
    assert fanned["billing"]["records"][0]["type"] == "customer business"
    # no contact.phone: billing's one phone is the mobile
    assert fanned["billing"]["records"][0]["phone"] == "+3598"
    assert fanned["erp"]["records"][0]["is_corporate"] is True


def test_facts_left_out_are_not_sent():
    fanned = valid({"id": "SUB-1", "ipdr": {}, "onu": {"sn": "SN1"}})
    assert fanned["ipdr"]["records"] == [{"user_id": "SUB-1", "state": "present"}]
    assert fanned["onu"]["records"] == [{"sn": "SN1", "enabled": True, "state": "present"}]


def test_a_section_field_overrides_the_shared_value_and_names_the_record():
    fanned = valid(person(ipdr={"name": "Petrova A.", "user_id": "apetrova"},
                          billing={"invoicingid": "WISP-1", "nickname": "apetrova"}))
    assert fanned["ipdr"]["records"][0]["name"] == "Petrova A."
    assert fanned["ipdr"]["records"][0]["user_id"] == "apetrova"
    assert fanned["onu"]["records"][0]["name"] == "Ana Petrova"
    assert fanned["billing"]["records"][0]["invoicingid"] == "WISP-1"
    assert fanned["billing"]["records"][0]["nickname"] == "apetrova"


def test_a_section_left_out_gives_no_record():
    record = person()
    del record["erp"]
    fanned = valid(record)
    assert fanned["erp"]["records"] == [] and fanned["erp"]["owners"] == []


def test_the_nickname_rule():
    assert nickname_of("SUB-000101") == "SUB_000101"
    assert nickname_of("a.b c/d_e9") == "a_b_c_d_e9"


def test_suspended():
    fanned = valid(person(state="suspended", billing={"customerstatus": "current"}),
                   billing_suspended_status="unused")
    assert fanned["onu"]["records"][0]["enabled"] is False
    assert fanned["erp"]["records"][0]["status"] == "paused"
    assert fanned["billing"]["records"][0]["customerstatus"] == "unused"
    assert fanned["crm"]["records"][0]["state"] == "present"


def test_suspended_without_a_billing_status_keeps_the_sections():
    fanned = valid(person(state="suspended", billing={"customerstatus": "current"}))
    assert fanned["billing"]["records"][0]["customerstatus"] == "current"


def test_active_again_takes_the_sections_status():
    fanned = valid(person(billing={"customerstatus": "current"}),
                   billing_suspended_status="unused")
    assert fanned["billing"]["records"][0]["customerstatus"] == "current"
    assert fanned["onu"]["records"][0]["enabled"] is True


def test_absent_deletes_but_keeps_the_ipdr_record():
    fanned = valid(person(state="absent",
                          billing={"equipment": [{"nickname": "cpe1", "status": "use"}]}))
    for name in ("onu", "crm", "billing", "erp"):
        section = SECTIONS[name]
        assert fanned[name]["records"] == [
            {section.identity: fanned[name]["records"][0][section.identity], "state": "absent"}]
    assert fanned["crm"]["records"][0]["uniqueid"] == "SUB-1"
    assert fanned["ipdr"]["records"] == []
    assert fanned[EQUIPMENT.name]["records"] == [{"nickname": "cpe1", "status": "stock"}]


def test_absent_with_ipdr_delete_absent():
    fanned = valid(person(state="absent"), ipdr_delete_absent=True)
    assert fanned["ipdr"]["records"] == [{"user_id": "SUB-1", "state": "absent"}]


def test_records_follow_the_subscribers_order_with_their_owners():
    fanned = valid({"id": "B", "ipdr": {}}, {"id": "A", "crm": {}}, {"id": "C", "ipdr": {}})
    assert fanned["ipdr"]["owners"] == ["B", "C"]
    assert [r["user_id"] for r in fanned["ipdr"]["records"]] == ["B", "C"]
    assert fanned["crm"]["owners"] == ["A"]


def test_the_identities_the_fan_out_keeps_on_purpose_are_named():
    fanned = valid(person(state="absent"), person(id="SUB-2", onu={"sn": "ALCL00A1B2C4"}))
    assert fanned["ipdr"]["kept"] == ["SUB-1"]  # an absent subscriber's IPDR record
    assert all(fanned[name]["kept"] == [] for name in ("onu", "crm", "billing", "erp"))
    assert valid(person(state="absent"), ipdr_delete_absent=True)["ipdr"]["kept"] == []


def test_what_a_purge_may_take_by_default():
    # Equipment cannot be deleted in SIMPLer; UserSide lists nobody without a plain
    # condition, so its purge scope must come from the operator.
    assert not EQUIPMENT.purgeable and EQUIPMENT.purge_scope is None
    assert all(section.purgeable for section in SECTIONS.values())
    assert SECTIONS["erp"].purge_scope is None
    assert {name: s.purge_scope for name, s in SECTIONS.items() if name != "erp"} == {
        "onu": {"sn": "*"}, "crm": {"uniqueid": "*"}, "billing": {"invoicingid": "*"},
        "ipdr": {"user_id": "*"}}
