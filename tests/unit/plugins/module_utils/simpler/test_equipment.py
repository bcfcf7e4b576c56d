"""SIMPLer equipment: records <-> wire as the fields declare, limits, the engine on top."""

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.reconcile import (
    Reconciler,
    ReconcileFailed,
)
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.equipment import (
    EQUIPMENT,
    SimplerEquipment,
)

ADAPTER = SimplerEquipment(None)


def converge(server, connect, records, transport="rest", check_mode=False):
    engine = Reconciler(SimplerEquipment(connect(server, transport)), check_mode=check_mode,
                        diff=True)
    return engine.apply(engine.plan(records))


def test_macs_compare_without_case_or_separators():
    assert EQUIPMENT.normalise("mac", "00-15-6d-b7-fa-4e") == EQUIPMENT.normalise(
        "mac", "00:15:6D:B7:FA:4E")


def test_writes_say_mac_and_reads_say_macaddress():
    assert ADAPTER.to_wire({"nickname": "n", "mac": "00:15", "id": "3", "date_added": "x"}) == {
        "nickname": "n", "mac": "00:15"}
    assert ADAPTER.from_wire({"id": 3, "macaddress": "aa"})["mac"] == "aa"
    assert ADAPTER.from_wire({"id": 3, "mac": "bb"})["mac"] == "bb"


def test_an_empty_answer_is_new_equipment():
    assert ADAPTER.defaults_on_create() == dict(
        {field.name: "" for field in EQUIPMENT.fields}, id=None)


def test_the_sim_fields_are_set_on_create_only():
    assert [f.name for f in EQUIPMENT.fields if not f.updatable] == [
        "imsi", "msisdn", "sqn", "ki", "opcode"]
    assert EQUIPMENT.secret_fields == ["ki", "opcode"]


@pytest.mark.parametrize("desired, problems", [
    ({"ipaddress": "10.0.0.300", "mac": "00:15"},
     ["ipaddress '10.0.0.300' is not an IP address", "mac '00:15' is not a MAC address"]),
    ({"ipaddress": " fe80::1 ", "mac": "00-15-6d-b7-fa-4e"}, []),
    ({"ipaddress": "", "mac": ""}, []),
    ({"mac": " "}, ["mac ' ' is not a MAC address"]),
])
def test_addresses_are_checked_before_any_write(desired, problems):
    assert EQUIPMENT.problems(desired) == problems


def test_bad_addresses_are_named_together(server, connect):
    with pytest.raises(ReconcileFailed) as raised:
        converge(server, connect,
                 [("present", {"nickname": "bad", "ipaddress": "10.0.0.300", "mac": "00:15"})])
    assert ("SIMPLer equipment 'bad': ipaddress '10.0.0.300' is not an IP address, "
            "mac '00:15' is not a MAC address") in raised.value.message
    assert server.emulator.counters.snapshot()["total_writes"] == 0


@pytest.mark.parametrize("transport", ["rest", "soap"])
def test_equipment_is_created_and_updated_with_what_it_declares(server, connect, transport):
    created = converge(server, connect, [("present", {
        "nickname": "cpe1", "mac": "00:15:6d:b7:fa:4f", "status": "stock", "imsi": "1"})],
        transport)
    assert created["results"][0]["equipment"]["mac"].lower() == "00:15:6d:b7:fa:4f"
    updated = converge(server, connect, [("present", {"nickname": "cpe1", "status": "use"})],
                       transport)
    assert updated["updated"] == 1
    assert updated["results"][0]["equipment"]["status"] == "use"
    assert server.emulator.counters.snapshot()["writes"] == {
        "addEquipment": 1, "modifyEquipment": 1}


def test_equipment_check_mode_writes_nothing_and_predicts(server, connect):
    result = converge(server, connect,
                      [("present", {"nickname": "cm1", "status": "use"})], check_mode=True)
    assert result["created"] == 1 and result["results"][0]["equipment"]["status"] == "use"
    assert server.emulator.counters.snapshot()["total_writes"] == 0


def test_equipment_cannot_be_deleted(server, connect):
    with pytest.raises(ReconcileFailed) as raised:
        converge(server, connect, [("absent", {"nickname": "NS2"})], check_mode=True)
    assert "no function that deletes equipment" in raised.value.message


# --- values as SIMPLer stores them: without the spaces around them -----------------------
@pytest.mark.parametrize("transport", ["rest", "soap"])
def test_a_spaced_nickname_is_the_stored_one_and_never_written_twice(server, connect, transport):
    created = converge(server, connect, [("present", {"nickname": " ont-1 ", "status": "use"})],
                       transport)
    assert created["results"][0]["nickname"] == "ont-1"
    assert created["results"][0]["equipment"]["nickname"] == "ont-1"
    for declared in (" ont-1 ", "ont-1"):
        again = converge(server, connect, [("present", {"nickname": declared, "status": "use"})],
                         transport)
        assert again["unchanged"] == 1
    assert server.emulator.counters.snapshot()["writes"] == {"addEquipment": 1}


def test_one_nickname_declared_with_and_without_spaces_is_declared_twice(server, connect):
    with pytest.raises(ReconcileFailed) as raised:
        converge(server, connect, [("present", {"nickname": "ont-2"}),
                                   ("present", {"nickname": " ont-2"})])
    assert "SIMPLer equipment ' ont-2' is declared more than once" in raised.value.message
    assert server.emulator.counters.snapshot()["total_writes"] == 0


def test_spaced_values_converge_and_a_spaced_sim_field_is_no_change(server, connect):
    declared = [("present", {"nickname": "sim1", "description": " Hall ", "serialnumber": "S1 ",
                             "ki": " 00112233 ", "imsi": " 260011 "})]
    created = converge(server, connect, declared)
    assert created["results"][0]["equipment"]["description"] == "Hall"
    again = converge(server, connect, declared)
    assert again["unchanged"] == 1


# --- read-backs: batched, and written-not-confirmed when they fail (issue 16) ----------
def test_every_write_of_a_task_is_read_back_with_one_read_of_the_table(server, connect):
    server.emulator.counters.reset()
    result = converge(server, connect, [
        ("present", {"nickname": "rb_%d" % n, "type": "router", "status": "stock"})
        for n in range(4)])
    assert result["created"] == 4 and all(r["equipment"]["id"] for r in result["results"])
    counters = server.emulator.counters.snapshot()
    assert counters["writes"] == {"addEquipment": 4}
    assert counters["reads"] == {"listEquipment": 2}  # before the writes, and once after


def test_a_create_whose_read_back_fails_is_written_not_confirmed_and_a_rerun_finds_it(
        server, connect):
    declared = [("present", {"nickname": "rb_lost_read", "status": "stock"})]
    engine = Reconciler(SimplerEquipment(connect(server)))
    plan = engine.plan(declared)
    server.emulator.faults.update({"fail_percent": 100, "only": "listEquipment"})
    with pytest.raises(ReconcileFailed) as failed:
        engine.apply(plan)
    server.emulator.faults.update({"fail_percent": 0, "only": ""})
    assert failed.value.message.startswith(
        "SIMPLer equipment 'rb_lost_read': create not confirmed: written; reading it back failed")
    assert failed.value.result["results"][0]["unconfirmed"] is True
    again = converge(server, connect, declared)
    assert again["changed"] is False
    assert server.emulator.counters.snapshot()["writes"] == {"addEquipment": 1}
