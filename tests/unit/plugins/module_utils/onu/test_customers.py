"""The ONU adapter: wire <-> record, validation before writes, the state quirk."""

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.backend import READ_LATER
from ansible_collections.isp.provisioning.plugins.module_utils.errors import ValidationError
from ansible_collections.isp.provisioning.plugins.module_utils.onu.customers import (
    CUSTOMER,
    OnuCustomers,
)
from ansible_collections.isp.provisioning.plugins.module_utils.reconcile import (
    ReconcileFailed,
    Reconciler,
)
from ansible_collections.isp.provisioning.plugins.module_utils.shard import Partition
from tests.emulators.onu import OnuEmulator


class FakeClient:
    def __init__(self):
        self.updates = []
        self.creates = []

    def services(self):
        return [{"id": 3, "name": "Internet_4port"}, {"id": "8", "name": "HGU"}]

    def customers(self, sieve=None):
        return [{"id": 262, "name": "n", "address": "", "egn": None, "sn": "S1",
                 "service": 8, "auto": "NO", "state": "NO", "state_rf": 2}]

    def update(self, fields):
        self.updates.append(fields)

    def create(self, fields):
        self.creates.append(fields)


def test_wire_to_record_accepts_strings_and_php81_numbers():
    record = OnuCustomers().from_wire(FakeClient().customers()[0])
    assert record == {"id": "262", "sn": "S1", "name": "n", "address": "", "egn": None,
                      "service": "8", "auto": False, "enabled": False, "state_rf": "2"}


def test_record_to_wire_says_yes_and_no():
    assert OnuCustomers().to_wire({"enabled": True, "auto": False, "service": 8}) == {
        "state": "YES", "auto": "NO", "service": "8"}


def test_service_names_resolve_to_ids_and_unknown_ones_list_the_choices():
    backend = OnuCustomers(FakeClient())
    assert backend.prepare({"sn": "S", "service": "hgu"})["service"] == "8"
    assert backend.prepare({"sn": "S", "service": 3})["service"] == "3"
    with pytest.raises(ValidationError) as failure:
        backend.prepare({"sn": "S", "service": "Gold"})
    assert "Internet_4port (id 3)" in str(failure.value)


def test_a_quote_is_refused_before_it_reaches_the_servers_sql():
    # The engine checks every declared record's limits before prepare and any write.
    problems = CUSTOMER.problems({"sn": "S", "name": "O'Brien"})
    assert len(problems) == 1 and "single quote" in problems[0]


def test_every_update_sends_the_state_the_customer_has():
    client = FakeClient()
    backend = OnuCustomers(client)
    current = backend.fetch(["S1"])["S1"]
    backend.update(current, {"name": "new"}, {"sn": "S1", "name": "new"})
    assert client.updates == [{"sn": "S1", "name": "new", "state": "NO"}]


def test_a_change_to_an_empty_value_is_refused_but_booleans_are_fine():
    backend = OnuCustomers(FakeClient())
    current = backend.fetch(["S1"])["S1"]
    with pytest.raises(ValidationError):
        backend.check("update", {"sn": "S1", "address": "x"}, dict(current, address="x"),
                      {"egn": "0"})
    backend.check("update", {"sn": "S1", "enabled": True}, current, {"enabled": True})
    assert any("auto is NO" in w for w in backend.warnings)


def test_an_egn_with_a_leading_zero_matches_what_php81_answers():
    assert CUSTOMER.differences({"sn": "S", "egn": "0441011234"}, {"egn": 441011234}) == {}
    assert CUSTOMER.differences({"sn": "S", "egn": "0441011234"}, {"egn": "0441011235"}) != {}


def test_a_zero_on_create_is_refused_rather_than_silently_dropped():
    backend = OnuCustomers(FakeClient())
    with pytest.raises(ValidationError) as failure:
        backend.check("create", {"sn": "N", "name": "n", "egn": "0"}, None,
                      {"sn": "N", "name": "n", "egn": "0"})
    assert "egn='0'" in str(failure.value)
    backend.check("create", {"sn": "N", "name": "n", "address": ""}, None,
                  {"sn": "N", "name": "n", "address": ""})  # "" just leaves it unset


