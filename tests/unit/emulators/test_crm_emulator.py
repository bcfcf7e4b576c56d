"""The neuCRM emulator answers as CONTRACTS §2 (and its own docstring) says."""

import pytest

from tests.emulators.crm import SEED_API_KEY, CrmEmulator

AUTH = {"userid": "5", "api_key": SEED_API_KEY}
RESELLER_USER = {"userid": "7", "api_key": "7c1ad4e0b3f2a95d86e1f0c4b2a7d9e3f5a1c8b6d4e2f0a9b7c5"}
ADMIN = {"userid": "1", "api_key": "a1d0c6e83f2b5a7c9e4d1f8b3a6c0e9d2f5b8a1c4e7d0f3b6a9c"}
NEW = {
    "resellerid": "1",
    "type": "Individual",
    "name": "Some Name",
    "mobile": "12344444",
    "email": "abc@email.com",
    "zipcode": "12345",
    "state": "Goa",
    "city": "Panaji",
    "street": "3rd street",
}


@pytest.fixture
def emulator(tmp_path):
    emulator = CrmEmulator(str(tmp_path / "crm.sqlite"))
    yield emulator
    emulator.store.conn.close()


@pytest.fixture
def client(emulator):
    return emulator.app.test_client()


def call(client, action, auth=None, **fields):
    body = dict(AUTH if auth is None else auth)
    body.update((key, str(value)) for key, value in fields.items())
    response = client.post("/api/customer/" + action, data=body)
    assert response.status_code == 200, "every answer, errors included, is HTTP 200"
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"result", "error"}
    return body


def listed(client, auth=None, **filters):
    body = call(client, "list", auth, **filters)
    assert body["error"] is None
    return body["result"]


def test_seed_curl_create_answers_an_integer_id_and_the_row_reads_back(client):
    body = call(client, "create", **NEW)
    assert body["error"] is None
    assert isinstance(body["result"], int)
    [row] = listed(client, customerid=body["result"])
    assert row["id"] == str(body["result"])
    assert row["ispid"] == "1" and row["resellerid"] == "1"
    assert row["name"] == "Some Name" and row["state"] == "Goa" and row["uniqueid"] is None
    assert row["dob"] == "0000-00-00"


def test_native_types_answers_numbers(tmp_path):
    emulator = CrmEmulator(str(tmp_path / "n.sqlite"), native_types=True)
    row = listed(emulator.app.test_client(), rows_limit=1)[0]
    assert row["id"] == 1001 and row["resellerid"] == 1
    emulator.store.conn.close()


@pytest.mark.parametrize(
    "auth",
    [
        {"userid": "5", "api_key": "wrong"},
        {"userid": "5"},
        {"api_key": SEED_API_KEY},
        {},
        {"userid": "x", "api_key": SEED_API_KEY},
    ],
)
def test_bad_credentials_are_an_error_envelope_on_every_endpoint(client, auth):
    for action in ("list", "create", "update", "delete"):
        body = call(client, action, auth=auth, customerid=1001, **NEW)
        assert body == {"result": None, "error": "Invalid userid or api_key"}
    assert listed(client, customerid=1001)


def test_list_defaults_to_10_rows_and_caps_rows_limit_at_100(client):
    assert len(listed(client)) == 10
    assert len(listed(client, rows_limit=500)) == 100
    assert call(client, "list", rows_limit="ten")["error"] == "Invalid rows_limit"


def test_paging_by_offset_covers_every_visible_customer_once(client):
    ids, offset = [], 0
    while True:
        page = listed(client, rows_limit=100, rows_offset=offset)
        if not page:
            break
        ids.extend(row["id"] for row in page)
        offset += len(page)
    assert len(ids) == len(set(ids)) == 240
    assert listed(client, show_count=1) == 240


def test_users_see_only_their_isp_or_reseller(client):
    assert listed(client, auth=ADMIN, show_count=1) == 252
    assert listed(client, auth=RESELLER_USER, show_count=1) == 110
    assert listed(client, customerid=1245) == []  # ISP 2's customer, hidden from user 5
    assert call(client, "delete", customerid=1245)["error"] == "Customer not found"
    assert listed(client, auth=ADMIN, customerid=1245)


def test_show_count_ignores_paging_and_honours_filters(client):
    assert listed(client, show_count=1, rows_limit=5, resellerid=2) == 110


def test_wildcards_in_name_and_username_and_exact_other_filters(client):
    rows = listed(client, name="Seed Customer 00%", rows_limit=100)
    assert sorted(row["name"] for row in rows) == ["Seed Customer %03d" % n for n in range(1, 10)]
    assert [r["username"] for r in listed(client, username="ppp_seed_01%")] == [
        "ppp_seed_%03d" % n for n in (10, 11, 13, 14, 15, 17, 18, 19)
    ]
    assert [r["id"] for r in listed(client, email="SEED002@example.net")] == ["1002"]
    assert listed(client, type="Organisation", show_count=1) == 34


