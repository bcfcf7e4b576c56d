"""The ONU emulator answers as CONTRACTS §1 and §1a say, quirks included."""

import json
import time

import jwt
import pytest
import requests

from tests.emulators.onu import OnuEmulator


def token_of(running, login=("admin", "admin123")):
    return requests.post(running.url + "api_login.php", timeout=5,
                         json={"username": login[0], "password": login[1]}).json()["jwt"]


@pytest.fixture
def running(serve):
    return serve(OnuEmulator, nbf_delay=0)


@pytest.fixture
def raw(running):
    """``raw(endpoint, body)`` -> the emulator's whole answer, sent with an admin's token."""
    session = requests.Session()

    def post(endpoint, body=None, login=("admin", "admin123")):
        body = dict(body or {})
        if login:
            body["jwt"] = token_of(running, login)
        return session.post(running.url + endpoint, json=body, timeout=5)

    return post


@pytest.fixture
def onu(raw):
    """``onu(endpoint, body)`` -> (status, the JSON after any PHP diagnostics)."""

    def post(endpoint, body=None, login=("admin", "admin123")):
        answer = raw(endpoint, body, login)
        return answer.status_code, json.loads(answer.text.splitlines()[-1])

    return post


def listed(onu, sn=None):
    customers = onu("get_customers.php")[1]["customers"]
    return [c for c in customers if sn is None or c["sn"].rstrip().upper() == sn.upper()]


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


# --- measured against the real server (CONTRACTS §1a) -------------------------
def test_serials_match_ignoring_case_and_trailing_spaces(onu):
    assert onu("get_customers_one.php", {"sn": "c850e98ce604 "})[1]["id"] == 262
    assert onu("update_customer.php", {"sn": "c850e98ce604", "name": "Folded",
                                       "state": "YES"})[0] == 201
    assert [c["name"] for c in listed(onu, "C850E98CE604")] == ["Folded"]
    onu("delete_customer.php", {"sn": "e067b33bc5d1  "})
    assert listed(onu, "E067B33BC5D1") == []


def test_a_twin_serial_is_a_duplicate_and_is_never_stored(onu):
    for twin in ("c850e98ce604", "C850E98CE604 "):
        assert onu("create_customer.php", {"sn": twin, "name": "n", "auto": "YES",
                                           "state": "YES"}) == (
            503, {"message": "Unable to create customer. DUPLICATE SERIAL NUMBER"})
    # The serial wins over the id: the update is of the twin's customer, not a rename.
    onu("update_customer.php", {"id": "194", "sn": "c850e98ce604", "state": "YES"})
    assert len(listed(onu, "C850E98CE604")) == 1


def test_a_backslash_is_swallowed_as_unescaped_sql_does(onu):
    onu("create_customer.php", {"sn": "SLASH1", "name": "A\\B", "address": "a\\\\b",
                                "auto": "YES", "state": "YES"})
    assert [(c["name"], c["address"]) for c in listed(onu, "SLASH1")] == [("AB", "a\\b")]


def test_a_lone_quote_breaks_the_servers_sql(onu):
    status, body = onu("create_customer.php", {"sn": "Q1", "name": "O'Brien", "auto": "YES",
                                               "state": "YES"})
    assert status == 503
    assert body["message"].startswith("Unable to create customer. Connection 4 Failed:__"
                                      "SQLSTATE[42000]")
    assert "1064" in body["message"] and listed(onu, "Q1") == []


@pytest.mark.parametrize("fields, error", [
    ({"egn": "12345678a"}, "1366 Incorrect integer value: '12345678a'"),
    ({"service": "HGU"}, "1366 Incorrect integer value: 'HGU'"),
    ({"state": "MAYBE"}, "1265 Data truncated for column 'state'"),
    ({"name": "n" * 101}, "1406 Data too long for column 'name'"),
    ({"address": "a" * 256}, "1406 Data too long for column 'address'"),
    ({"name": "Ana \U0001F600"}, "1366 Incorrect string value: '\\xF0\\x9F\\x98\\x80'"),
])
def test_strict_columns_refuse_what_they_cannot_hold(onu, fields, error):
    create = dict({"sn": "STRICT1", "name": "n", "auto": "YES", "state": "YES"}, **fields)
    status, body = onu("create_customer.php", create)
    assert status == 503 and error in body["message"]
    assert body["message"].startswith("Unable to create customer. Connection 4 Failed:__SQLSTATE[")
    update = dict({"sn": "C850E98CE604", "state": "YES"}, **fields)
    status, body = onu("update_customer.php", update)
    assert status == 503 and error in body["message"]
    assert body["message"].startswith("Unable to edit customer. Connection Failed:SQLSTATE[")
    assert listed(onu, "STRICT1") == []
    assert listed(onu, "C850E98CE604")[0]["name"] == "HT803G-1GC"


def test_the_longest_values_the_columns_hold_are_stored(onu):
    onu("create_customer.php", {"sn": "LONG1", "name": "n" * 100, "address": "a" * 255,
                                "auto": "YES", "state": "YES"})
    assert len(listed(onu, "LONG1")) == 1


def test_an_egn_loses_its_leading_zeros_and_yes_no_are_stored_upper_case(onu):
    onu("create_customer.php", {"sn": "ZERO1", "name": "n", "egn": "0801011234",
                                "auto": "yes", "state": "no"})
    customer = listed(onu, "ZERO1")[0]
    assert (customer["egn"], customer["auto"], customer["state"]) == (801011234, "YES", "NO")