def test_every_text_field_refuses_a_quote_in_the_same_words():
    texts = [field.name for field in CUSTOMER.writable if field.type == "str"]
    assert set(texts) == {"sn", "name", "address", "egn", "service", "state_rf"}
    # egn says its own rule first: digits only, which no quote passes either
    for name in set(texts) - {"egn"}:
        assert CUSTOMER.problems({name: "a'b"}) == [
            f"{name} contains a single quote, which the ONU server cannot store "
            "(it passes values to SQL unescaped)"]
    assert CUSTOMER.problems({"sn": "S", "name": "Obrien", "auto": True}) == []


def test_a_create_without_a_name_is_refused_before_the_empty_value_check():
    backend = OnuCustomers(FakeClient())
    for name in (None, ""):
        with pytest.raises(ValidationError, match="^name is required to create it$"):
            backend.check("create", {"sn": "N", "name": name, "egn": "0"}, None,
                          {"sn": "N", "name": name, "egn": "0"})


def test_a_create_sends_auto_and_state_yes_unless_told_and_skips_what_php_drops():
    client = FakeClient()
    backend = OnuCustomers(client)
    assert backend.create({"sn": "N", "name": "n", "service": "8"}) is READ_LATER
    assert backend.create({"sn": "M", "name": "m", "auto": False, "enabled": False}) is READ_LATER
    assert client.creates == [
        {"sn": "N", "name": "n", "service": "8", "auto": "YES", "state": "YES"},
        {"sn": "M", "name": "m", "auto": "NO", "state": "NO"},
    ]


def test_a_predicted_create_reads_as_the_server_will_answer():
    after = OnuCustomers(FakeClient()).predict("create", {"sn": "N", "name": "n"}, None)
    assert after == {"id": None, "sn": "N", "name": "n", "address": "", "egn": None,
                     "service": None, "auto": True, "state_rf": None, "enabled": True}


def test_the_info_module_finds_customers_by_id_or_serial():
    backend = OnuCustomers(FakeClient())
    assert CUSTOMER.lookups == ("sn", "id")
    assert [r["sn"] for r in backend.search({"sn": None, "id": "262", "filters": {}})] == ["S1"]
    assert backend.search({"sn": "S2", "id": None, "filters": {}}) == []
    assert len(backend.search({"sn": None, "id": None, "filters": {"enabled": False}})) == 1


def test_a_delete_names_the_serial():
    deleted = []
    client = FakeClient()
    client.delete = deleted.append
    OnuCustomers(client).delete({"sn": "S1", "id": "262"})
    assert deleted == ["S1"]


# --- what the real server refuses or folds (CONTRACTS §1a) ---------------------
def test_every_text_field_refuses_a_backslash_and_characters_beyond_the_bmp():
    for name in ("sn", "name", "address", "service", "state_rf"):
        assert CUSTOMER.problems({name: "a\\b"}) == [
            f"{name} contains a backslash, which the ONU server swallows "
            "(it passes values to SQL unescaped)"]
        [problem] = CUSTOMER.problems({name: "Ana \U0001F600"})
        assert problem.startswith(f"{name} contains a character outside the Basic Multilingual")
    assert CUSTOMER.problems({"sn": "S", "name": "Ана Ñoño", "address": "ул. Шипка 1"}) == []


def test_an_egn_must_be_digits_and_names_and_addresses_fit_their_columns():
    assert CUSTOMER.problems({"sn": "S", "egn": "0801011234"}) == []
    rule = "must be digits only, at most 18 after leading zeros (the ONU server keeps it in " \
        "a number column)"
    assert CUSTOMER.problems({"sn": "S", "egn": "80-01-01"}) == [f"egn '80-01-01' {rule}"]
    # beyond a BIGINT the server answers 1264 Out of range value
    assert CUSTOMER.problems({"sn": "S", "egn": "1" * 31}) == [f"egn '{'1' * 31}' {rule}"]
    assert CUSTOMER.problems({"sn": "S", "egn": "000" + "9" * 18}) == []
    assert CUSTOMER.problems({"sn": "S", "name": "n" * 100, "address": "a" * 255}) == []
    assert CUSTOMER.problems({"sn": "S", "name": "n" * 101, "address": "a" * 256}) == [
        "name is 101 characters long, more than the 100 the backend stores",
        "address is 256 characters long, more than the 255 the backend stores"]


