"""UserSide's read shape and the module's option shape meet in one canonical form."""

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.userside import shape
from ansible_collections.isp.provisioning.plugins.module_utils.errors import ValidationError

READ = {
    "id": 4, "login": "ada", "full_name": "Ada Lovelace ", "flag_corporate": 1,
    "is_potential": "0", "balance": 12.5, "state_id": 1, "account_number": "",
    "comment": "", "billing_id": 3, "manager_id": 0,
    "phone": [{"number": "+100", "flag_main": 1}, {"number": "200", "flag_main": 0}],
    "email": [{"address": "Ada@Example.net", "flag_main": 1}],
    "agreement": [{"number": "D-7", "date": "05.03.2024"}],
    "address": [{"type": "connect", "house_id": 5, "apartment": {"number": "12"},
                 "entrance": 2, "floor": 0}],
    "group": {"2": {"id": 2, "name": "Business"}},
    "mark": {"3": {"id": 3}, "1": {"id": 1}},
    "tariff": {"current": {"3": {"id": 3, "name": "Business 1G"}}, "new": {}},
    "ip_mac": {"9": {"ip": 167772162, "mac": "aa:bb:cc:00:11:22"},
               "8": {"ip": 167772161, "mac": ""}},
    "service": {"2": {"id": 2, "price": None}},
}


def test_the_read_shape_becomes_the_module_record():
    record = shape.from_wire(READ)
    assert record["name"] == "Ada Lovelace"
    assert (record["mobile_phone"], record["home_phone"]) == ("+100", "200")
    assert record["email"] == "ada@example.net"
    assert (record["agreement_number"], record["agreement_date"]) == ("D-7", "2024-03-05")
    assert (record["house_id"], record["apartment"], record["entrance"], record["floor"]) == (
        "5", "12", "2", None)
    assert record["group_id"] == "2" and record["marks"] == ["1", "3"]
    assert record["tariff"] == "3" and record["services"] == ["2"]
    assert record["status"] == "paused"
    assert record["is_corporate"] is True and record["is_potential"] is False
    assert record["account_number"] is None and record["comment"] is None
    assert record["manager_id"] is None and record["billing_id"] == "3"
    assert record["ip_mac"] == [{"ip": "10.0.0.1", "mac": None},
                                {"ip": "10.0.0.2", "mac": "aa:bb:cc:00:11:22"}]


def test_the_options_a_user_writes_compare_equal_to_that_read_shape():
    record = shape.from_wire(READ)
    written = {
        "name": "Ada Lovelace", "mobile_phone": "+100", "email": "ADA@example.net",
        "agreement_date": "2024-03-05", "house_id": 5, "entrance": 2, "floor": 0,
        "group_id": 2, "marks": [3, 1, 3], "tariff": 3, "services": [2],
        "is_corporate": True, "status": "paused", "comment": "",
        "ip_mac": [{"ip": "10.0.0.2", "mac": "AA-BB-CC-00-11-22"}, {"ip": "10.0.0.1"}],
    }
    compare = {
        "name": shape.text, "mobile_phone": shape.text, "email": shape.casefold_text,
        "agreement_date": shape.date, "house_id": shape.ident, "entrance": shape.ident,
        "floor": shape.ident, "group_id": shape.ident, "marks": shape.id_set,
        "tariff": shape.ident, "services": shape.id_set, "is_corporate": shape.flag,
        "status": shape.text, "comment": shape.text, "ip_mac": shape.bindings,
    }
    for name, value in written.items():
        assert compare[name](value) == compare[name](record[name]), name


def test_lower_case_keys_lists_instead_of_maps_and_strings_instead_of_numbers():
    record = shape.from_wire({
        "ID": "5", "Full_Name": "X", "mark": [1, "2"], "group": [{"id": "4"}],
        "tariff": {"current": 7}, "ip_mac": [{"ip": "10.0.0.3", "mac": "001122334455"}],
        "phone": [{"number": "1"}, {"number": "2"}], "email": ["x@y.z"],
        "agreement": [{"number": "N", "date": "00.00.0000"}], "state_id": "2",
    })
    assert record["id"] == "5" and record["name"] == "X"
    assert record["marks"] == ["1", "2"] and record["group_id"] == "4"
    assert record["tariff"] == "7" and record["status"] == "active"
    assert record["ip_mac"] == [{"ip": "10.0.0.3", "mac": "00:11:22:33:44:55"}]
    assert (record["mobile_phone"], record["home_phone"]) == ("1", "2")
    assert record["email"] == "x@y.z" and record["agreement_date"] is None


def test_only_a_home_phone_is_not_read_as_the_mobile_one():
    mobile, home = shape.phones([{"number": "200", "flag_main": 0}])
    assert (mobile, home) == (None, "200")


@pytest.mark.parametrize("bad, reader", [
    ("2024-13-01", shape.date), ("5 March", shape.date), ("10.0.0", shape.ip),
    ("aa:bb", shape.mac), ("zz:zz:zz:zz:zz:zz", shape.mac),
])
def test_values_that_can_never_be_written_are_refused(bad, reader):
    with pytest.raises(ValidationError):
        reader(bad)


def test_edit_parameters_use_the_write_names():
    assert shape.edit_params({"name": "A", "mobile_phone": "", "home_phone": None,
                              "is_corporate": False, "apartment": "3", "marks": [1]}) == {
        "name": "A", "phone0": "", "phone1": "", "flag_corporate": 0, "apartment_number": "3"}


def test_set_steps_add_what_is_missing_and_remove_what_is_extra():
    assert shape.set_steps(["1", "2"], ["2", "3"]) == (["1"], ["3"])
    moved = shape.bindings([{"ip": "10.0.0.1", "mac": "00:00:00:00:00:01"}])
    have = shape.bindings([{"ip": "10.0.0.1", "mac": "00:00:00:00:00:02"}])
    assert shape.set_steps(moved, have) == (moved, have)
