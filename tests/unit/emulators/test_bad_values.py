"""No value a client can send makes an emulator fail: each answers its API's own
error (or finds nothing), never an HTML 500 (issue 16, item 9).

Every writable field (and every id and number a request names) of every
emulator gets each value below; then a few answers are held to their exact
words.
"""

import json

import pytest

from tests.emulators.core import parse_json
from tests.emulators.crm import SEED_API_KEY, CrmEmulator
from tests.emulators.ipdr import TOKEN, IpdrEmulator
from tests.emulators.onu import OnuEmulator
from tests.emulators.simpler import SimplerEmulator
from tests.emulators.userside import UsersideEmulator

HUGE = "1" * 31  # 10^30 and more: no SQL integer holds it
# What a form (CRM, UserSide) can carry: text only.
BAD_TEXT = [HUGE, "-" + "9" * 30, "²", "٣", "1.5", "1e400", "nan", "\x00", "a\x00b", "😀", "",
            " ", "x" * 70000]
# What a JSON body (ONU, SIMPLer REST, IPDR) can carry besides: other types, and a
# lone UTF-16 surrogate, which JSON can spell and no database stores.
BAD_JSON = BAD_TEXT + [10 ** 30, -10 ** 30, 1.5, True, None, [], {}, [1], {"a": 1}, "\ud800"]


@pytest.fixture
def build(tmp_path):
    made = []

    def emulator(cls, **config):
        made.append(cls(str(tmp_path / ("%d.sqlite" % len(made))), **config))
        return made[-1].app.test_client()

    yield emulator
    for emulator in made:
        emulator.store.conn.close()


def failures(send, fields, values, answers_as_the_api):
    """(field, value, status) of every request whose answer is not the API's own."""
    found = []
    for field in fields:
        for value in values:
            response = send(field, value)
            if response.status_code >= 500 and not answers_as_the_api(response):
                found.append((field, repr(value)[:24], response.status_code))
            elif not answers_as_the_api(response):
                found.append((field, repr(value)[:24], response.data[:60]))
    return found


def setting(base, field, value):
    """``base`` with ``field`` set to ``value`` (added, or replacing its own)."""
    body = dict(base)
    body[field] = value
    return body


def json_body(response):
    """The JSON object that ends a body (the ONU's PHP may print diagnostics before it)."""
    try:
        return json.loads(response.get_data(as_text=True).splitlines()[-1])
    except (ValueError, IndexError):
        return None


# --- CRM (§2): form fields, every answer the {result, error} envelope with HTTP 200 ----
CRM_AUTH = {"userid": "5", "api_key": SEED_API_KEY}
CRM_NEW = dict(resellerid="1", type="Individual", name="N", mobile="1", email="a@b.c",
               zipcode="1", state="Goa", city="Panaji", street="s")
CRM_FIELDS = {
    "list": ("userid", "ispid", "resellerid", "customerid", "serviceid", "username", "type",
             "name", "mobile", "email", "zipcode", "state", "city", "created_from",
             "created_upto", "rows_limit", "rows_offset", "sort_field", "sort_order",
             "show_count"),
    "create": ("userid", "ispid", "resellerid", "type", "name", "surname", "dob", "mobile",
               "email", "uniqueid", "zipcode", "state", "city", "street", "notes"),
    "update": ("customerid", "type", "name", "surname", "dob", "mobile", "email", "uniqueid",
               "zipcode", "state", "city", "street", "notes", "reset_password"),
    "delete": ("customerid",),
}


def http_200_envelope(*keys):
    """The check of an API that answers everything with HTTP 200 and these keys."""

    def answers_as_the_api(response):
        body = response.get_json(silent=True)
        return response.status_code == 200 and isinstance(body, dict) and set(body) == set(keys)

    return answers_as_the_api


crm_envelope = http_200_envelope("result", "error")


