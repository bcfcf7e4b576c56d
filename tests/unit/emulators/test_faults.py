"""The faults every emulator injects, whatever its own counting (core.Emulator.admit)."""

import pytest

from tests.emulators.crm import CrmEmulator
from tests.emulators.ipdr import IpdrEmulator
from tests.emulators.onu import OnuEmulator
from tests.emulators.simpler import SimplerEmulator
from tests.emulators.userside import UsersideEmulator

SOAP_PING = (
    '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope '
    'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    '<pingAPI xmlns="http://simpler.example/OperatorAPI"><api_username>username</api_username>'
    '</pingAPI></soap:Body></soap:Envelope>')
# One request of each emulator (and of each way an emulator counts), each with a
# secret in it: (class, send).
REQUESTS = {
    "onu": (OnuEmulator, lambda client: client.post("/API/api_login.php",
                                                    json={"password": "secret-key"})),
    "crm": (CrmEmulator, lambda client: client.post("/api/customer/list",
                                                    data={"api_key": "secret-key"})),
    "ipdr": (IpdrEmulator, lambda client: client.get("/api/ipdrcustomers",
                                                     json={"api_token": "secret-key"})),
    "userside": (UsersideEmulator, lambda client: client.get(
        "/api.php", query_string={"key": "secret-key", "cat": "customer",
                                  "action": "get_data"})),
    "simpler-rest": (SimplerEmulator, lambda client: client.post(
        "/restapi/API/pingAPI", json={"api_password": "secret-key"})),
    "simpler-soap": (SimplerEmulator, lambda client: client.post(
        "/API/operatorapi.pl", data=SOAP_PING.replace("username", "secret-key"),
        content_type="text/xml")),
}


@pytest.fixture
def faulted(tmp_path):
    made = []

    def build(name, **faults):
        cls, send = REQUESTS[name]
        made.append(cls(str(tmp_path / ("%d.sqlite" % len(made))),
                        faults=dict(fail_percent=100, **faults)))
        return send(made[-1].app.test_client())

    yield build
    for emulator in made:
        emulator.store.conn.close()


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_a_429_says_when_to_retry_and_other_failures_do_not(faulted, name):
    too_many = faulted(name, fail_status=429)
    assert (too_many.status_code, too_many.headers.get("Retry-After")) == (429, "1")
    later = faulted(name, fail_status=429, retry_after=3)
    assert later.headers.get("Retry-After") == "3"
    unavailable = faulted(name, fail_status=503)
    assert unavailable.status_code == 503 and "Retry-After" not in unavailable.headers


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_an_echoed_failure_repeats_the_request(faulted, name):
    echoed = faulted(name, fail_status=500, echo=1)
    assert echoed.status_code == 500
    assert "secret-key" in echoed.get_data(as_text=True)


def test_down_after_writes_answers_every_request_as_fail_status_once_they_are_made(tmp_path):
    emulator = UsersideEmulator(str(tmp_path / "down.sqlite"), faults=dict(
        down_after_writes=1, only="customer.add", fail_status=403))
    client = emulator.app.test_client()

    def api(action, **params):
        return client.post("/api.php", query_string=dict(
            key="userside-test-key", cat="customer", action=action), data=params)

    try:
        assert api("get_customers_id", name="A").status_code == 200  # a read: not counted
        assert api("add", fio="A").status_code == 200  # the write it takes
        assert [api(action, id="1").status_code for action in ("get_data", "edit", "delete")] \
            == [403, 403, 403]
        emulator.faults.update({"down_after_writes": 0})  # back up
        assert api("get_data", customer_id="1").status_code == 200
    finally:
        emulator.store.conn.close()
