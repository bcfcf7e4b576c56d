"""The ONU emulator answers as CONTRACTS §1 says, quirks included."""

import pytest
import requests

from tests.emulators.onu import OnuEmulator


@pytest.fixture
def onu(serve):
    running = serve(OnuEmulator, nbf_delay=0)
    session = requests.Session()

    def post(endpoint, body=None, login=("admin", "admin123")):
        body = dict(body or {})
        if login:
            token = session.post(running.url + "api_login.php",
                                 json={"username": login[0], "password": login[1]}).json()["jwt"]
            body["jwt"] = token
        answer = session.post(running.url + endpoint, json=body)
        return answer.status_code, answer.json()

    return post


def test_login_answers(onu):
    assert onu("api_login.php", {"username": "admin", "password": "x"}, login=None) == (
        401, {"message": "Login failed.  "})
    assert onu("api_login.php", {}, login=None) == (400, {"message": "Data is incomplete."})


def test_token_errors(onu):
    assert onu("get_customers.php", {}, login=None) == (401, {"message": "Access denied."})
    assert onu("get_customers.php", {"jwt": "garbage"}, login=None)[1]["error"] == (
        "Wrong number of segments")
    status, body = onu("get_customers.php", {"jwt": "a.b.c"}, login=None)
    assert status == 401 and body["message"] == "Access denied."


def test_not_yet_valid_tokens_are_refused(serve):
    running = serve(OnuEmulator)  # the server's own ten seconds
    token = requests.post(running.url + "api_login.php",
                          json={"username": "admin", "password": "admin123"}).json()["jwt"]
    answer = requests.post(running.url + "get_services.php", json={"jwt": token})
    assert answer.status_code == 401
    assert answer.json()["error"].startswith("Cannot handle token prior to ")


def test_create_answers_no_id_and_duplicates_are_503(onu):
    body = {"sn": "NEW1", "name": "n", "auto": "YES", "state": "YES"}
    assert onu("create_customer.php", body) == (201, {"message": "Customer was created."})
    assert onu("create_customer.php", body)[0] == 503
    assert onu("create_customer.php", {"sn": "NEW2"}) == (
        400, {"message": "Unable to create customer. Data is incomplete."})


def test_an_update_without_state_disables_and_get_one_misreports_state(onu):
    assert onu("update_customer.php", {"sn": "C850E98CE604", "name": "x"})[0] == 201
    listed = [c for c in onu("get_customers.php")[1]["customers"] if c["sn"] == "C850E98CE604"]
    assert listed[0]["state"] == "NO"
    onu("update_customer.php", {"sn": "C850E98CE604", "state": "YES"})
    assert onu("get_customers_one.php", {"sn": "C850E98CE604"})[1]["state"] == "NO"


def test_empty_values_are_not_written(onu):
    onu("update_customer.php", {"sn": "C850E98CE604", "name": "", "state": "YES"})
    assert onu("get_customers_one.php", {"sn": "C850E98CE604"})[1]["name"] == "HT803G-1GC"


def test_unknown_customers(onu):
    assert onu("get_customers_one.php", {"sn": "NOPE"}) == (
        404, {"message ": "Customer does not exist."})
    assert onu("update_customer.php", {"sn": "NOPE", "name": "x"})[0] == 201
    assert onu("delete_customer.php", {"sn": "NOPE"}) == (
        200, {"message": "Customer was deleted."})


def test_privilege_by_account_type(onu):
    assert onu("get_services.php", login=("visitor", "visitor123"))[0] == 200
    assert onu("delete_customer.php", {"sn": "C850E98CE604"},
               login=("visitor", "visitor123")) == (
        401, {"message": "Access denied. Not enough privilege."})


def test_state_survives_a_restart(serve, tmp_path):
    first = serve(OnuEmulator, nbf_delay=0)
    db = first.emulator.store.path
    first.emulator.store.conn.execute("DELETE FROM customers WHERE sn = 'C850E98CE604'")
    first.stop()
    again = OnuEmulator(db, nbf_delay=0)
    assert again.store.one("SELECT * FROM customers WHERE sn = 'C850E98CE604'") is None
