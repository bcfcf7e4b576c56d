"""The UserSide emulator answers as CONTRACTS §5 says, quirks included."""

import pytest

from tests.emulators.userside import UsersideEmulator

KEY = "userside-test-key"


@pytest.fixture
def make(tmp_path):
    made = []

    def build(**config):
        emulator = UsersideEmulator(str(tmp_path / ("us%d.sqlite" % len(made))), **config)
        made.append(emulator)
        return emulator.app.test_client()

    yield build
    for emulator in made:
        emulator.store.conn.close()


@pytest.fixture
def client(make):
    return make()


def call(client, action, method="POST", key=KEY, **params):
    query = {"key": key, "cat": "customer", "action": action}
    if method == "GET":
        query.update(params)
        return client.get("/api.php", query_string=query)
    return client.post("/api.php", query_string=query, data=params)


def test_add_answers_the_new_id_and_get_data_answers_the_read_shape(client):
    added = call(client, "add", fio="Ada Lovelace", is_corporate=1, billing_id=2)
    assert added.status_code == 200
    new_id = added.get_json()["Id"]
    assert added.get_json() == {"Result": "OK", "Id": new_id}
    assert call(client, "edit", id=new_id, login="ada", phone0="+100", phone1="200",
                email="ada@example.net", agreement_number="D-7", agreement_date="2024-03-05",
                house_id=5, apartment_number="12", entrance=2, floor=3, group_id=2,
                comment="hi").status_code == 200
    call(client, "ip_add", customer_id=new_id, value="10.0.0.1", mac="AA-BB-CC-00-11-22")
    call(client, "mark_add", customer_id=new_id, mark_id=2)
    call(client, "tarif_change", customer_id=new_id, tarif=3)
    data = call(client, "get_data", "GET", customer_id=new_id).get_json()["Data"]
    assert data["full_name"] == "Ada Lovelace"
    assert data["flag_corporate"] == 1 and data["billing_id"] == 2
    assert data["phone"] == [{"number": "+100", "flag_main": 1}, {"number": "200", "flag_main": 0}]
    assert data["email"] == [{"address": "ada@example.net", "flag_main": 1}]
    assert data["agreement"] == [{"number": "D-7", "date": "05.03.2024", "flag_main": 1}]
    assert data["address"] == [{"type": "connect", "house_id": 5, "apartment": {"number": "12"},
                                "entrance": 2, "floor": 3}]
    assert list(data["ip_mac"].values()) == [{"ip": 167772161, "mac": "aa:bb:cc:00:11:22"}]
    assert list(data["mark"]) == ["2"] and list(data["group"]) == ["2"]
    assert list(data["tariff"]["current"]) == ["3"]
    assert data["state_id"] == 2


def test_errors_use_the_error_envelope_with_a_non_200_status(client):
    wrong_key = call(client, "get_data", "GET", key="nope", customer_id=1)
    assert wrong_key.status_code == 403
    assert wrong_key.get_json() == {"Result": "ERROR", "ErrorText": "Access denied"}
    missing = call(client, "get_data", "GET", customer_id=999)
    assert missing.status_code == 404 and missing.get_json()["Result"] == "ERROR"
    assert call(client, "frobnicate").status_code == 400


def test_lowercase_envelope_mode_answers_lower_case_keys(make):
    client = make(lowercase_envelope=True)
    added = call(client, "add", fio="X").get_json()
    assert set(added) == {"result", "id"}
    assert "data" in call(client, "get_data", "GET", customer_id=added["id"]).get_json()
    assert call(client, "get_data", "GET", customer_id=999).get_json() == {
        "result": "ERROR", "error": "Customer not found"}


def test_current_version_refuses_a_write_over_get_and_pre_3_21_accepts_it(make):
    current = make()
    refused = call(current, "add", "GET", fio="X")
    assert refused.status_code == 405 and refused.get_json()["Result"] == "ERROR"
    assert call(current, "get_customers_id", "GET", name="X").get_json()["data"] == []
    legacy = make(pre_3_21=True)
    assert call(legacy, "add", "GET", fio="X").status_code == 200
    assert call(legacy, "get_customers_id", "GET", name="X").get_json()["list"] == "4"


