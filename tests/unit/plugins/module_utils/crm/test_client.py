"""The CRM wire client against the emulator, and against answers the emulator never gives."""

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.crm.client import (
    CrmClient,
    rows_of,
)
from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    AnswerLost,
    BackendError,
)
from ansible_collections.isp.provisioning.plugins.module_utils.http_session import HttpSession
from ansible_collections.isp.provisioning.plugins.module_utils.secrets import Redactor
from tests.emulators.crm import SEED_API_KEY

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


def client_for(url, api_key=SEED_API_KEY, userid=5):
    http = HttpSession(
        url, timeout=5, retries=1, backoff=0, redactor=Redactor(api_key), sleep=lambda _: None
    )
    return CrmClient(http, userid, api_key)


def test_customers_pages_through_everything_with_one_request_per_page(crm):
    client = client_for(crm.url)
    customers = client.customers()
    assert len(customers) == 240
    assert len({row["id"] for row in customers}) == 240
    # pages overlap by 10 rows: 1-100, 91-190, 181-240 (the short page is the last)
    assert crm.emulator.counters.snapshot()["reads"] == {"list": 3}


def test_a_first_short_page_needs_a_shorter_one_to_end_the_list(crm):
    assert len(client_for(crm.url).customers({"resellerid": "2", "city": "Kochi"})) == 27
    assert crm.emulator.counters.snapshot()["reads"] == {"list": 2}


def test_a_list_of_one_customer_ends(crm):
    # the page after a lone row is empty, which may also mean rows were
    # deleted; the row read again unchanged tells the list ends there
    rows = client_for(crm.url).customers({"customerid": "1007"})
    assert [row["uniqueid"] for row in rows] == ["SEED-0007"]
    assert crm.emulator.counters.snapshot()["reads"] == {"list": 3}


def test_an_empty_page_amid_rows_it_had_shown_fails_rather_than_end_the_list(crm):
    client = client_for(crm.url)
    read_page = client.list_page

    def list_page(filters, offset, limit=100, first=False):
        return [] if offset == 180 else read_page(filters, offset, limit, first)

    client.list_page = list_page
    with pytest.raises(BackendError) as failure:
        client.customers()
    assert "cannot be read whole" in failure.value.message


def test_filters_travel_to_the_server(crm):
    assert len(client_for(crm.url).customers({"resellerid": "2"})) == 110
    assert len(client_for(crm.url).customers({"resellerid": "1"})) == 130


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


class Canned:
    """A stand-in HttpSession answering canned bodies in turn."""

    def __init__(self, *bodies):
        self.bodies = list(bodies)
        self.sent = []
        self.redact = Redactor(SEED_API_KEY)

    excerpt = HttpSession.excerpt

    def request(self, method, path, idempotent, data):
        self.sent.append((path, dict(data)))
        text = self.bodies.pop(0)
        return type("Response", (), {"status_code": 200, "text": text})()


NONE_FOUND = '{"result":null,"error":"No Records Found"}'


def test_no_records_found_is_an_empty_list_and_string_ids_are_ids():
    client = CrmClient(Canned(NONE_FOUND, NONE_FOUND, NONE_FOUND), 5, SEED_API_KEY)
    assert client.customers() == []
    client = CrmClient(Canned('{"result":"1243","error":null}'), 5, SEED_API_KEY)
    assert client.create({}) == 1243


def test_a_server_that_ignores_rows_offset_is_refused_not_looped():
    page = '{"result":[{"id":"1"},{"id":"2"}],"error":null}'
    client = CrmClient(Canned(page, page), 5, SEED_API_KEY)
    with pytest.raises(BackendError) as caught:
        client.customers()
    assert "rows_offset" in str(caught.value)
    paged = [sent for _path, sent in client.http.sent if "rows_offset" in sent]
    assert [sent["rows_offset"] for sent in paged] == ["0", "1"]
    assert paged[0]["sort_field"] == "id"


def test_no_records_found_is_an_empty_page_only_on_the_first_page():
    page = '{"result":[{"id":"1"},{"id":"2"}],"error":null}'
    client = CrmClient(Canned(page, NONE_FOUND), 5, SEED_API_KEY)
    with pytest.raises(BackendError, match="No Records Found"):
        client.customers()
    client = CrmClient(Canned(NONE_FOUND), 5, SEED_API_KEY)
    with pytest.raises(BackendError, match="No Records Found"):
        client.customer(1243)


def delete_after_first_page(crm, client, where):
    """Delete the customers ``where`` selects on the server right after the first page."""
    read_page = client.list_page
    left = [1]

    def list_page(filters, offset, limit=100, first=False):
        page = read_page(filters, offset, limit, first)
        if offset == 0 and left[0] > 0:
            left[0] -= 1
            with crm.emulator.store.transaction() as db:
                db.execute("DELETE FROM customers WHERE " + where)
        return page

    client.list_page = list_page


def test_a_customer_deleted_between_two_pages_does_not_hide_another(crm):
    client = client_for(crm.url)
    delete_after_first_page(crm, client, "id = 1001")
    ids = [int(row["id"]) for row in client.customers()]
    # the deletion shifted the rows back one: 1101 is still read, by the overlap
    assert set(ids) == set(range(1001, 1241)) and ids == sorted(ids)
    assert crm.emulator.counters.snapshot()["reads"] == {"list": 3}


def test_more_deleted_between_two_pages_than_the_overlap_sends_the_read_back(crm):
    client = client_for(crm.url)
    delete_after_first_page(crm, client, "id BETWEEN 1050 AND 1069")
    ids = [int(row["id"]) for row in client.customers()]
    # 1101-1110 moved before rows_offset 90: the page there starts past 1100,
    # so the first page is read again; every customer that stayed is read.
    assert set(range(1070, 1241)) <= set(ids) and len(ids) == len(set(ids))
    assert crm.emulator.counters.snapshot()["reads"] == {"list": 5}


def test_customers_added_while_the_list_is_read_do_not_hide_others(crm):
    client = client_for(crm.url)
    read_page = client.list_page

    def list_page(filters, offset, limit=100, first=False):
        page = read_page(filters, offset, limit, first)
        client.create(dict(NEW, uniqueid="NEW-%d" % offset))  # lands at the list's end
        return page

    client.list_page = list_page
    ids = [int(row["id"]) for row in client.customers()]
    assert set(range(1001, 1241)) <= set(ids) and len(ids) == len(set(ids))


def test_server_data_in_messages_is_masked_before_it_is_cut():
    echo = "x" * 190 + SEED_API_KEY + "y" * 50
    for body in (
        '{"result":null,"error":"bad %s"}' % echo,
        "<html>%s</html>" % echo,
        '{"result":"%s","error":null}' % echo,
    ):
        client = CrmClient(Canned(body), 5, SEED_API_KEY)
        with pytest.raises(BackendError) as caught:
            client.create({})
        text = str(caught.value)
        assert not any(SEED_API_KEY[i : i + 8] in text for i in range(len(SEED_API_KEY) - 7))
    client = CrmClient(Canned('{"result":{"weird":"%s"},"error":null}' % echo), 5, SEED_API_KEY)
    with pytest.raises(BackendError) as caught:
        client.list_page({}, 0)
    text = str(caught.value)
    assert not any(SEED_API_KEY[i : i + 8] in text for i in range(len(SEED_API_KEY) - 7))
