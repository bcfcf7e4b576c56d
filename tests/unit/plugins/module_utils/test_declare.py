"""Records declared as the entity module takes them (an _info module's ``format: declare``).

Per backend: a record as its wire answers it (server-assigned ids and
timestamps, secrets, unset values included) is declared, and the declaration
is what one item of the entity module's bulk list takes, with nothing the
server assigns, no secret and no unset value, and compares equal to the record
it came from (so feeding it back changes nothing).
"""

import json

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.argspec import RecordValidator
from ansible_collections.isp.provisioning.plugins.module_utils.crm.customers import CrmCustomers
from ansible_collections.isp.provisioning.plugins.module_utils.declare import (
    as_option,
    declaration,
)
from ansible_collections.isp.provisioning.plugins.module_utils.entity import EntitySpec, Field
from ansible_collections.isp.provisioning.plugins.module_utils.ipdr.customers import IpdrCustomers
from ansible_collections.isp.provisioning.plugins.module_utils.onu.customers import OnuCustomers
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.customers import (
    SimplerCustomers,
)
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.equipment import (
    SimplerEquipment,
)
from ansible_collections.isp.provisioning.plugins.module_utils.userside.customers import (
    UsersideCustomers,
)
# get_data's answer of a customer with every part (balance, unset fields, a MAC-less IP)
from tests.unit.plugins.module_utils.userside.test_customers import READ as USERSIDE_READ

SECRET = "Ki-0123456789abcdef"