def test_get_customers_id_refuses_a_call_without_condition_and_filters_by_mark(client):
    refused = call(client, "get_customers_id", "GET")
    assert refused.status_code == 400
    assert call(client, "get_customers_id", "GET", mark_id=2).get_json()["data"] == [1]
    assert call(client, "get_customers_id", "GET", house_id=10).get_json()["data"] == [1, 2]


@pytest.mark.parametrize("typer, value", [
    ("login", "SEED-ALICE"), ("dognumber", "A-1"), ("account", "ACC-1"), ("codeti", "B-1"),
    ("billing_uid", "B-1"), ("mail", "a@example.net"), ("phone", "+555"), ("ip", "10.1.1.1"),
    ("mac", "00:11:22:33:44:55"),
])
def test_get_abon_id_finds_a_customer_by_every_data_typer(client, typer, value):
    new_id = call(client, "add", fio="Typer", codeti="B-1").get_json()["Id"]
    call(client, "edit", id=new_id, login="seed-alice2", account_number="ACC-1",
         email="a@example.net", phone1="+555")
    call(client, "ip_add", customer_id=new_id, value="10.1.1.1", mac="001122334455")
    if typer in ("login", "dognumber"):  # seed-alice holds both
        new_id = 1
    answer = call(client, "get_abon_id", "GET", data_typer=typer, data_value=value).get_json()
    assert answer == {"Result": "OK", "Id": new_id}


def test_get_abon_id_answers_zero_without_match_and_a_list_for_several(client):
    assert call(client, "get_abon_id", "GET", data_typer="login",
                data_value="nobody").get_json()["Id"] == 0
    call(client, "edit", id=2, agreement_number="A-1")
    assert call(client, "get_abon_id", "GET", data_typer="dognumber",
                data_value="A-1").get_json()["Id"] == [1, 2]


def test_edit_refuses_a_login_held_by_another_customer_and_unknown_ids(client):
    taken = call(client, "edit", id=2, login="seed-alice")
    assert taken.status_code == 400 and "Login" in taken.get_json()["ErrorText"]
    assert call(client, "tarif_change", customer_id=1, tarif=99).status_code == 400
    assert call(client, "mark_add", customer_id=1, mark_id=99).status_code == 400


def test_usercode_names_a_customer_only_on_an_older_server(make):
    """3.17 replaced usercode with customer_id: a current server does not read it."""
    refused = call(make(), "mark_add", usercode=3, mark_id=1)
    assert refused.status_code == 400
    assert refused.get_json()["ErrorText"] == "Parameter customer_id is required"
    legacy = make(pre_3_21=True)
    assert call(legacy, "mark_add", usercode=3, mark_id=1).status_code == 200
    assert list(call(legacy, "get_data", "GET", usercode=3).get_json()["Data"]["mark"]) == [
        "1", "3"]


def test_sets_converge_through_their_own_actions(client):
    call(client, "mark_add", customer_id=3, mark_id=1)
    call(client, "mark_add", customer_id=3, mark_id=1)  # already set: no error
    call(client, "service_add", customer_id=3, service_id=2, price="5")
    call(client, "ip_add", customer_id=3, value="10.9.9.9")
    data = call(client, "get_data", "GET", customer_id=3).get_json()["Data"]
    assert sorted(data["mark"]) == ["1", "3"] and list(data["service"]) == ["2"]
    call(client, "mark_delete", customer_id=3, mark_id=1)
    call(client, "service_remove", customer_id=3, service_id=2)
    call(client, "ip_delete", customer_id=3, value="10.9.9.9")
    call(client, "state_change", customer_id=3, state_id=1)
    data = call(client, "get_data", "GET", customer_id=3).get_json()["Data"]
    assert list(data["mark"]) == ["3"] and data["service"] == {} and data["ip_mac"] == {}
    assert data["state_id"] == 1


def test_delete_removes_the_customer(client):
    assert call(client, "delete", id=3).get_json() == {"Result": "OK"}
    assert call(client, "get_data", "GET", customer_id=3).status_code == 404


def test_writes_are_counted_per_action(make, tmp_path):
    emulator = UsersideEmulator(str(tmp_path / "count.sqlite"))
    client = emulator.app.test_client()
    call(client, "mark_add", customer_id=1, mark_id=1)
    call(client, "get_data", "GET", customer_id=1)
    counts = emulator.counters.snapshot()
    assert counts["writes"] == {"customer.mark_add": 1}
    assert counts["reads"] == {"customer.get_data": 1}
    emulator.store.conn.close()