@pytest.mark.parametrize("action", sorted(CRM_FIELDS))
def test_crm_answers_its_envelope_to_every_value(build, action):
    client = build(CrmEmulator)
    base = dict(CRM_AUTH, **(CRM_NEW if action == "create" else {}))
    if action in ("update", "delete"):
        base["customerid"] = "1001"

    def send(field, value):
        return client.post("/api/customer/" + action, data=setting(base, field, value))

    assert failures(send, CRM_FIELDS[action], BAD_TEXT, crm_envelope) == []


def test_crm_numbers_no_integer_holds_are_refused_in_its_words(build):
    client = build(CrmEmulator)

    def error(action, **fields):
        return client.post("/api/customer/" + action, data=dict(CRM_AUTH, **fields)).get_json()

    assert error("update", customerid=HUGE, name="X") == {
        "result": None, "error": "Customer not found"}
    assert error("list", customerid="²")["error"] == "Invalid customerid"
    assert error("list", rows_offset=HUGE)["error"] == "Invalid rows_offset"
    assert error("list", userid=HUGE)["error"] == "Invalid userid or api_key"
    assert error("create", **setting(CRM_NEW, "resellerid", HUGE))["error"] == "Invalid resellerid"


# --- UserSide (§5): query or form parameters, errors {Result: ERROR, ErrorText} ----------
USERSIDE_FIELDS = {
    "add": ("fio", "codeti", "is_potential", "is_corporate", "billing_id"),
    "edit": ("id", "name", "login", "account_number", "agreement_number", "apartment_number",
             "comment", "email", "phone0", "phone1", "entrance", "floor", "group_id", "house_id",
             "manager_id", "flag_corporate", "is_potential", "agreement_date", "date_connect"),
    "delete": ("id",),
    "state_change": ("customer_id", "state_id"),
    "tarif_change": ("customer_id", "tarif"),
    "mark_add": ("customer_id", "mark_id"),
    "mark_delete": ("customer_id", "mark_id"),
    "ip_add": ("customer_id", "value", "mac"),
    "ip_delete": ("customer_id", "value"),
    "service_add": ("customer_id", "service_id", "price", "comment"),
    "service_remove": ("customer_id", "service_id"),
    "get_data": ("customer_id",),
    "get_abon_id": ("data_typer", "data_value"),
    "get_customers_id": ("house_id", "billing_id", "state_id", "tariff_id", "is_corporate",
                         "appartment", "mark_id", "name", "limit"),
}
USERSIDE_VALID = {"id": "3", "customer_id": "3", "state_id": "1", "tarif": "1", "mark_id": "1",
                  "value": "10.9.9.9", "service_id": "1", "data_typer": "login",
                  "data_value": "x", "house_id": "10"}


def userside_envelope(response):
    body = response.get_json(silent=True)
    if not isinstance(body, dict):
        return False
    if response.status_code == 200:
        return body.get("Result") == "OK"
    return response.status_code < 500 and body.get("Result") == "ERROR" and body["ErrorText"]


@pytest.mark.parametrize("action", sorted(USERSIDE_FIELDS))
def test_userside_answers_its_envelope_to_every_value(build, action):
    client = build(UsersideEmulator)
    fields = USERSIDE_FIELDS[action]
    base = {key: USERSIDE_VALID[key] for key in fields if key in USERSIDE_VALID}

    def send(field, value):
        query = {"key": "userside-test-key", "cat": "customer", "action": action}
        return client.post("/api.php", query_string=query, data=setting(base, field, value))

    assert failures(send, fields, BAD_TEXT, userside_envelope) == []


def test_userside_house_id_of_10_to_the_30_is_the_apis_error(build):
    client = build(UsersideEmulator)
    query = {"key": "userside-test-key", "cat": "customer", "action": "edit"}
    response = client.post("/api.php", query_string=query, data={"id": "3", "house_id": HUGE})
    assert response.status_code == 400
    assert response.get_json() == {"Result": "ERROR",
                                   "ErrorText": "Incorrect value of parameter house_id"}
    # The largest an INT column holds is still a house id.
    assert client.post("/api.php", query_string=query,
                       data={"id": "3", "house_id": str(2 ** 31 - 1)}).status_code == 200


