"""The IPDR emulator answers as CONTRACTS §4 says, quirks included."""

import pytest

from tests.emulators.ipdr import TOKEN, IpdrEmulator

AUTH = {"api_token": TOKEN, "username": "user", "contextname": "default"}
COLLECTION = "/api/ipdrcustomers"
FULL = {
    "Name": "Ada", "Address": "Here", "Email": "ada@example.net",
    "PhoneNumber": "111", "AltPhoneNumber": "222", "UserID": "ada01",
}


@pytest.fixture
def emulator(tmp_path):
    emulator = IpdrEmulator(str(tmp_path / "ipdr.sqlite"))
    yield emulator
    emulator.store.conn.close()


@pytest.fixture
def client(emulator):
    return emulator.app.test_client()


def call(client, method, path=COLLECTION, auth=None, **fields):
    body = dict(AUTH if auth is None else auth)
    body.update(fields)
    return client.open(path, method=method, json=body)


def test_get_answers_a_bare_array_of_the_seeded_customers(client):
    response = call(client, "GET")
    assert response.status_code == 200
    body = response.get_json()
    assert isinstance(body, list)
    assert [c["UserID"] for c in body] == ["B68t19", "Xlr8d3"]
    assert body[0] == {
        "id": 5, "Name": "Trisul", "Address": "Chennai", "Email": "demo@gmail.com",
        "PhoneNumber": "1234567890", "AltPhoneNumber": "9999999999", "UserID": "B68t19",
    }


def test_get_without_a_json_body_is_refused_as_a_bad_token(client):
    response = client.get(COLLECTION)
    assert response.status_code == 200
    assert response.get_json() == {"status": "ERROR", "message": "Invalid API token"}


@pytest.mark.parametrize(
    "auth, message",
    [
        (dict(AUTH, api_token="wrong"), "Invalid API token"),
        (dict(AUTH, username="labuser"), "Invalid API token"),
        (dict(AUTH, contextname="nowhere"), "Invalid Context name - nowhere"),
        (
            dict(AUTH, contextname="restricted"),
            "The user (user) is not allowed to access the context restricted",
        ),
    ],
)
def test_auth_and_context_errors_come_with_http_200(client, auth, message):
    for method, path in (("GET", COLLECTION), ("POST", COLLECTION),
                         ("PATCH", COLLECTION + "/B68t19"), ("DELETE", COLLECTION + "/B68t19")):
        response = call(client, method, path, auth=auth, **FULL)
        assert response.status_code == 200
        body = response.get_json()
        assert body["message"] == message
        assert body["status"] == ("ERROR" if "token" in message else "Error")
    assert len(call(client, "GET").get_json()) == 2


def test_contexts_are_separate_and_users_see_only_theirs(client):
    lab = dict(AUTH, contextname="lab")
    assert call(client, "GET", auth=lab).get_json() == []
    created = call(client, "POST", auth=lab, **FULL).get_json()
    assert created["UserID"] == "ada01"
    assert [c["UserID"] for c in call(client, "GET", auth=lab).get_json()] == ["ada01"]
    assert "ada01" not in [c["UserID"] for c in call(client, "GET").get_json()]
    labuser = {"api_token": "LabT0kenLabT0kenLab1", "username": "labuser", "contextname": "lab"}
    assert len(call(client, "GET", auth=labuser).get_json()) == 1
    refused = call(client, "GET", auth=dict(labuser, contextname="default")).get_json()
    assert refused["message"] == "The user (labuser) is not allowed to access the context default"


def test_post_answers_the_whole_new_customer_and_nulls_what_was_left_out(client):
    response = call(client, "POST", UserID="bob01", Name="Bob", PhoneNumber=5551234)
    assert response.status_code == 200
    body = response.get_json()
    assert isinstance(body["id"], int) and body["id"] > 6
    assert body["Name"] == "Bob" and body["PhoneNumber"] == "5551234"
    assert body["Address"] is None and body["Email"] is None


@pytest.mark.parametrize("fields, missing", [({"Name": "x"}, "UserID"), ({"UserID": "x"}, "Name")])
def test_post_requires_userid_and_name(client, fields, missing):
    body = call(client, "POST", **fields).get_json()
    assert body == {"status": "Error", "message": "Missing required fields: " + missing}