def test_every_body_but_the_logins_starts_with_a_line_break_and_is_compact_json(raw):
    login = raw("api_login.php", {"username": "admin", "password": "admin123"}, login=None)
    assert login.text.startswith('{"message":"Successful login.","jwt":"')
    assert login.headers["Content-Type"] == "application/json; charset=UTF-8"
    for endpoint, body in (("get_services.php", {}), ("get_customers_one.php", {"sn": "NOPE"}),
                           ("create_customer.php", {"sn": "CRLF1"}),
                           ("delete_customer.php", {"sn": "NOPE"})):
        answer = raw(endpoint, body)
        assert answer.text.startswith("\r\n{")
        assert ", " not in answer.text and '": ' not in answer.text
        assert answer.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert raw("get_services.php", login=None).text == '\r\n{"message":"Access denied."}'


def test_php_diagnostics_come_before_the_json_of_every_update_only(raw):
    plain = raw("update_customer.php", {"sn": "E067B33BC5D1", "state": "YES"}).text
    assert plain.startswith('\r\nstring(79) "Fatal error: Error building ASN.1 representation')
    assert plain.endswith('"\n{"message":"Customer was updated."}')
    assert "No response from" not in plain
    with_rf = raw("update_customer.php", {"sn": "C850E98CE604", "state": "YES"}).text
    assert 'string(17) "No response from "\n{"message":"Customer was updated."}' in with_rf
    quiet = [raw("create_customer.php", {"sn": "NOISE1", "name": "n", "auto": "YES",
                                         "state": "YES"}).text,
             raw("create_customer.php", {"sn": "NOISE1", "name": "n", "auto": "YES",
                                         "state": "YES"}).text,
             raw("delete_customer.php", {"sn": "NOISE1"}).text]
    assert all(text.startswith("\r\n{") for text in quiet)


def test_updates_wait_as_the_servers_do_only_when_asked(serve):
    for slow, waits in ((False, []), (True, [1.0, 7.0])):
        running = serve(OnuEmulator, nbf_delay=0, slow_updates=slow)
        naps = []
        running.emulator.sleep = naps.append
        token = token_of(running)
        for sn in ("E067B33BC5D1", "C850E98CE604"):  # state_rf null, then "2"
            requests.post(running.url + "update_customer.php", timeout=5,
                          json={"jwt": token, "sn": sn, "state": "YES"})
        requests.post(running.url + "create_customer.php", timeout=5, json={
            "jwt": token, "sn": "FAST1", "name": "n", "auto": "YES", "state": "YES"})
        assert naps == waits


def test_a_token_issued_in_the_future_is_refused_like_an_early_one(running):
    now = int(time.time())
    claims = {"iss": "Raisepon", "aud": "Raisepon", "iat": now + 3600, "nbf": now - 10,
              "exp": now + 7200, "data": {"id": "1", "username": "admin", "type": "9"}}
    token = jwt.encode(claims, running.emulator.secret(), algorithm="HS256")
    answer = requests.post(running.url + "get_services.php", json={"jwt": token}, timeout=5)
    assert answer.status_code == 401
    # in the server's time zone, +0200 as measured (CONTRACTS §1a)
    assert answer.json()["error"] == "Cannot handle token prior to " + time.strftime(
        "%Y-%m-%dT%H:%M:%S+0200", time.gmtime(now + 3600 + 7200))


def test_numbers_are_php_8_numbers_by_default(onu, running):
    customer = onu("get_customers.php")[1]["customers"][0]
    assert isinstance(customer["id"], int) and isinstance(customer["service"], int)
    claims = jwt.decode(token_of(running), options={"verify_signature": False})
    assert isinstance(claims["data"]["id"], int) and isinstance(claims["data"]["type"], int)


def test_a_new_serial_with_an_id_blanks_the_record(onu):
    assert onu("update_customer.php", {"id": "194", "sn": "RENAMED1", "state": "YES"})[0] == 201
    customer = listed(onu, "RENAMED1")[0]
    assert (customer["id"], customer["name"], customer["service"], customer["auto"]) == (
        194, "", None, "NO")
    # ... and a customer without a name cannot be read one at a time.
    assert onu("get_customers_one.php", {"id": "194"})[0] == 404


def test_ids_read_as_mysql_casts_them_and_win_on_delete(onu):
    assert onu("get_customers_one.php", {"id": "262abc"})[1]["sn"] == "C850E98CE604"
    onu("delete_customer.php", {"id": "191", "sn": "NOPE0000"})
    assert listed(onu, "000E5E9D1985") == []


def test_the_list_answers_every_write_made_since_it_was_last_read(onu):
    # (the list's answer is kept for the shards that read it again: until a write)
    assert listed(onu, "C850E98CE604")[0]["name"] == "HT803G-1GC"
    assert onu("update_customer.php", {"sn": "C850E98CE604", "name": "moved", "state": "YES"})[0] == 201
    assert listed(onu, "C850E98CE604")[0]["name"] == "moved"
    onu("delete_customer.php", {"sn": "C850E98CE604"})
    assert listed(onu, "C850E98CE604") == []
    onu("create_customer.php", {"sn": "NEW9", "name": "n", "auto": "YES", "state": "YES"})
    assert [c["name"] for c in listed(onu, "NEW9")] == ["n"]
