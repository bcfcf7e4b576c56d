"""The SIMPLer emulator answers as CONTRACTS §3 says, over REST and SOAP alike."""

import pytest
from lxml import etree

from tests.emulators.simpler import SimplerEmulator

AUTH = {"api_username": "username", "api_password": "password", "operator": "operator"}
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


@pytest.fixture
def emulator(tmp_path):
    emulator = SimplerEmulator(str(tmp_path / "simpler.sqlite"))
    yield emulator
    emulator.store.conn.close()


@pytest.fixture
def client(emulator):
    return emulator.app.test_client()


def rest(client, function, auth=None, **params):
    body = dict(AUTH if auth is None else auth)
    body.update(params)
    response = client.post("/restapi/API/" + function, json=body)
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["ip"] == "127.0.0.1"
    return answer["result"]


def soap_request(method, params, namespace="http://simpler.example/OperatorAPI", typed=True):
    """A call as SOAP::Lite writes it (qualified, typed) or as zeep does (unqualified)."""
    parts = []
    for key, value in params.items():
        if typed:
            parts.append('<%s xsi:type="xsd:string">%s</%s>' % (key, value, key))
        else:
            parts.append('<%s xmlns="">%s</%s>' % (key, value, key))
    return (
        '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="%s" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>'
        '<%s xmlns="%s">%s</%s></soap:Body></soap:Envelope>'
        % (SOAP_ENV, method, namespace, "".join(parts), method)
    )


def soap(client, method, typed=True, **params):
    headers = {"Content-Type": "text/xml; charset=utf-8",
               "SOAPAction": '"http://simpler.example/OperatorAPI#%s"' % method}
    data = soap_request(method, dict(AUTH, **params), typed=typed)
    response = client.post("/API/operatorapi.pl", data=data, headers=headers)
    root = etree.fromstring(response.data)
    return response.status_code, root.find("{%s}Body" % SOAP_ENV)[0]


def soap_result(client, method, typed=True, **params):
    status, element = soap(client, method, typed, **params)
    assert status == 200
    assert element.tag == "{http://simpler.example/OperatorAPI}%sResponse" % method
    assert len(element) == 1 and "gensym" in element[0].tag
    return element[0].text


def add_customer(client, **params):
    params.setdefault("name", "Jo Bloggs")
    params.setdefault("nickname", "jo")
    params.setdefault("invoicingid", "INV-1")
    result = rest(client, "addCustomer", **params)
    assert result.startswith("OK:")
    return result.split(":")[1]


def test_ping_over_both_transports(client):
    assert rest(client, "pingAPI") == "OK"
    assert soap_result(client, "pingAPI") == "OK"
    assert soap_result(client, "pingAPI", typed=False) == "OK"


@pytest.mark.parametrize("auth", [dict(AUTH, api_password="wrong"), dict(AUTH, api_username="x")])
def test_bad_credentials_answer_an_error_string(client, auth):
    result = rest(client, "pingAPI", auth=auth)
    assert result.startswith("ERROR: authentication failed")
    assert "wrong" not in result


def test_unknown_operator_database_is_refused(client):
    assert "unknown operator" in rest(client, "pingAPI", auth=dict(AUTH, operator="other"))


def test_the_access_list_refuses_other_callers(client, emulator):
    emulator.configure({"access_list": "192.0.2.1"})
    assert "access list" in rest(client, "pingAPI")
    emulator.configure({"access_list": "192.0.2.1, 127.0.0.1"})
    assert rest(client, "pingAPI") == "OK"


def test_add_customer_twice_makes_two_customers_with_suffixed_ids(client):
    first = add_customer(client)
    second = add_customer(client)
    assert first != second
    data = rest(client, "getCustomerData", customerid=second)["customer"]
    assert (data["nickname"], data["invoicingid"]) == ("jo1", "INV-11")


def test_customer_write_names_are_read_under_other_names(client):
    customerid = add_customer(
        client, customerstatus="potential", phone_list_main="555", accounts_email="a@x.net",
        address="Main St 1:::Flat 2:::Town:::County:::PC1:::State", iaddress="I1:::I2",
        payment_method="cash", send_method="pdf", startdate="12/31/2023", custom_field_2="100")
    result = rest(client, "getCustomerData", customerid=customerid, customFields="1")
    data = result["customer"]
    assert data["status"] == data["customerstatus1"] == "potential"
    assert (data["phone"], data["accountsemail"]) == ("555", "a@x.net")
    assert [data[k] for k in ("street", "street2", "town", "county", "zip", "state")] == [
        "Main St 1", "Flat 2", "Town", "County", "PC1", "State"]
    assert (data["installstreet"], data["installstreet2"], data["installtown"]) == ("I1", "I2", "")
    assert (data["paymentmethod"], data["sendmethod"]) == ("cash", "pdf")
    assert data["startdate"] == "2023-12-31"
    assert {"id": "2", "name": "VLAN", "value": "100"} in result["customFields"]


