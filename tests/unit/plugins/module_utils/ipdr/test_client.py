"""The IPDR wire client against the emulator, and its reading of every error shape."""

import json

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.errors import BackendError
from ansible_collections.isp.provisioning.plugins.module_utils.http_session import HttpSession
from ansible_collections.isp.provisioning.plugins.module_utils.ipdr.client import (
    IpdrClient,
    error_of,
    unwrap,
)
from ansible_collections.isp.provisioning.plugins.module_utils.relevance import Sieve
from ansible_collections.isp.provisioning.plugins.module_utils.secrets import Redactor
from tests.emulators.ipdr import TOKEN, IpdrEmulator
from tests.emulators.server import start


@pytest.fixture
def server(tmp_path):
    running = start(IpdrEmulator(str(tmp_path / "ipdr.sqlite")))
    yield running
    running.stop()


def client_for(server, token=TOKEN, username="user", context="default"):
    http = HttpSession(server.url, timeout=5, retries=1, backoff=0, redactor=Redactor(token))
    return IpdrClient(http, username, token, context)


def test_customers_reads_the_bare_array_of_the_context(server):
    customers = client_for(server).customers()
    assert [c["UserID"] for c in customers] == ["B68t19", "Xlr8d3"]
    assert client_for(server, context="lab").customers() == []


def test_a_sieved_read_holds_only_the_customers_kept(server):
    judged = []
    sieve = Sieve(lambda row: judged.append(row["UserID"]) or row["UserID"] == "Xlr8d3", "UserID")
    assert [c["UserID"] for c in client_for(server).customers(sieve)] == ["Xlr8d3"]
    assert sorted(judged) == ["B68t19", "Xlr8d3"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(token="NotTheTokenAtAll0000"), "Invalid API token"),
        (dict(context="nowhere"), "Invalid Context name - nowhere"),
        (dict(context="restricted"),
         "The user (user) is not allowed to access the context restricted"),
    ],
)
@pytest.mark.parametrize("sieve", [None, Sieve(lambda row: False, "UserID")])
def test_http_200_error_bodies_are_errors_with_the_servers_message(server, kwargs, message, sieve):
    with pytest.raises(BackendError) as caught:
        client_for(server, **kwargs).customers(sieve)
    assert caught.value.status == 200
    assert message in caught.value.message
    assert "NotTheTokenAtAll0000" not in caught.value.message


def test_create_patch_delete_round_trip(server):
    client = client_for(server)
    created = client.create({"UserID": "rt/01", "Name": "Round Trip"})
    assert created["UserID"] == "rt/01" and isinstance(created["id"], int)
    patched = client.patch("rt/01", {"Email": "rt@example.net"})
    assert patched["Email"] == "rt@example.net" and patched["Name"] == "Round Trip"
    assert client.delete("rt/01") is True
    assert "rt/01" not in [c["UserID"] for c in client.customers()]


def test_delete_of_a_missing_customer_reports_it_was_not_there(server):
    assert client_for(server).delete("never-there") is False


def test_patch_of_a_missing_customer_fails_with_the_servers_message(server):
    with pytest.raises(BackendError, match="IPDR Customer not found"):
        client_for(server).patch("never-there", {"Name": "x"})


def test_duplicate_create_fails_with_the_servers_message(server):
    with pytest.raises(BackendError, match="already been taken"):
        client_for(server).create({"UserID": "B68t19", "Name": "Again"})


class RecordingHttp:
    """Stands in for HttpSession: answers one canned body, remembers what was sent."""

    def __init__(self, text, status=200):
        self.text, self.status, self.sent = text, status, []
        self.redact = Redactor("SecretToken123")

    excerpt = HttpSession.excerpt

    def request(self, method, path, idempotent, **kwargs):
        self.sent.append((method, path, idempotent, kwargs["json"]))
        return type("Answer", (), {"text": self.text, "status_code": self.status})()


