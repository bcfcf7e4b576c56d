"""Generated records: N seeded are N more records the API reads (issue 15).

The launcher's ``--seed-records``, the constructor's ``seed_records`` and
``POST /_emulator/seed`` all insert records of the shape each emulator's
docstring gives; ``GET /_emulator/stats`` reports what the emulator spent.
"""

import pytest

from tests.emulators.__main__ import parse
from tests.emulators.crm import SEED_API_KEY, CrmEmulator
from tests.emulators.ipdr import TOKEN, IpdrEmulator
from tests.emulators.onu import OnuEmulator
from tests.emulators.simpler import SimplerEmulator
from tests.emulators.userside import UsersideEmulator

SIMPLER_AUTH = {"api_username": "username", "api_password": "password", "operator": "operator"}
IPDR_AUTH = {"api_token": TOKEN, "username": "user", "contextname": "default"}


@pytest.fixture
def make(tmp_path):
    made = []

    def make_one(emulator_class, **config):
        made.append(emulator_class(str(tmp_path / ("%d.sqlite" % len(made))), **config))
        return made[-1]

    yield make_one
    for emulator in made:
        emulator.store.conn.close()


def seed(client, **body):
    answer = client.post("/_emulator/seed", json=body)
    return answer.status_code, answer.get_json()


def onu_customers(client):
    token = client.post("/API/api_login.php", json={
        "username": "admin", "password": "admin123"}).get_json()["jwt"]
    return client.post("/API/get_customers.php", json={"jwt": token}).get_json()["customers"]


def test_onu_generated_customers_are_read_back(make):
    client = make(OnuEmulator, nbf_delay=0, seed_records=30).app.test_client()
    assert seed(client, count=12, prefix="ZTEG")[0] == 200
    customers = onu_customers(client)
    assert len(customers) == 4 + 30 + 12
    generated = {customer["sn"]: customer for customer in customers}
    assert generated["BENCH0000001E"] == {
        # numbers as the PHP 8 server answers them (php_numbers, on by default)
        "id": generated["BENCH0000001E"]["id"], "name": "BENCH ONU 30", "address": "",
        "egn": None, "sn": "BENCH0000001E", "service": 3, "auto": "YES", "state": "YES",
        "state_rf": None}
    assert "ZTEG0000000C" in generated and "BENCH0000001F" not in generated


def test_crm_generated_customers_are_read_back(make):
    client = make(CrmEmulator, seed_records=150).app.test_client()
    auth = {"userid": "5", "api_key": SEED_API_KEY}
    count = client.post("/api/customer/list", data=dict(auth, show_count="1")).get_json()
    assert count == {"result": 240 + 150, "error": None}
    rows, offset = [], 0
    while True:
        page = client.post("/api/customer/list", data=dict(
            auth, rows_limit="100", rows_offset=str(offset))).get_json()["result"]
        rows += page
        offset += len(page)
        if not page:
            break
    assert len(rows) == 390 and len({row["id"] for row in rows}) == 390
    last = rows[-1]
    assert (last["uniqueid"], last["name"], last["email"], last["resellerid"]) == (
        "SEED-000150", "SEED Customer 000150", "seed000150@example.net", "1")


def test_simpler_generated_customers_and_equipment_are_read_back(make):
    client = make(SimplerEmulator, seed_records=40).app.test_client()

    def call(function, **params):
        return client.post("/restapi/API/" + function,
                           json=dict(SIMPLER_AUTH, **params)).get_json()["result"]

    assert call("searchCustomer", invoicingid="SEED-0000")["results"] == "40"
    [found] = call("searchCustomer", nickname="seed_000040")["customer"].values()
    customer = call("getCustomerData", customerid=found["customerid"])["customer"]
    assert (customer["name"], customer["invoicingid"], customer["status"]) == (
        "SEED Customer 000040", "SEED-000040", "potential")
    assert call("deleteCustomer", customerid=found["customerid"]) == "OK"
    items = call("listEquipment", nickname="cpe_seed_")["equipment"]
    assert len(items) == 40
    assert items[0]["macaddress"] == "06:00:00:00:00:01" and items[0]["id"] == "128"