@pytest.mark.parametrize("params, error", [
    ({"startdate": "2023-12-31"}, "not a valid date"),
    ({"nickname": "jo bloggs"}, "may contain only"),
    ({"customerstatus": "nonsense"}, "invalid customerstatus"),
    ({"custom_field_99": "x"}, "custom field 99"),
])
def test_invalid_customer_values_are_refused(client, params, error):
    fields = dict(dict(name="A B", nickname="ab", invoicingid="AB"), **params)
    assert error in rest(client, "addCustomer", **fields)


def test_modify_customer_writes_only_what_is_sent(client):
    customerid = add_customer(client, email="old@x.net", country="Ireland")
    assert rest(client, "modifyCustomer", customerid=customerid, email="new@x.net") == "OK"
    data = rest(client, "getCustomerData", customerid=customerid)["customer"]
    assert (data["email"], data["country"]) == ("new@x.net", "Ireland")
    assert "does not exist" in rest(client, "modifyCustomer", customerid="999", email="x")


def test_delete_customer_preconditions(client):
    customerid = add_customer(client, customerstatus="current")
    assert "'current'" in rest(client, "deleteCustomer", customerid=customerid)
    rest(client, "modifyCustomer", customerid=customerid, customerstatus="post")
    assert rest(client, "addSubscription", customerid=customerid, productid="1") == "OK"
    assert "subscriptions" in rest(client, "deleteCustomer", customerid=customerid)
    other = add_customer(client, nickname="ip", invoicingid="IP")
    assert rest(client, "addIP", customerid=other, ip="10.0.0.1") == "OK"
    assert "IP addresses" in rest(client, "deleteCustomer", customerid=other)
    third = add_customer(client, nickname="cpe", invoicingid="CPE")
    assert rest(client, "addCPE", customerid=third, equipid="32").startswith("OK :[")
    assert "CPE" in rest(client, "deleteCustomer", customerid=third)
    free = add_customer(client, nickname="free", invoicingid="FREE")
    assert rest(client, "deleteCustomer", customerid=free) == "OK"
    assert "does not exist" in rest(client, "getCustomerData", customerid=free)


def test_search_matches_substrings_and_answers_keyed_or_list(client, emulator):
    add_customer(client, invoicingid="ZZ-1")
    add_customer(client, invoicingid="ZZ-10")
    result = rest(client, "searchCustomer", invoicingid="zz-1")
    assert result["results"] == "2"
    assert sorted(result["customer"]) == ["3", "4"]
    assert result["customer"]["3"]["firstname"] == "Jo"
    emulator.configure({"search_shape": "list"})
    result = rest(client, "searchCustomer", invoicingid="ZZ-1", limit="1", offset="1")
    assert [c["customerid"] for c in result["customer"]] == ["4"]


def test_customer_statuses(client):
    assert "current" in rest(client, "getCustomerStatuses")


def test_equipment_is_written_with_mac_and_read_as_macaddress(client):
    result = rest(client, "addEquipment", nickname="cpe-1", mac="00:11:22:33:44:55",
                  ipaddress="10.1.1.1", status="use", type="anything", imsi="1234")
    assert result.startswith("OK: ")
    equipid = result.split(": ")[1]
    [item] = rest(client, "listEquipment", nickname="cpe-1")["equipment"]
    assert (item["id"], item["macaddress"], item["imsi"]) == (equipid, "00:11:22:33:44:55", "1234")
    assert len(item) == 14
    assert rest(client, "modifyEquipment", equipid=equipid, description="d", imsi="999") == "OK"
    [item] = rest(client, "listEquipment", id=equipid)["equipment"]
    assert (item["description"], item["imsi"]) == ("d", "1234")


def test_an_account_changed_is_read_again(emulator, client):
    """The caller's account is kept until the next write (tests.emulators.kept)."""
    assert rest(client, "pingAPI") == "OK"
    emulator.store.conn.execute("UPDATE accounts SET password = 'renewed'")
    assert rest(client, "pingAPI").startswith("ERROR: authentication failed")
    assert rest(client, "pingAPI", auth=dict(AUTH, api_password="renewed")) == "OK"


