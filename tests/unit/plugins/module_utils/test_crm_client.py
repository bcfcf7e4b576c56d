"""The CRM wire client against the emulator, and against answers the emulator never gives."""

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.crm import (
    CrmClient,
    rows_of,
)
from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    AnswerLost,
    BackendError,
)
from ansible_collections.isp.provisioning.plugins.module_utils.http_session import HttpSession
from ansible_collections.isp.provisioning.plugins.module_utils.secrets import Redactor
from tests.emulators.crm import SEED_API_KEY, CrmEmulator
from tests.emulators.server import start

NEW = dict(
    resellerid="3",
    type="Individual",
    name="Unit Test",
    mobile="111",
    email="u@t.net",
    zipcode="1",
    state="Goa",
    city="Panaji",
    street="1 Road",
    uniqueid="UNIT-1",
)


@pytest.fixture
def crm(tmp_path):
    running = start(CrmEmulator(str(tmp_path / "crm.sqlite")))
    yield running
    running.stop()


def client_for(url, api_key=SEED_API_KEY, userid=5):
    http = HttpSession(
        url, timeout=5, retries=1, backoff=0, redactor=Redactor(api_key), sleep=lambda _: None
    )
    return CrmClient(http, userid, api_key)


def test_customers_pages_through_everything_with_one_request_per_page(crm):
    client = client_for(crm.url)
    customers = client.customers()
    assert len(customers) == 240
    assert len(set(row["id"] for row in customers)) == 240
    # 100 + 100 + 40: the short page is the last
    assert crm.emulator.counters.snapshot()["reads"] == {"list": 3}


def test_a_first_short_page_needs_an_empty_one_to_end_the_list(crm):
    assert len(client_for(crm.url).customers({"resellerid": "2", "city": "Kochi"})) == 27
    assert crm.emulator.counters.snapshot()["reads"] == {"list": 2}


def test_filters_travel_to_the_server(crm):
    assert len(client_for(crm.url).customers({"resellerid": "2"})) == 110
    assert client_for(crm.url).count({"resellerid": "1"}) == 130


def test_a_server_that_cuts_pages_shorter_is_still_read_whole(crm, monkeypatch):
    monkeypatch.setattr("tests.emulators.crm.MAX_ROWS", 30)
    assert len(client_for(crm.url).customers()) == 240


def test_create_answers_the_id_and_update_and_delete_succeed(crm):
    client = client_for(crm.url)
    new_id = client.create(NEW)
    assert client.customer(new_id)["uniqueid"] == "UNIT-1"
    client.update(new_id, {"street": "2 Road", "surname": ""})
    row = client.customer(new_id)
    assert row["street"] == "2 Road" and row["surname"] is None
    client.delete(new_id)
    assert client.customer(new_id) is None


def test_an_error_envelope_with_http_200_raises_the_backends_text(crm):
    with pytest.raises(BackendError) as caught:
        client_for(crm.url).create(dict(NEW, resellerid="9"))
    assert str(caught.value) == "the CRM refused create: Invalid resellerid"
    assert caught.value.status == 200


def test_bad_credentials_fail_without_showing_the_key(crm):
    with pytest.raises(BackendError) as caught:
        client_for(crm.url, api_key="not-the-key-123").customers()
    assert "Invalid userid or api_key" in str(caught.value)
    assert "not-the-key-123" not in str(caught.value)


def test_a_lost_create_answer_is_reported_as_lost_not_resent(crm):
    crm.emulator.faults.update({"drop_writes": 1, "only": "create"})
    client = client_for(crm.url)
    with pytest.raises(AnswerLost):
        client.create(NEW)
    assert crm.emulator.counters.snapshot()["writes"] == {"create": 1}
    assert [r for r in client.customers() if r["uniqueid"] == "UNIT-1"]


def test_a_body_that_is_no_envelope_is_an_error(crm):
    client = client_for(crm.url)
    client.http.base_url = crm.root + "/_emulator/"
    with pytest.raises(BackendError) as caught:
        client.call("list")
    assert "without its result/error envelope" in str(caught.value)


@pytest.mark.parametrize(
    "result, ids",
    [
        (None, []),
        ([], []),
        ([{"id": "1"}, {"id": 2}], ["1", 2]),
        ({"customers": [{"customerid": "7"}]}, [None]),
        ({"rows": [{"id": 3}], "count": 1}, [3]),
        ({"12": {"name": "a"}, "13": {"name": "b"}}, ["12", "13"]),
        ({"id": "5", "name": "one"}, ["5"]),
    ],
)
def test_rows_of_accepts_every_plausible_list_shape(result, ids):
    assert [row.get("id") for row in rows_of(result)] == ids


def test_rows_of_refuses_an_unknown_shape():
    with pytest.raises(BackendError):
        rows_of("done")


class Canned(object):
    """A stand-in HttpSession answering canned bodies in turn."""

    def __init__(self, *bodies):
        self.bodies = list(bodies)
        self.sent = []
        self.redact = Redactor(SEED_API_KEY)

    def request(self, method, path, idempotent, data):
        self.sent.append((path, dict(data)))
        text = self.bodies.pop(0)
        return type("Response", (), {"status_code": 200, "text": text})()


def test_no_records_found_is_an_empty_list_and_string_ids_count():
    client = CrmClient(Canned('{"result":null,"error":"No Records Found"}'), 5, SEED_API_KEY)
    assert client.customers() == []
    client = CrmClient(Canned('{"result":"1243","error":null}'), 5, SEED_API_KEY)
    assert client.create({}) == 1243
    client = CrmClient(Canned('{"result":[{"count":"12"}],"error":null}'), 5, SEED_API_KEY)
    assert client.count() == 12


def test_a_server_that_ignores_rows_offset_is_refused_not_looped():
    page = '{"result":[{"id":"1"},{"id":"2"}],"error":null}'
    client = CrmClient(Canned(page, page), 5, SEED_API_KEY)
    with pytest.raises(BackendError) as caught:
        client.customers()
    assert "rows_offset" in str(caught.value)
    assert [sent["rows_offset"] for _path, sent in client.http.sent] == ["0", "2"]
    assert client.http.sent[0][1]["sort_field"] == "id"