def test_every_request_carries_credentials_and_context_in_its_json_body():
    http = RecordingHttp(json.dumps({"id": 1, "UserID": "a b", "Name": "n"}))
    IpdrClient(http, "user", "SecretToken123", "lab").patch("a b", {"Name": "n"})
    method, path, idempotent, body = http.sent[0]
    assert (method, path, idempotent) == ("PATCH", "api/ipdrcustomers/a%20b", False)
    assert body == {"Name": "n", "api_token": "SecretToken123", "username": "user",
                    "contextname": "lab"}


@pytest.mark.parametrize(
    "body, expected",
    [
        ({"status": "ERROR", "message": "Invalid API token"}, "Invalid API token"),
        ({"status": "error", "message": "lower case"}, "lower case"),
        ({"status": "Error"}, "error"),
        ({"error": "plain error key"}, "plain error key"),
        ({"errors": {"UserID": ["has already been taken"]}}, "UserID ['has already been taken']"),
        ({"message": "a message without a customer"}, "a message without a customer"),
        ({"id": 1, "UserID": "x", "Name": "y"}, None),
        ([{"id": 1, "UserID": "x"}], None),
        ({"status": "OK", "id": 1, "UserID": "x"}, None),
        ({"message": "Customer created", "data": {"id": 1, "UserID": "x"}}, None),
        ({"message": "ok", "customers": []}, None),
        ({"message": "refused", "data": {"reason": "no customer here"}}, "refused"),
    ],
)
def test_error_bodies_are_recognised_in_every_plausible_shape(body, expected):
    assert error_of(body) == expected


def test_an_error_body_with_a_non_200_status_is_an_error():
    http = RecordingHttp(json.dumps({"status": "Error", "message": "IPDR Customer not found"}), 422)
    with pytest.raises(BackendError) as caught:
        IpdrClient(http, "user", "SecretToken123", "default").patch("x", {})
    assert caught.value.status == 422 and "IPDR Customer not found" in caught.value.message


def test_a_non_json_answer_is_an_error_without_the_token():
    http = RecordingHttp("<html>proxy error SecretToken123</html>", 502)
    with pytest.raises(BackendError) as caught:
        IpdrClient(http, "user", "SecretToken123", "default").customers()
    assert "HTTP 502 without JSON" in caught.value.message
    assert "SecretToken123" not in caught.value.message


def test_wrapped_lists_and_objects_are_accepted():
    assert unwrap({"data": [1]}, list) == [1]
    assert unwrap([2], list) == [2]
    assert unwrap({"customer": {"UserID": "x"}}, dict) == {"UserID": "x"}
    assert unwrap({"status": "ok"}, list) is None


def test_a_wrapped_success_with_a_message_is_the_customer_not_an_error():
    http = RecordingHttp(json.dumps({"message": "Customer created",
                                     "data": {"id": 3, "UserID": "w1", "Name": "W"}}))
    created = IpdrClient(http, "user", "SecretToken123", "default").create({"UserID": "w1"})
    assert created["UserID"] == "w1"


ECHO = "x" * 190 + "SecretToken123" + "y" * 50


@pytest.mark.parametrize(
    "text, status, call",
    [
        ("<html>%s</html>" % ECHO, 502, "customers"),
        (json.dumps({"status": "error", "message": ECHO}), 200, "customers"),
        (json.dumps({"note": ECHO}), 500, "customers"),
        (json.dumps({"note": ECHO}), 200, "customers"),
        (json.dumps({"note": ECHO}), 200, "create"),
    ],
)
def test_an_echoed_token_never_shows_even_in_part(text, status, call):
    client = IpdrClient(RecordingHttp(text, status), "user", "SecretToken123", "default")
    with pytest.raises(BackendError) as caught:
        client.customers() if call == "customers" else client.create({"UserID": "a"})
    token = "SecretToken123"
    assert not any(token[i : i + 8] in caught.value.message for i in range(len(token) - 7))


def test_a_user_id_with_a_dot_is_never_put_in_a_url():
    http = RecordingHttp(json.dumps({"id": 1, "UserID": "a", "Name": "n"}))
    client = IpdrClient(http, "user", "SecretToken123", "default")
    with pytest.raises(BackendError, match="contains '.'"):
        client.delete("a.json")
    assert http.sent == []