def test_the_equipment_list_is_read_again_only_after_a_write(emulator, client):
    """A list read once per shard of a run is answered from the last answer while
    nothing was written (tests.emulators.kept), byte for byte, and read again after."""
    listed = client.post("/restapi/API/listEquipment", json=AUTH).data
    with emulator.store.traced() as issued:
        assert client.post("/restapi/API/listEquipment", json=AUTH).data == listed
        assert client.get("/restapi/equipment", json=AUTH).data == listed
    assert not [sql for sql, _args in issued if "FROM equipment" in sql]
    assert rest(client, "modifyEquipment", equipid="32", description="moved") == "OK"
    assert "moved" in [item["description"] for item in rest(client, "listEquipment")["equipment"]]
    assert rest(client, "listEquipment", auth=dict(AUTH, api_password="x")).startswith(
        "ERROR: authentication failed")
    emulator.configure({"access_list": "10.0.0.1"})
    assert rest(client, "listEquipment").startswith("ERROR: access denied")


@pytest.mark.parametrize("params, error", [
    ({"nickname": "NS2"}, "already exists"),
    ({"nickname": "n", "ipaddress": "10.1.1"}, "not a valid IP"),
    ({"nickname": "n", "mac": "00:11"}, "not a valid MAC"),
    ({"nickname": "n", "status": "broken"}, "status"),
    ({}, "nickname is required"),
])
def test_add_equipment_validates(client, params, error):
    assert error in rest(client, "addEquipment", **params)


def test_an_equipment_nickname_is_stored_and_compared_stripped(client):
    """Issue 16 item 6: the nickname is unique as it is stored, so " NS3 " after
    NS3 is refused in the API's words, never a 500 that leaves a record behind."""
    equipid = rest(client, "addEquipment", nickname=" NS3 ").split(": ")[1]
    [item] = rest(client, "listEquipment", id=equipid)["equipment"]
    assert item["nickname"] == "NS3"
    assert rest(client, "addEquipment", nickname="NS3 ") == (
        "ERROR: equipment nickname 'NS3' already exists")
    assert rest(client, "modifyEquipment", equipid="32", nickname=" NS3") == (
        "ERROR: equipment nickname 'NS3' already exists")
    assert rest(client, "modifyEquipment", equipid=equipid, nickname=" NS3  ") == "OK"
    assert rest(client, "modifyEquipment", equipid="32", nickname="  ") == (
        "ERROR: nickname is required")
    assert [item["nickname"] for item in rest(client, "listEquipment")["equipment"]] == [
        "NS2", "PPPoE-Stowe_Hollow_NAS_and_DSL", "NS3"]


def test_rest_style_resources(client):
    response = client.post("/restapi/customer", json=dict(AUTH, name="R S", nickname="rs",
                                                          invoicingid="RS"))
    customerid = response.get_json()["result"].split(":")[1]
    response = client.put("/restapi/customer", json=dict(AUTH, customerid=customerid, fax="1"))
    assert response.get_json()["result"] == "OK"
    response = client.delete("/restapi/customer", json=dict(AUTH, customerid=customerid))
    assert response.get_json()["result"] == "OK"
    counters = client.get("/_emulator/counters").get_json()
    assert counters["writes"] == {"addCustomer": 1, "modifyCustomer": 1, "deleteCustomer": 1}


def test_soap_structured_results_are_xml_text(client):
    text = soap_result(client, "getCustomerStatuses")
    root = etree.fromstring(text)
    assert root.tag == "customerStatusesRoot" and root[0].text == "contract"
    text = soap_result(client, "searchCustomer", customerid="1")
    root = etree.fromstring(text)
    assert root.find("customer").get("id") == "1" and root.find("results").text == "1"
    text = soap_result(client, "listEquipment", id="32")
    assert text.startswith("<Equipment><32><id>32</id>")


def test_soap_writes_are_counted_per_function(client):
    result = soap_result(client, "addCustomer", typed=False, name="S O", nickname="so",
                         invoicingid="SO")
    assert result.startswith("OK:")
    counters = client.get("/_emulator/counters").get_json()
    assert counters["writes"] == {"addCustomer": 1}


@pytest.mark.parametrize("data, fault", [
    ("<not xml", "Application failed during request deserialization"),
    (soap_request("fooBar", AUTH), "Failed to locate method (fooBar)"),
    (soap_request("pingAPI", AUTH, namespace="http://x/Other"), "Denied access to method"),
])
def test_soap_faults(client, data, fault):
    response = client.post("/API/operatorapi.pl", data=data)
    assert response.status_code == 500
    root = etree.fromstring(response.data)
    assert root.findtext(".//faultcode") == "soap:Client"
    assert fault in root.findtext(".//faultstring")


def test_a_dropped_write_answer_is_cut_after_commit(client, emulator):
    emulator.faults.update({"drop_writes": 1})
    response = client.post("/API/operatorapi.pl", data=soap_request(
        "addCustomer", dict(AUTH, name="D R", nickname="dr", invoicingid="DR")))
    assert response.headers["Content-Length"] == "4096"
    assert rest(client, "searchCustomer", invoicingid="DR")["results"] == "1"