# backend adapter, (wire record, and its extra part), its declaration
BACKENDS = {
    "onu": (
        OnuCustomers,
        # as PHP 8.1+ answers: numbers; egn and state_rf unset (the refusal issue 13 names)
        ({"id": 262, "sn": "C850E98CE604", "name": "HT803G-1GC", "address": "", "egn": None,
          "service": 10, "auto": "YES", "state_rf": None, "state": "NO"},),
        {"sn": "C850E98CE604", "name": "HT803G-1GC", "service": "10", "auto": True,
         "enabled": False},
    ),
    "crm": (
        CrmCustomers,
        ({"id": "1243", "uniqueid": "SUB-1", "ispid": "1", "resellerid": 2,
          "type": "individual", "name": "Ann", "surname": "", "dob": "0000-00-00",
          "mobile": 12344444, "email": "a@example.net", "state": "Goa", "notes": None,
          "username": "ppp_1243", "serviceid": 5243, "created": "2026-11-22 10:00:00",
          "password": SECRET},),
        {"customerid": 1243, "uniqueid": "SUB-1", "ispid": 1, "resellerid": 2,
         "type": "Individual", "name": "Ann", "mobile": "12344444", "email": "a@example.net",
         "address_state": "Goa"},
    ),
    "ipdr": (
        IpdrCustomers,
        ({"id": 5, "UserID": "B68t19", "Name": "Trisul", "Address": "", "Email": "d@example.net",
          "PhoneNumber": 1234567890, "AltPhoneNumber": None},),
        {"user_id": "B68t19", "name": "Trisul", "email": "d@example.net",
         "phone_number": "1234567890"},
    ),
    "simpler_customer": (
        SimplerCustomers,
        ({"id": "27904", "invoicingid": "INV-1", "name": "Jo Bloggs", "nickname": "jbloggs",
          "status": "potential", "type": "customer home", "email": "", "paymentmethod": "cash",
          "startdate": "2024-01-17 00:00:00", "street": "1 Main Street", "town": "Stowe",
          "zip": "05672", "installtown": ""},
         {"custom_field_7": "VLAN-120", "custom_field_8": ""}),
        {"invoicingid": "INV-1", "name": "Jo Bloggs", "nickname": "jbloggs",
         "customerstatus": "potential", "type": "customer home", "payment_method": "cash",
         "startdate": "2024-01-17",
         "installation_address": {"street1": "1 Main Street", "town": "Stowe",
                                  "postcode": "05672"},
         "custom_fields": {"7": "VLAN-120"}},
    ),
    "simpler_equipment": (
        SimplerEquipment,
        ({"id": 32, "nickname": "NS2", "description": "", "serialnumber": "",
          "ipaddress": "172.16.9.202", "macaddress": "00:15:6D:B7:FA:4E", "status": "stock",
          "type": "nanostationsm", "imsi": "272010000000001", "msisdn": "", "sqn": "",
          "ki": SECRET, "opcode": SECRET, "date_added": "2016-08-10 05:49:50.297976"},),
        {"nickname": "NS2", "ipaddress": "172.16.9.202", "mac": "00:15:6D:B7:FA:4E",
         "status": "stock", "type": "nanostationsm", "imsi": "272010000000001"},
    ),
    "userside": (
        UsersideCustomers,
        (USERSIDE_READ,),
        {"login": "ada", "name": "Ada Lovelace", "agreement_number": "D-7",
         "agreement_date": "2024-03-05", "mobile_phone": "+100", "home_phone": "200",
         "email": "ada@example.net", "house_id": 5, "apartment": "12", "entrance": 2,
         "group_id": 2, "is_corporate": True, "is_potential": False, "billing_id": 3,
         "status": "paused", "tariff": 3, "marks": [1, 3], "services": [2],
         "ip_mac": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2", "mac": "aa:bb:cc:00:11:22"}]},
    ),
}


def read(adapter, wire):
    return adapter(None).from_wire(*wire)


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_a_record_declares_what_a_task_sets_and_nothing_the_server_assigns(backend):
    adapter, wire, expected = BACKENDS[backend]
    declared, left_out = declaration(adapter.spec, read(adapter, wire))
    assert declared == expected
    assert left_out == []
    assert SECRET not in json.dumps(declared)


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_the_entity_module_takes_the_declaration_and_finds_nothing_to_change(backend):
    adapter, wire, _expected = BACKENDS[backend]
    record = read(adapter, wire)
    declared, _left_out = declaration(adapter.spec, record)
    checked = RecordValidator(adapter.spec.record_argument_spec()).validate(declared)
    assert not checked.error_messages
    desired = adapter.spec.desired(checked.validated_parameters)
    assert set(desired) == set(declared)  # every field kept as the module took it, none added
    assert adapter.spec.problems(desired) == []
    assert adapter.spec.differences(desired, record) == {}


def test_the_server_assigned_ids_are_left_out_but_an_identity_is_kept():
    # CRM: customerid, the server's id, is the identity; SIMPLer's customerid is not.
    assert CrmCustomers.spec.by_name["customerid"].assigned
    assert "customerid" in [field.name for field in CrmCustomers.spec.declarable]
    assert "customerid" not in [field.name for field in SimplerCustomers.spec.declarable]
    assert "id" not in [field.name for field in OnuCustomers.spec.declarable]


SPEC = EntitySpec(
    name="line", plural="lines", identity="name",
    fields=[
        Field("name"),
        Field("plan", choices=["home", "biz"]),
        Field("code", max_length=3),
        Field("speed", type="int"),
        Field("up", type="bool"),
        Field("pin", no_log=True),
        Field("ports", type="list", elements="dict",
              options={"port": {"type": "int", "required": True}, "mac": {"type": "str"}}),
        Field("tags", type="dict"),
        Field("id", readonly=True),
    ],
)


def test_values_take_the_options_types_and_unset_ones_are_left_out():
    declared, left_out = declaration(SPEC, {
        "name": 7, "plan": "home", "code": "", "speed": "100", "up": "0", "pin": "1234",
        "ports": [{"port": "1", "mac": ""}, {"port": None}, None], "tags": {"a": 1, "b": ""},
        "id": "9"})
    assert declared == {"name": "7", "plan": "home", "speed": 100, "up": False,
                        "ports": [{"port": 1}], "tags": {"a": "1"}}
    assert left_out == []


def test_a_value_the_module_would_refuse_is_left_out_and_said():
    declared, left_out = declaration(SPEC, {"name": "l1", "plan": "lab", "code": "long"})
    assert declared == {"name": "l1"}
    assert left_out == [
        {"field": "plan", "reason": "plan 'lab' is none of the entity module's choices (home, biz)"},
        {"field": "code", "reason": "code is 4 characters long, more than the 3 the backend stores"}]


@pytest.mark.parametrize("option, value", [
    ({"type": "list", "elements": "int"}, []),
    ({"type": "list", "elements": "str"}, [None, ""]),
    ({"type": "dict"}, {"a": None}),
    ({"type": "dict"}, "not a mapping"),
    ({"type": "int"}, "x"),
    ({"type": "str"}, ""),
    ({"type": "bool"}, ""),
])
def test_nothing_but_unset_values_is_unset(option, value):
    assert as_option(option, value) is None


def test_false_and_zero_are_values():
    assert as_option({"type": "bool"}, False) is False
    assert as_option({"type": "int"}, 0) == 0
