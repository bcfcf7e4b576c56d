"""Every lookup an emulated API offers is an indexed SQLite query (issue 15).

Each test sends an emulator the lookups of its API, records the queries they
issue (``Store.traced``), and asks SQLite for the plan of each, with the same
arguments: no plan may read a whole table of records (``SCAN <table>``, with
or without a covering index), and a full-text table must be looked up by its
``MATCH`` or ``LIKE``, not read whole. SQLite plans without statistics here,
so a plan is the same at 50 records as at 200,000.
"""

import re

import pytest

from tests.emulators.crm import SEED_API_KEY, CrmEmulator
from tests.emulators.ipdr import TOKEN, IpdrEmulator
from tests.emulators.onu import OnuEmulator
from tests.emulators.simpler import SimplerEmulator
from tests.emulators.userside import UsersideEmulator

RESELLER_USER = {"userid": "7", "api_key": "7c1ad4e0b3f2a95d86e1f0c4b2a7d9e3f5a1c8b6d4e2f0a9b7c5"}
ADMIN = {"userid": "1", "api_key": "a1d0c6e83f2b5a7c9e4d1f8b3a6c0e9d2f5b8a1c4e7d0f3b6a9c"}
SIMPLER_AUTH = {"api_username": "username", "api_password": "password", "operator": "operator"}
FULL_TEXT = ("customer_names", "customer_search", "equipment_search")


def whole_reads(store, issued, tables):
    """The plan lines of ``issued`` queries that read a table of ``tables`` whole."""
    scan = re.compile(r"^SCAN (%s)(?: |$)" % "|".join(tables))
    unconstrained = re.compile(r"^SCAN (%s) VIRTUAL TABLE INDEX \d+:$" % "|".join(FULL_TEXT))
    found = []
    for sql, args in issued:
        for row in store.conn.execute("EXPLAIN QUERY PLAN " + sql, args):
            line = row[3]
            if scan.match(line) and "VIRTUAL TABLE" not in line or unconstrained.match(line):
                found.append("%s\n    in %s %r" % (line, sql, args))
    return found


def lookups_are_indexed(emulator, tables, send):
    with emulator.store.traced() as issued:
        send(emulator.app.test_client())
    touching = [(sql, args) for sql, args in issued
                if re.search(r"\b(%s)\b" % "|".join(tables + FULL_TEXT), sql)]
    assert touching, "the lookups issued no query on %s" % ", ".join(tables)
    assert whole_reads(emulator.store, touching, tables) == []
    return touching


@pytest.fixture
def make(tmp_path):
    made = []

    def make_one(emulator_class, **config):
        made.append(emulator_class(str(tmp_path / ("%d.sqlite" % len(made))),
                                   seed_records=50, **config))
        return made[-1]

    yield make_one
    for emulator in made:
        emulator.store.conn.close()


def test_the_check_finds_a_whole_read(make):
    emulator = make(OnuEmulator)
    issued = [("SELECT * FROM customers WHERE name = ?", ("onu1",))]
    assert whole_reads(emulator.store, issued, ("customers",)) == [
        "SCAN customers\n    in SELECT * FROM customers WHERE name = ? ('onu1',)"]


def test_onu_lookups(make):
    emulator = make(OnuEmulator, nbf_delay=0)

    def send(client):
        token = client.post("/API/api_login.php", json={
            "username": "admin", "password": "admin123"}).get_json()["jwt"]

        def post(endpoint, body):
            return client.post("/API/" + endpoint, json=dict(body, jwt=token))

        post("get_customers_one.php", {"sn": "BENCH00000007"})
        post("get_customers_one.php", {"id": "262"})
        post("create_customer.php", {"sn": "BENCH00000008", "name": "n", "auto": "YES",
                                     "state": "YES"})
        post("create_customer.php", {"sn": "NEW00001", "name": "n", "auto": "YES",
                                     "state": "YES"})
        post("update_customer.php", {"sn": "BENCH00000009", "name": "m", "state": "YES"})
        post("update_customer.php", {"id": "191", "sn": "BENCH0000000A", "state": "YES"})
        post("delete_customer.php", {"sn": "BENCH0000000B"})

    lookups_are_indexed(emulator, ("customers",), send)


def test_crm_lookups(make):
    emulator = make(CrmEmulator)
    filters = [
        {}, {"customerid": "1010"}, {"serviceid": "5010"}, {"ispid": "1"}, {"resellerid": "1"},
        {"name": "SEED Customer 00001%"}, {"name": "%Customer 000012"},
        {"username": "ppp_seed_00002%"}, {"username": "%seed_000021"},
        {"type": "organisation"}, {"mobile": "7000000012"}, {"email": "SEED000012@example.net"},
        {"zipcode": "403001"}, {"state": "goa"}, {"city": "KOCHI"},
        {"created_from": "2025-03-01"}, {"created_upto": "2025-02-10"},
        {"name": "seed%", "city": "panaji", "type": "individual"},
    ]

    def send(client):
        for auth in ({"userid": "5", "api_key": SEED_API_KEY}, RESELLER_USER):
            for form in filters:
                client.post("/api/customer/list", data=dict(auth, **form))
                client.post("/api/customer/list", data=dict(auth, show_count="1", **form))
            # Every page of the list, as the module reads it.
            for offset in range(0, 400, 100):
                client.post("/api/customer/list", data=dict(
                    auth, rows_limit="100", rows_offset=str(offset), sort_field="id"))
            client.post("/api/customer/list", data=dict(
                auth, rows_limit="100", rows_offset="100", sort_field="id", sort_order="desc"))
        client.post("/api/customer/list", data=dict(ADMIN, customerid="1010"))
        auth = {"userid": "5", "api_key": SEED_API_KEY}
        client.post("/api/customer/update", data=dict(auth, customerid="1300", notes="x"))
        client.post("/api/customer/delete", data=dict(auth, customerid="1301"))

    issued = lookups_are_indexed(emulator, ("customers",), send)
    # Pages after the first continue from the last id: no OFFSET steps over the rows before.
    pages = [sql for sql, args in issued if "LIMIT" in sql and "ORDER BY id" in sql]
    assert any("OFFSET" not in sql for sql in pages)


