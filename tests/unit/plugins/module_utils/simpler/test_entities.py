"""SIMPLer customers and equipment: records <-> wire, partial compare, the engine on top."""

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.http_session import HttpSession
from ansible_collections.isp.provisioning.plugins.module_utils.reconcile import (
    Reconciler,
    ReconcileFailed,
)
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.client import SimplerClient
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.customers import (
    CUSTOMER,
    SimplerCustomers,
    from_wire,
    to_wire,
)
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.equipment import (
    EQUIPMENT,
    SimplerEquipment,
)
from tests.emulators.server import start
from tests.emulators.simpler import SimplerEmulator


@pytest.fixture
def server(tmp_path):
    running = start(SimplerEmulator(str(tmp_path / "simpler.sqlite")))
    yield running
    running.stop()


def converge(server, backend_class, records, transport="rest", check_mode=False):
    http = HttpSession(server.url, timeout=5, retries=1, backoff=0)
    client = SimplerClient(http, "username", "password", transport=transport)
    engine = Reconciler(backend_class(client), check_mode=check_mode, diff=True)
    return engine.apply(engine.plan(records))


def test_read_names_become_option_names():
    record = from_wire(
        {"id": "5", "status": "current", "paymentmethod": "cash", "phone": "1",
         "street": "S1", "zip": "PC", "installtown": "T", "startdate": "2024-01-31"},
        {"custom_field_3": "x"})
    assert record["customerid"] == "5" and record["customerstatus"] == "current"
    assert record["payment_method"] == "cash"
    assert record["installation_address"]["street1"] == "S1"
    assert record["installation_address"]["postcode"] == "PC"
    assert record["invoicing_address"]["town"] == "T"
    assert record["custom_fields"] == {"3": "x"}


def test_an_address_change_keeps_the_parts_not_named():
    current = {"installation_address": {"street1": "A", "street2": "B", "town": "C",
                                        "county": "", "postcode": "P", "state": ""}}
    wire = to_wire({"installation_address": {"street2": "New", "town": None}}, current)
    assert wire == {"address": "A:::New:::C::::::P:::"}


def test_dates_are_written_as_the_wire_wants():
    assert to_wire({"startdate": "2024-01-31", "phone": "1"}, None) == {
        "startdate": "01/31/2024", "phone_list_main": "1"}


def test_only_named_address_parts_and_custom_fields_are_compared():
    current = from_wire({"invoicingid": "I", "street": "A", "town": "C"}, {"1": "x", "2": "y"})
    same = {"invoicingid": "I", "installation_address": {"street1": "A", "town": None},
            "custom_fields": {"2": "y"}}
    assert CUSTOMER.differences(same, current) == {}
    other = dict(same, custom_fields={"2": "z"})
    assert list(CUSTOMER.differences(other, current)) == ["custom_fields"]


def test_macs_compare_without_case_or_separators():
    assert EQUIPMENT.normalise("mac", "00-15-6d-b7-fa-4e") == EQUIPMENT.normalise(
        "mac", "00:15:6D:B7:FA:4E")


@pytest.mark.parametrize("transport", ["rest", "soap"])
def test_a_customer_is_searched_before_it_is_added(server, transport):
    record = {"invoicingid": "ADA-0001", "name": "Ada Current", "nickname": "adacurrent"}
    result = converge(server, SimplerCustomers, [("present", record)], transport)
    assert result["unchanged"] == 1
    assert server.emulator.counters.snapshot()["total_writes"] == 0


def test_a_substring_match_is_not_the_customer(server):
    converge(server, SimplerCustomers,
             [("present", {"invoicingid": "SUB-10", "name": "Ten", "nickname": "sub10"})])
    result = converge(server, SimplerCustomers,
                      [("present", {"invoicingid": "SUB-1", "name": "One", "nickname": "sub1"})])
    assert result["created"] == 1


def test_a_new_customer_needs_name_and_nickname(server):
    with pytest.raises(ReconcileFailed) as raised:
        converge(server, SimplerCustomers, [("present", {"invoicingid": "NEW-1"})])
    assert "name and nickname are required" in raised.value.message


def test_equipment_check_mode_writes_nothing_and_predicts(server):
    result = converge(server, SimplerEquipment,
                      [("present", {"nickname": "cm1", "status": "use"})], check_mode=True)
    assert result["created"] == 1 and result["results"][0]["equipment"]["status"] == "use"
    assert server.emulator.counters.snapshot()["total_writes"] == 0


def test_equipment_cannot_be_deleted(server):
    with pytest.raises(ReconcileFailed) as raised:
        converge(server, SimplerEquipment, [("absent", {"nickname": "NS2"})], check_mode=True)
    assert "no function that deletes equipment" in raised.value.message
