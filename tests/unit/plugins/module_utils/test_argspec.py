"""RecordValidator gives ansible-core's own answer for every record, fast or not -
and refuses a list or a mapping where text belongs, which ansible-core turns into text."""

import copy

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.isp.provisioning.plugins.module_utils.argspec import (
    Plain,
    RecordValidator,
    copied,
    structures_for_text,
)
from ansible_collections.isp.provisioning.plugins.module_utils.subscriber import (
    EQUIPMENT,
    SECTIONS,
)

SPEC = {
    "name": {"type": "str", "required": True},
    "size": {"type": "int", "default": 3},
    "ratio": {"type": "float"},
    "on": {"type": "bool", "default": False},
    "tags": {"type": "list", "elements": "str", "default": []},
    "kind": {"type": "str", "choices": ["a", "b"]},
    "where": {"type": "dict",
              "options": {"city": {"type": "str"}, "floor": {"type": "int", "default": 0}}},
    "links": {"type": "list", "elements": "dict",
              "options": {"ip": {"type": "str", "required": True}}},
    "extra": {"type": "raw"},
}

RECORDS = [
    {"name": "x"},
    {"name": "x", "size": 5, "ratio": 0.5, "on": True, "tags": ["p", "q"], "kind": "b",
     "where": {"city": "Sofia"}, "links": [{"ip": "10.0.0.1"}], "extra": {"any": [1]}},
    {"name": "x", "where": None, "links": None, "kind": None},
    # not plain: converted, refused or unknown - the full validator answers
    {"name": 12},
    {"name": "x", "size": "5"},
    {"name": "x", "size": True},
    {"name": "x", "ratio": 1},
    {"name": "x", "on": "yes"},
    {"name": "x", "tags": "p,q"},
    {"name": "x", "tags": ["p", 1]},
    {"name": "x", "kind": "c"},
    {"name": "x", "where": {"city": "Sofia", "street": "no"}},
    {"name": "x", "where": {"floor": "2"}},
    {"name": "x", "links": [{"mac": "aa"}]},
    {"name": "x", "colour": "red"},
    {"size": 1},
    {"name": None},
    # a null where a default is given: ansible-core checks it as a value of the type
    {"name": "x", "size": None},
    {"name": "x", "tags": None},
    {"name": "x", "where": {"floor": None}},
]


def full(spec, record):
    """ansible-core's answer, and the refusals of text given a list or a mapping after it."""
    result = ArgumentSpecValidator(spec).validate(copy.deepcopy(record))
    return result.validated_parameters, [str(error) for error in result.errors] + \
        structures_for_text(spec, record)


def fast(spec, record):
    result = RecordValidator(spec).validate(copy.deepcopy(record))
    return result.validated_parameters, [str(error) for error in result.errors]


@pytest.mark.parametrize("record", RECORDS)
def test_every_record_gets_the_full_validators_answer(record):
    assert fast(SPEC, record) == full(SPEC, record)


def test_text_given_a_list_or_a_mapping_is_refused_where_ansible_core_would_stringify_it():
    record = {"name": ["x"], "tags": ["p", {"q": 1}], "where": {"city": ["Sofia"]}, "kind": "a"}
    validated, problems = fast(SPEC, record)
    assert validated["name"] == "['x']"  # what ansible-core alone would have written
    assert problems == ["name must be text, got a list", "tags[1] must be text, got a mapping",
                        "where.city must be text, got a list"]


def test_plain_records_skip_the_full_validator_and_others_do_not():
    validator = RecordValidator(SPEC)
    assert isinstance(validator.validate({"name": "x", "where": {"city": "S"}}), Plain)
    assert not isinstance(validator.validate({"name": "x", "size": "5"}), Plain)


def test_a_default_is_a_copy_not_the_specs_own_value():
    validated = RecordValidator(SPEC).validate({"name": "x"}).validated_parameters
    validated["tags"].append("changed")
    assert SPEC["tags"]["default"] == []


def test_a_structure_validated_is_a_copy_down_to_its_last_list():
    given = {"raw": {"a": [1, {"b": ["c"]}], "n": None, "f": 1.5}}
    validated = copied(given)
    validated["raw"]["a"][1]["b"].append("changed")
    validated["raw"]["a"].append("changed")
    assert given == {"raw": {"a": [1, {"b": ["c"]}], "n": None, "f": 1.5}}