# --- ONU (§1): JSON bodies; errors are JSON with the PHP's statuses ------------------------
ONU_FIELDS = ("id", "name", "address", "egn", "sn", "service", "auto", "state", "state_rf")
ONU_BASES = {
    "create_customer": {"name": "N", "sn": "ZZ000001", "auto": "YES", "state": "YES"},
    "update_customer": {"sn": "000E5E9D1985", "state": "YES"},
    "delete_customer": {"sn": "NOBODY00"},
    "get_customers_one": {"sn": "C850E98CE604"},
}


def onu_answer(response):
    body = json_body(response)
    return response.status_code < 500 and isinstance(body, dict) or (
        response.status_code == 503 and isinstance(body, dict)
        and body.get("message", "").startswith("Unable to"))


@pytest.mark.parametrize("endpoint", sorted(ONU_BASES))
def test_onu_answers_its_json_to_every_value(build, endpoint):
    client = build(OnuEmulator, nbf_delay=0)
    token = client.post("/API/api_login.php",
                        json={"username": "admin", "password": "admin123"}).get_json()["jwt"]

    def send(field, value):
        body = setting(dict(ONU_BASES[endpoint], jwt=token), field, value)
        return client.post("/API/%s.php" % endpoint, json=body)

    assert failures(send, ONU_FIELDS + ("jwt",), BAD_JSON, onu_answer) == []


def test_onu_answers_10_to_the_30_and_a_lone_surrogate_as_its_php_does(build):
    client = build(OnuEmulator, nbf_delay=0)
    token = client.post("/API/api_login.php",
                        json={"username": "admin", "password": "admin123"}).get_json()["jwt"]
    nobody = client.post("/API/get_customers_one.php", json={"jwt": token, "id": HUGE})
    assert nobody.status_code == 404
    assert json_body(nobody) == {"message ": "Customer does not exist."}
    # egn is an integer column: beyond the widest (BIGINT), MariaDB's strict mode refuses.
    wide = client.post("/API/create_customer.php",
                       json={"jwt": token, "name": "N", "sn": "ZZ000003", "auto": "YES",
                             "state": "YES", "egn": HUGE})
    assert wide.status_code == 503
    assert json_body(wide)["message"] == (
        "Unable to create customer. Connection 4 Failed:__SQLSTATE[22003]: Numeric value out "
        "of range: 1264 Out of range value for column 'egn' at row 1")
    # PHP's json_decode refuses the body whole: no token in it.
    lone = client.post("/API/create_customer.php",
                       json={"jwt": token, "name": "\ud800", "sn": "ZZ000002", "auto": "YES",
                             "state": "YES"})
    assert lone.status_code == 401 and json_body(lone) == {"message": "Access denied."}


# --- IPDR (§4): JSON bodies; errors {status, message}, HTTP 200 or 422 --------------------
IPDR_AUTH = {"api_token": TOKEN, "username": "user", "contextname": "default"}
IPDR_FIELDS = ("Name", "Address", "Email", "PhoneNumber", "AltPhoneNumber", "UserID",
               "api_token", "username", "contextname")


def ipdr_answer(response):
    body = response.get_json(silent=True)
    return response.status_code in (200, 422) and isinstance(body, (dict, list))


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_ipdr_answers_its_json_to_every_value(build, method):
    client = build(IpdrEmulator)
    full = {"Name": "N", "Address": "A", "Email": "e", "PhoneNumber": "1",
            "AltPhoneNumber": "2", "UserID": "B68t19"}
    sent = []

    def send(field, value):
        sent.append(field)
        body = dict(IPDR_AUTH, **full)
        if method == "POST":
            body["UserID"] = "new%d" % len(sent)
        body = setting(body, field, value)
        path = "/api/ipdrcustomers" + ("" if method == "POST" else "/B68t19")
        return client.open(path, method=method, json=body)

    assert failures(send, IPDR_FIELDS, BAD_JSON, ipdr_answer) == []