def test_post_of_an_existing_userid_is_an_error_body(client):
    response = call(client, "POST", UserID="B68t19", Name="Again")
    assert response.status_code == 200
    assert response.get_json()["status"] == "Error"
    assert "already been taken" in response.get_json()["message"]


def test_patch_changes_only_the_given_fields_and_answers_the_whole_object(client):
    body = call(client, "PATCH", COLLECTION + "/B68t19", Address="Partially Updated").get_json()
    assert body["Address"] == "Partially Updated"
    assert body["Name"] == "Trisul" and body["id"] == 5 and body["UserID"] == "B68t19"


def test_put_without_every_field_is_refused(client):
    body = call(client, "PUT", COLLECTION + "/B68t19", Name="Only the name").get_json()
    assert body["status"] == "Error" and body["message"].startswith("Missing required fields")
    assert call(client, "GET").get_json()[0]["Name"] == "Trisul"


def test_put_with_every_field_replaces_the_record(client):
    fields = dict(FULL)
    fields["UserID"] = "B68t19"
    body = call(client, "PUT", COLLECTION + "/B68t19", **fields).get_json()
    assert body["Name"] == "Ada" and body["AltPhoneNumber"] == "222"


def test_userid_cannot_be_renamed(client):
    body = call(client, "PATCH", COLLECTION + "/B68t19", UserID="other").get_json()
    assert body == {"status": "Error", "message": "UserID cannot be changed"}


@pytest.mark.parametrize("method", ["GET", "PATCH", "PUT", "DELETE"])
def test_unknown_userid_answers_the_not_found_error(client, method):
    response = call(client, method, COLLECTION + "/nobody", **FULL)
    assert response.status_code == 422
    assert response.get_json() == {"status": "Error", "message": "IPDR Customer not found"}


def test_delete_answers_the_deleted_customer(client):
    body = call(client, "DELETE", COLLECTION + "/Xlr8d3").get_json()
    assert body["UserID"] == "Xlr8d3" and body["id"] == 6
    assert [c["UserID"] for c in call(client, "GET").get_json()] == ["B68t19"]


def test_counters_count_reads_and_writes_by_method(client):
    client.delete("/_emulator/counters")
    call(client, "GET")
    call(client, "PATCH", COLLECTION + "/B68t19", Email="x@example.net")
    counters = client.get("/_emulator/counters").get_json()
    assert counters["total_reads"] == 1 and counters["total_writes"] == 1
    assert counters["writes"] == {"PATCH ipdrcustomers/id": 1}


def test_a_dropped_write_is_committed_before_the_answer_breaks(client, emulator):
    client.put("/_emulator/faults", json={"drop_writes": 1})
    response = call(client, "POST", UserID="lost01", Name="Lost")
    assert response.get_data() == b"{"
    assert "lost01" in [c["UserID"] for c in call(client, "GET").get_json()]


def test_a_dot_in_the_path_starts_a_format_as_on_rails(client):
    """/ipdrcustomers/B68t19.json is customer B68t19 (in format json): a dotted
    UserID in a path addresses another customer, which is why the module refuses it."""
    patched = call(client, "PATCH", COLLECTION + "/B68t19.json", Address="Madurai")
    assert patched.get_json()["UserID"] == "B68t19"
    assert patched.get_json()["Address"] == "Madurai"
    deleted = call(client, "DELETE", COLLECTION + "/Xlr8d3.x.y")
    assert deleted.get_json()["UserID"] == "Xlr8d3"
    assert [c["UserID"] for c in call(client, "GET").get_json()] == ["B68t19"]


def test_the_list_answers_every_write_made_since_it_was_last_read(client):
    # (a list's answer is kept for the shards that read it again: until a write)
    assert [c["Address"] for c in call(client, "GET").get_json()] == ["Chennai", "India"]
    call(client, "PATCH", COLLECTION + "/B68t19", Address="Moved")
    assert [c["Address"] for c in call(client, "GET").get_json()] == ["Moved", "India"]
    call(client, "DELETE", COLLECTION + "/Xlr8d3")
    assert [c["UserID"] for c in call(client, "GET").get_json()] == ["B68t19"]