def test_what_json_cannot_give_is_copied_as_deepcopy_copies_it():
    shared = [1]
    given = {"pair": (shared, shared), "set": {1, 2}}
    validated = copied(given)
    assert validated == given and validated["pair"][0] is not shared
    assert validated["pair"][0] is validated["pair"][1]  # deepcopy's memo, kept


def test_an_option_with_aliases_always_goes_to_the_full_validator():
    spec = {"name": {"type": "str", "aliases": ["title"]}}
    assert not RecordValidator(spec).fast
    assert fast(spec, {"title": "x"}) == full(spec, {"title": "x"})


SAMPLES = {
    "onu": {"sn": "ALCL00A1B2C3", "name": "Ana", "service": "HGU", "enabled": True},
    "crm": {"uniqueid": "SUB-1", "name": "Ana", "resellerid": 3, "type": "Individual"},
    "billing": {"invoicingid": "SUB-1", "nickname": "ana", "customerstatus": "current",
                "installation_address": {"street1": "1 A St", "town": "Sofia"}},
    "ipdr": {"user_id": "SUB-1", "name": "Ana"},
    "erp": {"login": "sub-1", "name": "Ana", "house_id": 12, "tariff": 1, "marks": [1],
            "ip_mac": [{"ip": "10.0.0.1", "mac": "AA:BB:CC:00:00:11"}]},
    "billing_equipment": {"nickname": "cpe_1", "type": "nanostationsm", "status": "use"},
}


@pytest.mark.parametrize("section", sorted(SAMPLES))
def test_the_backends_record_specs_get_the_same_answers(section):
    spec = (EQUIPMENT if section == "billing_equipment" else SECTIONS[section]).spec
    spec = spec.record_argument_spec()
    sample = {k: v for k, v in SAMPLES[section].items() if k in spec}
    assert fast(spec, sample) == full(spec, sample)
    for name in spec:
        for odd in ("7", 7, None, ["x"], {"k": "v"}, [{"k": "v"}], True, 1.5):
            record = dict(sample, **{name: odd})
            try:
                expected = full(spec, record)
            except TypeError:
                continue  # ansible-core's own validator cannot say (a list of numbers
                # where it wants mappings): not a record a comparison can hold
            assert fast(spec, record) == expected, (name, odd)


def test_text_inside_a_list_of_mappings_given_a_list_is_refused():
    _validated, problems = fast(SPEC, {"name": "x", "links": [{"ip": "10.0.0.1"}, {"ip": ["10.0.0.2"]}]})
    assert problems == ["links[1].ip must be text, got a list"]


def test_a_plain_record_is_validated_in_the_specs_order():
    # The inventory writes each subscriber as the JSON text of its validated record:
    # the order of its keys is that text's, whatever order a file gave them in.
    record = {"extra": 1, "where": {"floor": 2, "city": "Sofia"}, "name": "x"}
    checked = RecordValidator(SPEC).validate(record)
    assert isinstance(checked, Plain)
    assert list(checked.validated_parameters) == list(SPEC)
    assert list(checked.validated_parameters["where"]) == ["city", "floor"]


def test_a_structure_given_is_validated_as_a_copy_of_its_own(monkeypatch):
    # Plain maps and lists are copied without copy.deepcopy's bookkeeping (most
    # of the cost of copying a subscriber's sections); the copy is as deep.
    def refuse(*_args, **_kwargs):
        raise AssertionError("copied by copy.deepcopy")

    monkeypatch.setattr(copy, "deepcopy", refuse)
    extra = {"any": [1, {"deep": ["x"]}], 2: None}
    checked = RecordValidator(SPEC).validate({"name": "x", "extra": extra})
    assert checked.validated_parameters["extra"] == extra
    checked.validated_parameters["extra"]["any"][1]["deep"].append("y")
    assert extra == {"any": [1, {"deep": ["x"]}], 2: None}


def test_a_structure_that_holds_itself_is_still_copied():
    extra = {"any": []}
    extra["any"].append(extra)
    copied = RecordValidator(SPEC).validate({"name": "x", "extra": extra}).validated_parameters
    assert copied["extra"] is not extra
    assert copied["extra"]["any"][0] is copied["extra"]
