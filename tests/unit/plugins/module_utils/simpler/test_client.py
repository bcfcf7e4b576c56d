"""The SIMPLer wire client: both transports against the emulator, and every reply shape."""

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    AnswerLost,
    BackendError,
)
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.client import (
    as_wire,
    custom_fields,
    custom_key,
    default_namespace,
    ok_id,
    records,
)
from ansible_collections.isp.provisioning.plugins.module_utils.relevance import Sieve

TRANSPORTS = ["rest", "soap"]


@pytest.mark.parametrize("answer, expected", [
    ("OK", None), ("OK: 12", "12"), ("OK:12", "12"), ("OK :[12]", "12"), (" ok : [7] ", "7"),
])
def test_ok_answers_and_their_ids(answer, expected):
    assert ok_id(answer) == expected


@pytest.mark.parametrize("answer", ["ERROR: no such customer", "Denied", "", {"a": "b"}])
def test_anything_else_is_the_servers_refusal(answer):
    with pytest.raises(BackendError):
        ok_id(answer)


@pytest.mark.parametrize("value, count", [
    ([{"customerid": "1"}, {"customerid": "2"}], 2),
    ({"1": {"customerid": "1"}, "2": {"customerid": "2"}}, 2),
    ({"customerid": "1", "city": "x"}, 1),
    ({"case_sensitive": "0", "results": "0"}, 0),
    ("", 0),
])
def test_search_results_in_every_shape(value, count):
    wrapped = value if isinstance(value, dict) and "results" in value else {"customer": value}
    assert len(records(wrapped, "customer")) == count


@pytest.mark.parametrize("value", [
    [{"id": "7", "name": "VLAN", "value": "120"}],
    {"field": {"id": "7", "name": "VLAN", "value": "120"}},
    {"custom_field_7": "120"},
    {"7": "120"},
])
def test_custom_fields_in_every_shape(value):
    assert custom_fields(value) == {"7": "120"}


@pytest.mark.parametrize("key", ["7", 7, "custom_field_7"])
def test_a_custom_field_is_known_by_its_id(key):
    assert custom_key(key) == "7"


@pytest.mark.parametrize("value, wire", [(True, "1"), (False, "0"), (None, ""), (12, "12")])
def test_parameters_travel_as_text(value, wire):
    assert as_wire(value) == wire


def test_the_default_namespace_is_the_hosts_operator_api():
    assert default_namespace("https://server.azotel.com/") == "http://server.azotel.com/OperatorAPI"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_both_transports_read_and_write_the_same(server, connect, transport):
    client = connect(server, transport)
    assert client.ping() is None
    assert "current" in client.statuses()
    customerid = client.add_customer({"name": "Jo B", "nickname": "jo", "invoicingid": "J-1",
                                      "custom_field_2": "120"})
    assert customerid.isdigit()
    [found] = client.search_customers(invoicingid="J-1")
    assert found["customerid"] == customerid
    customer, custom = client.customer_data(customerid)
    assert (customer["invoicingid"], custom["2"]) == ("J-1", "120")
    assert client.customer_data("9999") is None
    assert [e["nickname"] for e in client.equipment(id="32")] == ["NS2"]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_an_error_string_is_raised_with_the_servers_text(server, connect, transport):
    with pytest.raises(BackendError) as raised:
        connect(server, transport).delete_customer("2")
    assert "customer status is 'current'" in str(raised.value)


def test_a_sieved_equipment_read_holds_only_the_items_kept(server, connect):
    every = connect(server).equipment()
    judged = []
    sieve = Sieve(lambda row: judged.append(row) or row["nickname"] == "NS2", "nickname")
    assert [item["nickname"] for item in connect(server).equipment(sieve)] == ["NS2"]
    assert judged == every and len(every) > 1


def test_a_sieved_equipment_read_still_raises_the_servers_refusal(server, connect):
    with pytest.raises(BackendError) as raised:
        connect(server, password="s3cr3t-pw").equipment(Sieve(lambda row: False, "nickname"))
    assert "authentication failed" in str(raised.value)
    assert "s3cr3t-pw" not in str(raised.value)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_wrong_password_is_reported_without_the_password(server, connect, transport):
    with pytest.raises(BackendError) as raised:
        connect(server, transport, password="s3cr3t-pw").ping()
    assert "authentication failed" in str(raised.value)
    assert "s3cr3t-pw" not in str(raised.value)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_lost_write_answer_is_never_sent_again(server, connect, transport):
    server.emulator.faults.update({"drop_writes": 1})
    with pytest.raises(AnswerLost):
        connect(server, transport).add_customer(
            {"name": "L A", "nickname": "la", "invoicingid": "LA"})
    assert server.emulator.counters.snapshot()["writes"] == {"addCustomer": 1}


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("padding", [0, 160])
def test_a_refusal_that_echoes_the_password_never_shows_it(server, connect, transport, padding):
    """The server echoes the user name; here it holds the password, cut or not at 200 characters."""
    secret = "s3cr3t-pw"
    client = connect(server, transport, password=secret)
    client.auth["api_username"] = "x" * padding + secret
    for call in (client.ping, client.statuses, lambda: client.customer_data("1"),
                 lambda: client.delete_customer("1")):
        with pytest.raises(BackendError) as raised:
            call()
        assert "authentication failed" in str(raised.value)
        assert "s3cr3t" not in str(raised.value)
