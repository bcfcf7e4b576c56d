"""The ONU adapter: wire <-> record, validation before writes, the state quirk."""

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.errors import ValidationError
from ansible_collections.isp.provisioning.plugins.module_utils.onu.customers import (
    OnuCustomers,
    from_wire,
    to_wire,
)


class FakeClient(object):
    def __init__(self):
        self.updates = []

    def services(self):
        return [{"id": 3, "name": "Internet_4port"}, {"id": "8", "name": "HGU"}]

    def customers(self):
        return [{"id": 262, "name": "n", "address": "", "egn": None, "sn": "S1",
                 "service": 8, "auto": "NO", "state": "NO", "state_rf": 2}]

    def update(self, fields):
        self.updates.append(fields)


def test_wire_to_record_accepts_strings_and_php81_numbers():
    record = from_wire(FakeClient().customers()[0])
    assert record == {"id": "262", "sn": "S1", "name": "n", "address": "", "egn": None,
                      "service": "8", "auto": False, "enabled": False, "state_rf": "2"}


def test_record_to_wire_says_yes_and_no():
    assert to_wire({"enabled": True, "auto": False, "service": 8}) == {
        "state": "YES", "auto": "NO", "service": "8"}


def test_service_names_resolve_to_ids_and_unknown_ones_list_the_choices():
    backend = OnuCustomers(FakeClient())
    assert backend.prepare({"sn": "S", "service": "hgu"})["service"] == "8"
    assert backend.prepare({"sn": "S", "service": 3})["service"] == "3"
    with pytest.raises(ValidationError) as failure:
        backend.prepare({"sn": "S", "service": "Gold"})
    assert "Internet_4port (id 3)" in str(failure.value)


def test_a_quote_is_refused_before_it_reaches_the_servers_sql():
    with pytest.raises(ValidationError):
        OnuCustomers(FakeClient()).prepare({"sn": "S", "name": "O'Brien"})


def test_every_update_sends_the_state_the_customer_has():
    client = FakeClient()
    backend = OnuCustomers(client)
    current = backend.fetch(["S1"])["S1"]
    backend.update(current, {"name": "new"}, {"sn": "S1", "name": "new"})
    assert client.updates == [{"sn": "S1", "name": "new", "state": "NO"}]


def test_a_change_to_an_empty_value_is_refused_but_booleans_are_fine():
    backend = OnuCustomers(FakeClient())
    current = backend.fetch(["S1"])["S1"]
    with pytest.raises(ValidationError):
        backend.check("update", {"sn": "S1", "address": "x"}, dict(current, address="x"),
                      {"egn": "0"})
    backend.check("update", {"sn": "S1", "enabled": True}, current, {"enabled": True})
    assert any("auto is NO" in w for w in backend.warnings)


def test_an_egn_with_a_leading_zero_matches_what_php81_answers():
    from ansible_collections.isp.provisioning.plugins.module_utils.onu.customers import CUSTOMER
    assert CUSTOMER.differences({"sn": "S", "egn": "0441011234"}, {"egn": 441011234}) == {}
    assert CUSTOMER.differences({"sn": "S", "egn": "0441011234"}, {"egn": "0441011235"}) != {}


def test_a_zero_on_create_is_refused_rather_than_silently_dropped():
    backend = OnuCustomers(FakeClient())
    with pytest.raises(ValidationError) as failure:
        backend.check("create", {"sn": "N", "name": "n", "egn": "0"}, None,
                      {"sn": "N", "name": "n", "egn": "0"})
    assert "egn='0'" in str(failure.value)
    backend.check("create", {"sn": "N", "name": "n", "address": ""}, None,
                  {"sn": "N", "name": "n", "address": ""})  # "" just leaves it unset