def test_created_range_and_sorting(client):
    rows = listed(client, created_from="2025-03-01", created_upto="2025-03-31", rows_limit=100)
    assert rows and all(row["created"].startswith("2025-03") for row in rows)
    first = listed(client, sort_field="name", sort_order="desc", rows_limit=1)[0]
    assert first["name"] == "Seed Customer 240"
    assert call(client, "list", sort_field="street")["error"].startswith("Invalid sort_field")


@pytest.mark.parametrize(
    "missing", ["type", "name", "mobile", "email", "zipcode", "state", "city", "street"]
)
def test_create_requires_each_documented_field(client, missing):
    fields = dict(NEW)
    del fields[missing]
    assert call(client, "create", **fields) == {"result": None, "error": missing + " is required"}


def test_create_applies_the_ispid_and_resellerid_rule(client):
    without_reseller = dict(NEW)
    del without_reseller["resellerid"]
    assert call(client, "create", **without_reseller)["error"] == "resellerid is required"
    assert call(client, "create", auth=ADMIN, **NEW)["error"] == "ispid is required"
    assert call(client, "create", auth=ADMIN, ispid=1, **NEW)["error"] is None
    assert call(client, "create", **{**NEW, "resellerid": "9"})["error"] == "Invalid resellerid"
    assert call(client, "create", ispid=2, **NEW)["error"] == "Access denied for ispid"
    created = call(client, "create", auth=RESELLER_USER, **without_reseller)["result"]
    assert listed(client, customerid=created)[0]["resellerid"] == "2"


def test_create_validates_type_dates_and_email(client):
    assert call(client, "create", **{**NEW, "type": "Company"})["error"].startswith("Invalid type")
    assert call(client, "create", **{**NEW, "dob": "01/02/1990"})["error"].startswith("Invalid dob")
    assert call(client, "create", **{**NEW, "email": "nope"})["error"] == "Invalid email"
    body = call(client, "create", **{**NEW, "type": "organisation"})
    assert listed(client, customerid=body["result"])[0]["type"] == "Organisation"


def test_the_same_uniqueid_twice_makes_two_customers(client):
    call(client, "create", uniqueid="DUP-1", **NEW)
    call(client, "create", uniqueid="DUP-1", **NEW)
    rows = listed(client, rows_limit=100, rows_offset=200)
    assert [row["uniqueid"] for row in rows].count("DUP-1") == 2


def test_update_writes_what_it_is_sent_and_clears_optional_fields(client):
    assert call(client, "update", customerid=1003, street="2nd street", surname="") == {
        "result": "done",
        "error": None,
    }
    row = listed(client, customerid=1003)[0]
    assert row["street"] == "2nd street" and row["surname"] is None
    assert row["name"] == "Seed Customer 003"
    assert call(client, "update", customerid=1003, name="")["error"] == "name is required"
    assert call(client, "update", customerid=99999, name="x")["error"] == "Customer not found"
    assert call(client, "update", name="x")["error"] == "customerid is required"
    assert call(client, "update", customerid=1003, reset_password="maybe")["error"].startswith(
        "Invalid reset_password"
    )
    assert call(client, "update", customerid=1003, reset_password="Y")["result"] == "done"


def test_delete_removes_the_customer(client):
    assert call(client, "delete", customerid=1004) == {"result": "done", "error": None}
    assert listed(client, customerid=1004) == []
    assert call(client, "delete", customerid=1004)["error"] == "Customer not found"


def test_counters_and_a_dropped_create_answer_after_commit(emulator, client):
    emulator.faults.update({"drop_writes": 1, "only": "create"})
    response = client.post("/api/customer/create", data=dict(AUTH, uniqueid="LOST-1", **NEW))
    assert response.headers["Content-Length"] == "4096"  # the body is cut short
    assert listed(client, show_count=1) == 241
    counts = emulator.counters.snapshot()
    assert counts["writes"] == {"create": 1}
    assert counts["reads"] == {"list": 1}


def test_a_page_is_read_again_only_after_a_write(emulator, client):
    """A page read once per shard of a run is answered as it was while nothing was
    written (tests.emulators.kept), byte for byte, and read again after a write."""
    page = dict(AUTH, rows_limit="100", rows_offset="90")
    first = client.post("/api/customer/list", data=page)
    with emulator.store.traced() as issued:
        again = client.post("/api/customer/list", data=page)
    assert (again.data, again.headers) == (first.data, first.headers)
    assert not [sql for sql, _args in issued if "FROM customers" in sql]
    target = first.get_json()["result"][0]["id"]
    assert call(client, "update", customerid=target, name="Renamed")["result"] == "done"
    assert listed(client, rows_limit="100", rows_offset="90")[0]["name"] == "Renamed"
    emulator.configure({"native_types": True})
    assert listed(client, rows_limit="100", rows_offset="90")[0]["id"] == int(target)