def test_ipdr_generated_customers_are_read_back(make):
    client = make(IpdrEmulator).app.test_client()
    assert seed(client, count=25) == (200, {"seeded": 25, "seconds": pytest.approx(0, abs=5)})
    listed = client.get("/api/ipdrcustomers", json=IPDR_AUTH).get_json()
    assert len(listed) == 2 + 25
    one = client.get("/api/ipdrcustomers/SEED-000025", json=IPDR_AUTH).get_json()
    assert one == dict(listed[-1], Name="SEED Customer 000025", UserID="SEED-000025")


def test_userside_generated_customers_are_read_back(make):
    client = make(UsersideEmulator, seed_records=20).app.test_client()

    def api(action, **params):
        return client.post("/api.php", query_string={
            "key": "userside-test-key", "cat": "customer", "action": action},
            data=params).get_json()

    ids = api("get_customers_id", house_id="12")["data"]
    assert len(ids) == 20
    assert api("get_abon_id", data_typer="login", data_value="seed-000020")["Id"] == ids[-1]
    data = api("get_data", customer_id=str(ids[-1]))["Data"]
    assert (data["full_name"], data["agreement"][0]["number"], data["phone"][0]["number"]) == (
        "SEED Customer 000020", "SEED-000020", "+70000000020")


def test_a_reset_keeps_the_generated_records_and_a_seed_adds_to_them(make):
    emulator = make(IpdrEmulator, seed_records=10)
    client = emulator.app.test_client()
    assert seed(client, count=5, prefix="MORE")[0] == 200
    assert len(client.get("/api/ipdrcustomers", json=IPDR_AUTH).get_json()) == 2 + 10 + 5
    client.post("/_emulator/reset")
    assert len(client.get("/api/ipdrcustomers", json=IPDR_AUTH).get_json()) == 2 + 10


def test_a_seed_that_clashes_or_cannot_be_stored_inserts_nothing(make):
    client = make(OnuEmulator, nbf_delay=0, seed_records=3).app.test_client()
    status, body = seed(client, count=5)  # BENCH00000001..3 exist
    assert status == 409 and "clashes" in body["error"]
    assert seed(client, count=5, prefix="BAD'")[0] == 400
    assert seed(client, count=-1)[0] == 400
    assert seed(client, count=2, start=4) == (200, {"seeded": 2, "seconds": pytest.approx(
        0, abs=5)})
    assert len(onu_customers(client)) == 4 + 3 + 2


def test_the_launcher_passes_the_seed_options(tmp_path):
    args, emulator_class = parse(["crm", "--db", "x.sqlite", "--seed-records", "7",
                                  "--seed-prefix", "LOAD"])
    assert emulator_class is CrmEmulator
    assert (args.seed_records, args.seed_prefix) == (7, "LOAD")


def test_stats_report_service_times_and_cpu_and_reset_with_the_counters(make):
    client = make(IpdrEmulator).app.test_client()
    for _index in range(3):
        client.get("/api/ipdrcustomers/B68t19", json=IPDR_AUTH)
    client.post("/api/ipdrcustomers", json=dict(IPDR_AUTH, UserID="U1", Name="N"))
    stats = client.get("/_emulator/stats").get_json()
    assert sorted(stats["endpoints"]) == ["GET ipdrcustomers/id", "POST ipdrcustomers"]
    read = stats["endpoints"]["GET ipdrcustomers/id"]
    assert read["requests"] == 3 and 0 < read["median_ms"] <= read["total_ms"]
    assert read["cpu_ms"] > 0 and stats["cpu_seconds"] > 0
    client.delete("/_emulator/counters")
    assert client.get("/_emulator/stats").get_json()["endpoints"] == {}