def test_simpler_lookups(make):
    emulator = make(SimplerEmulator)
    searches = [
        {"customerid": "12"}, {"nickname": "seed_000012"}, {"invoicingid": "seed-000012"},
        {"invoicingid": "SEED-000012", "case_sensitive": "1"}, {"email": "000012@example"},
        {"firstname": "seed"}, {"lastname": "customer 000012"}, {"street1": "12 seed"},
        {"postcode": "00012"}, {"city": "london", "nickname": "seed_00001"},
        {"nickname": "seed_0000", "order": "lastname", "limit": "5"},
        {"nickname": "seed_0000", "offset": "5", "limit": "5"},
    ]

    def call(client, function, **params):
        return client.post("/restapi/API/" + function, json=dict(SIMPLER_AUTH, **params))

    def send(client):
        for params in searches:
            call(client, "searchCustomer", **params)
        call(client, "getCustomerData", customerid="12", customFields="1")
        for params in ({"id": "140"}, {"ipaddress": "10.128.0.12"}, {"type": "router"},
                       {"nickname": "cpe_seed_000012"}, {"macaddress": "06:00:00:00:00:0c"}):
            call(client, "listEquipment", **params)
        call(client, "addCustomer", name="N", nickname="seed_000013", invoicingid="SEED-000013")
        call(client, "modifyCustomer", customerid="20", nickname="seed_000021")
        call(client, "deleteCustomer", customerid="22")
        call(client, "addEquipment", nickname="cpe_seed_000014")
        call(client, "modifyEquipment", equipid="140", nickname="cpe_seed_000015")

    lookups_are_indexed(emulator, ("customers", "equipment", "attachments"), send)


def test_ipdr_lookups(make):
    emulator = make(IpdrEmulator)
    auth = {"api_token": TOKEN, "username": "user", "contextname": "default"}

    def send(client):
        client.get("/api/ipdrcustomers", json=auth)
        client.get("/api/ipdrcustomers/SEED-000012", json=auth)
        client.post("/api/ipdrcustomers", json=dict(auth, UserID="SEED-000013", Name="N"))
        client.patch("/api/ipdrcustomers/SEED-000014", json=dict(auth, Email="e"))
        client.put("/api/ipdrcustomers/SEED-000015", json=dict(
            auth, Name="N", Address="A", Email="E", PhoneNumber="1", AltPhoneNumber="2",
            UserID="SEED-000015"))
        client.delete("/api/ipdrcustomers/SEED-000016", json=auth)

    lookups_are_indexed(emulator, ("customers",), send)


def test_userside_lookups(make):
    emulator = make(UsersideEmulator)
    abon_ids = [("login", "SEED-000012"), ("mail", "seed-000012@example.net"),
                ("dognumber", "seed-000012"), ("account", "seed000012"),
                ("codeti", "CT-1"), ("billing_uid", "CT-1"), ("phone", "+70000000012"),
                ("ip", "10.1.0.1"), ("mac", "02:00:00:00:00:01")]
    conditions = [{"house_id": "12"}, {"billing_id": "0"}, {"state_id": "1"},
                  {"tariff_id": "2"}, {"is_corporate": "1"}, {"appartment": "3"},
                  {"mark_id": "2"}, {"name": "SEED Customer 000012"},
                  {"name": "customer 00001", "is_like": "1"},
                  {"house_id": "12", "mark_id": "2", "state_id": "2", "limit": "5"}]

    def api(client, action, **params):
        return client.post("/api.php", query_string={
            "key": "userside-test-key", "cat": "customer", "action": action}, data=params)

    def send(client):
        api(client, "ip_add", customer_id="10", value="10.1.0.1", mac="02:00:00:00:00:01")
        for typer, value in abon_ids:
            api(client, "get_abon_id", data_typer=typer, data_value=value)
        for condition in conditions:
            api(client, "get_customers_id", **condition)
        api(client, "get_data", customer_id="12")
        api(client, "get_data", account_number="SEED000012", billing_id="0")
        api(client, "edit", id="13", login="seed-000014")
        api(client, "delete", id="15")

    lookups_are_indexed(emulator, ("customers", "customer_ips", "customer_marks",
                                   "customer_services", "customer_agreements",
                                   "customer_emails"), send)