def test_ipdr_a_lone_surrogate_is_no_json_body(build):
    client = build(IpdrEmulator)
    response = client.post("/api/ipdrcustomers",
                           json=dict(IPDR_AUTH, UserID="lone", Name="\ud800"))
    assert response.status_code == 200
    assert response.get_json() == {"status": "ERROR", "message": "Invalid API token"}


# --- SIMPLer (§3): REST JSON bodies; every answer HTTP 200 {ip, result} ------------------
SIMPLER_CUSTOMER = ("name", "nickname", "invoicingid", "init_date", "startdate", "installdate",
                    "customerstatus", "type", "email", "phone_list_main", "address", "iaddress",
                    "payment_method", "send_method", "custom_field_1", "note")
SIMPLER_EQUIPMENT = ("nickname", "ipaddress", "description", "serialnumber", "mac", "status",
                     "type")
SIMPLER_CALLS = {
    "addCustomer": ({"name": "N", "nickname": "nick", "invoicingid": "inv"}, SIMPLER_CUSTOMER),
    "modifyCustomer": ({"customerid": "1"}, SIMPLER_CUSTOMER + ("customerid",)),
    "deleteCustomer": ({}, ("customerid",)),
    "getCustomerData": ({}, ("customerid", "customFields")),
    "searchCustomer": ({}, ("customerid", "limit", "offset", "order", "case_sensitive",
                            "nickname", "email", "firstname")),
    "listEquipment": ({}, ("id", "type", "ipaddress", "nickname", "macaddress")),
    "addEquipment": ({"nickname": "eq"}, SIMPLER_EQUIPMENT + ("imsi", "ki")),
    "modifyEquipment": ({"equipid": "32"}, SIMPLER_EQUIPMENT + ("equipid",)),
    "addSubscription": ({"customerid": "1", "productid": "1"}, ("customerid", "productid")),
    "addIP": ({"customerid": "1"}, ("customerid",)),
    "addCPE": ({"customerid": "1", "equipid": "32"}, ("customerid", "equipid")),
}


simpler_answer = http_200_envelope("ip", "result")


@pytest.mark.parametrize("function", sorted(SIMPLER_CALLS))
def test_simpler_answers_its_envelope_to_every_value(build, function):
    client = build(SimplerEmulator)
    base, fields = SIMPLER_CALLS[function]
    auth = {"api_username": "username", "api_password": "password", "operator": "operator"}

    def send(field, value):
        return client.post("/restapi/API/" + function,
                           json=setting(dict(auth, **base), field, value))

    assert failures(send, fields, BAD_JSON, simpler_answer) == []


def test_simpler_ids_no_integer_holds_name_nobody(build):
    client = build(SimplerEmulator)
    auth = {"api_username": "username", "api_password": "password"}

    def result(function, **params):
        return client.post("/restapi/API/" + function, json=dict(auth, **params)).get_json()[
            "result"]

    assert result("getCustomerData", customerid=HUGE) == (
        "ERROR: customer '%s' does not exist" % HUGE)
    assert result("modifyEquipment", equipid=HUGE, description="x") == (
        "ERROR: equipment '%s' does not exist" % HUGE)
    # "٣" is a digit to Python, not to Perl: it names no customer 3.
    assert result("getCustomerData", customerid="٣").startswith("ERROR")
    assert result("addCustomer", name="\ud800", nickname="n", invoicingid="i") == (
        "ERROR: the request body is not a JSON object")


@pytest.mark.parametrize("text", ['{"a": "\\ud800"}', '{"a": "\\uDFFF"}', '["x\\udc00"]',
                                  '{"a": "\ud800"}', '{"\\ud83d": 1}'])
def test_a_lone_surrogate_escaped_or_written_is_no_json(text):
    assert parse_json(text) is None


@pytest.mark.parametrize("text, data", [('{"a": "b"}', {"a": "b"}), ("", None), (None, None),
                                        ('{"a": "\\ud83d\\ude00 \\u00e9"}', {"a": "\U0001F600 é"}),
                                        ('{"a": "é"}', {"a": "é"}), ("{", None)])
def test_json_without_a_lone_surrogate_is_read_as_it_is(text, data):
    assert parse_json(text) == data
