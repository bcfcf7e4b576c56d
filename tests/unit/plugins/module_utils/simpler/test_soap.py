"""SIMPLer's SOAP transport: the call zeep builds, the answers SOAP::Lite writes."""

import pytest
from lxml import etree

from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    BackendError,
    BackendUnavailable,
)
from ansible_collections.isp.provisioning.plugins.module_utils.http_session import HttpSession
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.client import records
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.soap import (
    SoapTransport,
    parse_xml_text,
    xml_to_data,
)
from ansible_collections.isp.provisioning.plugins.modules import simpler_customer
from tests.unit.probes import run_module


def test_the_seeds_equipment_xml_is_read_despite_its_numeric_element_names():
    data = parse_xml_text(
        "<Equipment><1><id>1</id><nickname>A5</nickname></1>"
        "<100><id>100</id><nickname>NAS</nickname></100></Equipment>", etree)
    assert sorted(r["nickname"] for r in records(data, "equipment")) == ["A5", "NAS"]


def test_xml_reads_as_xml_simple_does():
    """Attributes are keys, repeated elements a list, a text-only element its text."""
    root = etree.fromstring('<r a="1"><c id="7">x</c><c id="8"/><t>text</t></r>')
    assert xml_to_data(root) == {"a": "1", "c": [{"id": "7", "content": "x"}, {"id": "8"}],
                                 "t": "text"}


def test_a_soap_fault_is_raised_with_its_faultstring(server, connect):
    client = connect(server, "soap", soap_namespace="http://x/NotTheAPI")
    with pytest.raises(BackendError) as raised:
        client.ping()
    assert "SOAP fault soap:Client: Denied access to method (pingAPI)" in str(raised.value)


def test_the_soap_call_is_what_soap_lite_servers_take(server):
    """The call element in the OperatorAPI namespace, unqualified named parameters."""
    http = HttpSession(server.url, timeout=5, retries=1, backoff=0)
    transport = SoapTransport(http, "http://h.example/OperatorAPI", "API/operatorapi.pl")
    envelope = transport.client.create_message(
        transport.client.service, "modifyCustomer", api_username="u", customerid="1")
    call = envelope.find(".//{http://h.example/OperatorAPI}modifyCustomer")
    assert [child.tag for child in call] == ["api_username", "customerid"]


def test_parameters_the_wsdl_does_not_declare_are_sent_as_they_are(server):
    """custom_field_<id> names vary per operator: they follow the declared parameters."""
    http = HttpSession(server.url, timeout=5, retries=1, backoff=0)
    transport = SoapTransport(http, "http://h.example/OperatorAPI", "API/operatorapi.pl")
    declared, extra = transport._split(
        "modifyCustomer", {"api_username": "u", "customerid": "1", "custom_field_7": "x"})
    assert declared == {"api_username": "u", "customerid": "1"}
    assert [(element.tag, element.text) for element in extra] == [("custom_field_7", "x")]


@pytest.mark.parametrize("params", [
    {"name": "Nul\x00Name"},  # lxml: "All strings must be XML compatible"
    {"custom_field_7": "bell\x07"},  # a parameter the WSDL does not declare
    {"custom_field_7 x": "a name XML cannot have"},
])
def test_a_value_xml_cannot_hold_is_refused_before_sending(server, params):
    http = HttpSession(server.url, timeout=5, retries=1, backoff=0)
    transport = SoapTransport(http, "http://h.example/OperatorAPI", "API/operatorapi.pl")
    with pytest.raises(BackendError) as refused:
        transport.call("addCustomer", dict(params, api_username="u", nickname="n"),
                       idempotent=False)
    assert str(refused.value).startswith("SIMPLer addCustomer: the SOAP request cannot be "
                                         "written: ")
    assert server.emulator.counters.snapshot()["total_writes"] == 0


def test_a_namespace_zeep_cannot_use_stops_the_backend(server):
    http = HttpSession(server.url, timeout=5, retries=1, backoff=0)
    with pytest.raises(BackendUnavailable) as refused:
        SoapTransport(http, "http://h.example/Operator\x00API", "API/operatorapi.pl")
    assert str(refused.value).startswith(
        "SIMPLer over SOAP: no SOAP client for url, soap_path and soap_namespace: ")


def test_a_soap_bulk_with_a_nul_in_its_third_record_fails_naming_it_and_writes_nothing(
        server, capsys):
    customers = [{"invoicingid": f"NUL-{n}", "name": f"Nul {n}", "nickname": f"nul{n}"}
                 for n in range(1, 6)]
    customers[2]["name"] = "Nul\x00Three"
    code, out = run_module(simpler_customer.main, dict(
        url=server.url, api_username="username", api_password="password", operator="operator",
        transport="soap", customers=customers), capsys)
    assert code == 1 and "exception" not in out
    assert "SIMPLer customer 'NUL-3': name contains U+0000, a character no backend can carry" \
        in out["msg"]
    assert server.emulator.counters.snapshot()["total_writes"] == 0