def test_serials_are_the_same_identity_whatever_their_case_and_trailing_spaces():
    backend = OnuCustomers(FakeClient())
    assert backend.canonical_key("c850e98ce604  ") == "C850E98CE604"
    assert backend.fetch(["s1 ", "S2"]) == {"s1 ": backend.fetch(["S1"])["S1"]}


def test_an_update_names_the_stored_serial_and_never_the_id():
    client = FakeClient()
    backend = OnuCustomers(client)
    current = backend.fetch(["s1"])["s1"]
    backend.update(current, {"name": "new"}, {"sn": "s1", "name": "new", "id": "999"})
    assert client.updates == [{"sn": "S1", "name": "new", "state": "NO"}]


def test_the_info_module_finds_a_serial_whatever_its_case():
    backend = OnuCustomers(FakeClient())
    assert [r["id"] for r in backend.search({"sn": "s1 ", "id": None, "filters": {}})] == ["262"]
    assert [r["id"] for r in backend.search({"sn": "s*", "id": None, "filters": {}})] == ["262"]


def test_a_declared_twin_is_declared_once_only():
    with pytest.raises(ReconcileFailed) as caught:
        Reconciler(OnuCustomers(FakeClient())).plan(
            [("present", {"sn": "N1", "name": "n"}), ("present", {"sn": "n1 ", "name": "n"})])
    assert "'n1 ' is declared more than once" in caught.value.message


def test_a_purge_never_takes_a_declared_lower_case_serial_for_another(serve, connect):
    running = serve(OnuEmulator, nbf_delay=0)
    backend = OnuCustomers(connect(running))
    engine = Reconciler(backend)
    items = engine.plan([("present", {"sn": "c850e98ce604", "name": "HT803G-1GC"})],
                        purge_scope={"sn": "C850*"})
    assert [(item.key, item.action) for item in items] == [("c850e98ce604", "none")]
    engine.apply(items)
    backend.forget()
    assert [r["sn"] for r in backend.read_all() if r["sn"].upper() == "C850E98CE604"] == [
        "C850E98CE604"]


def test_a_declared_lower_case_serial_updates_the_stored_customer(serve, connect):
    running = serve(OnuEmulator, nbf_delay=0)
    backend = OnuCustomers(connect(running))
    engine = Reconciler(backend)
    items = engine.plan([("present", {"sn": "c850e98ce604 ", "name": "Renamed"})])
    assert [item.action for item in items] == ["update"]
    result = engine.apply(items)
    assert result["changed"] is True
    backend.forget()
    assert [r["name"] for r in backend.read_all() if r["id"] == "262"] == ["Renamed"]


def test_no_shard_of_a_purge_takes_a_serial_declared_in_another_case():
    # keep holds the serials declared anywhere in the repository, as declared
    for index in range(4):
        partition = Partition(CUSTOMER, index, 4, by="sn", keep=["c850e98ce604 "])
        assert not partition.owns({"sn": "C850E98CE604"})


def test_a_lost_create_whose_read_back_fails_is_not_confirmed_and_a_rerun_finds_it(
        serve, connect):
    running = serve(OnuEmulator, nbf_delay=0)
    declared = [("present", {"sn": "RBCK00000001", "name": "read back"})]
    client = connect(running)
    engine = Reconciler(OnuCustomers(client))
    plan = engine.plan(declared)
    running.emulator.faults.update({"drop_writes": 1, "only": "create_customer"})
    read = client.customers

    def read_failing(sieve=None):  # from the read after the lost answer on, every read fails
        running.emulator.faults.update({"fail_percent": 100, "only": "get_customers"})
        return read(sieve)

    client.customers = read_failing
    with pytest.raises(ReconcileFailed) as failed:
        engine.apply(plan)
    running.emulator.faults.update({"fail_percent": 0, "only": ""})
    assert failed.value.message.startswith(
        "ONU customer 'RBCK00000001': create not confirmed: sent, but the answer was lost")
    assert "create failed" not in failed.value.message
    assert failed.value.result["results"][0]["unconfirmed"] is True
    rerun = Reconciler(OnuCustomers(connect(running)))
    assert rerun.apply(rerun.plan(declared))["changed"] is False
    assert running.emulator.counters.snapshot()["writes"] == {"/API/create_customer.php": 1}
