"""The fast path answers every request it serves exactly as Flask does (tests.emulators.fastpath).

Each request is sent twice to one emulator: through the WSGI callable the
server runs (the fast path in front of Flask) and through Flask's alone. The
status, every header, the body bytes, the counters and the service times
added must be the same, and the fast path must have answered itself (or
handed the request to Flask, for what it leaves to Flask).
"""

import json
import urllib.parse
import urllib.request

import pytest
from werkzeug.test import Client

from tests.emulators import server

from tests.emulators.crm import SEED_API_KEY, CrmEmulator
from tests.emulators.kept import KeptAnswers
from tests.emulators.simpler import SimplerEmulator
from tests.emulators.userside import UsersideEmulator

AUTH = {"api_username": "username", "api_password": "password"}
KEY = "userside-test-key"


def simpler_rest(function, method="POST", **params):
    path = "/restapi/API/" + function
    return lambda client: client.open(path, method=method, json=dict(AUTH, **params))


def crm_list(**fields):
    form = dict(userid="5", api_key=SEED_API_KEY, **fields)
    return lambda client: client.post("/api/customer/list", data=form)


def userside(action, method="GET", key=KEY, **params):
    query = dict(key=key, cat="customer", action=action, **params)
    return lambda client: client.open("/api.php", method=method, query_string=query)


# name -> (emulator class, config, request, served by the fast path itself)
REQUESTS = {
    "simpler search": (SimplerEmulator, {}, simpler_rest(
        "searchCustomer", invoicingid="SD-000012", limit="500", offset="0"), True),
    "simpler search, short text": (SimplerEmulator, {}, simpler_rest(
        "searchCustomer", email="Ex", limit="2", offset="1", order="lastname"), True),
    "simpler search as a list": (SimplerEmulator, {"search_shape": "list"}, simpler_rest(
        "searchCustomer", nickname="sd_00001"), True),
    "simpler read": (SimplerEmulator, {}, simpler_rest(
        "getCustomerData", customerid="3", customFields="1"), True),
    "simpler read over GET": (SimplerEmulator, {}, simpler_rest(
        "getCustomerData", method="GET", customerid="1"), True),
    "simpler read of no customer": (SimplerEmulator, {}, simpler_rest(
        "getCustomerData", customerid="99999"), True),
    "simpler resource read": (SimplerEmulator, {}, lambda client: client.get(
        "/restapi/customer", json=dict(AUTH, customerid="2")), True),
    "simpler wrong password": (SimplerEmulator, {}, lambda client: client.post(
        "/API/searchCustomer", json={"api_username": "username", "api_password": "x"}), True),
    "simpler not on the access list": (SimplerEmulator, {"access_list": "10.0.0.1"},
                                       simpler_rest("pingAPI"), True),
    "simpler body no JSON": (SimplerEmulator, {}, lambda client: client.post(
        "/restapi/API/getCustomerData", data=b"{\"a\": \"\\ud800\"}"), True),
    "simpler body not UTF-8": (SimplerEmulator, {}, lambda client: client.post(
        "/restapi/API/listEquipment", data=json.dumps(AUTH).encode() + b"\xff"), True),
    "simpler write": (SimplerEmulator, {}, simpler_rest(
        "modifyCustomer", customerid="1", note="n"), False),
    "simpler HEAD": (SimplerEmulator, {}, simpler_rest("pingAPI", method="HEAD"), False),
    "crm page": (CrmEmulator, {}, crm_list(rows_limit="100", rows_offset="5"), True),
    "crm page as numbers": (CrmEmulator, {"native_types": True}, crm_list(
        rows_limit="3", sort_field="name", sort_order="desc", city=" kochi "), True),
    "crm count": (CrmEmulator, {}, crm_list(show_count="1", name="%Customer 0%"), True),
    "crm wrong key": (CrmEmulator, {}, lambda client: client.post(
        "/api/customer/list", data={"userid": "5", "api_key": "x"}), True),
    "crm bad paging": (CrmEmulator, {}, crm_list(rows_limit="1e3"), True),
    "crm write": (CrmEmulator, {}, lambda client: client.post(
        "/api/customer/delete", data={"userid": "5", "api_key": SEED_API_KEY,
                                      "customerid": "999999"}), False),
    "userside get_abon_id": (UsersideEmulator, {}, userside(
        "get_abon_id", data_typer="login", data_value="SD-000007"), True),
    "userside get_abon_id, no value": (UsersideEmulator, {}, userside(
        "get_abon_id", data_typer="login"), True),
    "userside get_data": (UsersideEmulator, {}, userside("get_data", customer_id="5"), True),
    "userside get_data, lower-case": (UsersideEmulator, {"lowercase_envelope": True},
                                      userside("get_data", customer_id="1"), True),
    "userside get_data of no customer": (UsersideEmulator, {}, userside(
        "get_data", customer_id="10" * 30), True),
    "userside get_customers_id, legacy": (UsersideEmulator, {"pre_3_21": True}, userside(
        "get_customers_id", name="Customer", is_like="1", limit="3"), True),
    "userside wrong key": (UsersideEmulator, {}, userside("get_data", key="x"), True),
    "userside unknown action": (UsersideEmulator, {}, userside("nothing"), True),
    "userside write over GET": (UsersideEmulator, {}, userside("delete", id="4"), False),
    "userside POST read": (UsersideEmulator, {}, userside(
        "get_data", method="POST", customer_id="4"), False),
}
NO_FAULTS = {"latency_ms": 0, "fail_percent": 0, "fail_status": 503, "echo": 0,
             "retry_after": 1, "down_after_writes": 0}
FAULTS = {
    "none": {},
    "failing": {"fail_percent": 100, "fail_status": 503},
    "too many requests": {"fail_percent": 100, "fail_status": 429, "retry_after": 3},
    "echoing": {"fail_percent": 100, "fail_status": 500, "echo": 1},
    "down": {"down_after_writes": 0, "fail_status": 403},
    "slow": {"latency_ms": 5},
}


@pytest.fixture(scope="module")
def emulators(tmp_path_factory):
    """One emulator per class and config, for every test of the module (built in 0.2 s)."""
    made = {}

    def build(cls, **config):
        key = (cls, tuple(sorted(config.items())))
        if key not in made:
            folder = tmp_path_factory.mktemp("fastpath")
            made[key] = cls(str(folder / "db.sqlite"), seed_records=20, seed_prefix="SD",
                            **config)
        return made[key]

    yield build
    for each in made.values():
        each.store.conn.close()


@pytest.fixture
def emulator(emulators):
    """build(cls, faults=..., **config): the emulator, with those faults and no other."""
    built = []

    def build(cls, faults=(), **config):
        built.append(emulators(cls, **config))
        built[-1].faults.update(dict(NO_FAULTS, **dict(faults)))
        return built[-1]

    yield build
    for each in built:
        each.faults.update(NO_FAULTS)


def answer(wsgi, send):
    """An answer of ``wsgi`` to a request as waitress hands it over (its body EOF-terminated)."""

    def as_waitress(environ, start_response):
        return wsgi(dict(environ, **{"wsgi.input_terminated": True}), start_response)

    response = send(Client(as_waitress))
    return response.status, response.headers.to_wsgi_list(), response.get_data()


def sent_twice(emulator, send):
    """(fast path's answer, Flask's answer, whether the fast path handed it to Flask),
    each with the counters and the service times it added."""
    flask_wsgi = emulator.fast.flask_wsgi
    handed = []

    def counting(environ, start_response):
        handed.append(environ["PATH_INFO"])
        return flask_wsgi(environ, start_response)

    answers = []
    for wsgi in (emulator.fast, flask_wsgi):
        # Each path makes its own answer, none given from what the other made.
        for kept in vars(emulator).values():
            if isinstance(kept, KeptAnswers):
                kept.clear()
        emulator.counters.reset()
        emulator.times.reset()
        emulator.fast.flask_wsgi = counting
        answers.append(answer(wsgi, send) + (
            emulator.counters.snapshot(),
            {name: times["requests"]
             for name, times in emulator.times.snapshot()["endpoints"].items()}))
        emulator.fast.flask_wsgi = flask_wsgi
        if wsgi is emulator.fast:
            fast_handed = bool(handed)
    return answers[0], answers[1], fast_handed


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_the_fast_path_answers_as_flask_does(emulator, name, fault):
    cls, config, send, fast = REQUESTS[name]
    if fault != "none" and not fast:
        pytest.skip("Flask answers it either way")
    built = emulator(cls, faults=FAULTS[fault], **config)
    if fault == "down":
        built.faults.down = True
    through_fast, through_flask, handed = sent_twice(built, send)
    assert through_fast == through_flask
    assert handed is not fast
    assert sum(through_fast[3]["reads"].values()) + sum(through_fast[3]["writes"].values()) == 1


def test_a_view_that_fails_is_answered_and_logged_as_flask_does(emulator, monkeypatch, caplog):
    built = emulator(UsersideEmulator)

    def broken(*args):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(built.store, "one", broken)
    through_fast, through_flask, handed = sent_twice(built, userside("get_data", customer_id="1"))
    assert through_fast == through_flask and not handed
    assert through_fast[0] == "500 INTERNAL SERVER ERROR"
    logged = [record for record in caplog.records if record.exc_info]
    assert [record.getMessage() for record in logged] == ["Exception on /api.php [GET]"] * 2


SERVED = {
    SimplerEmulator: lambda url: urllib.request.Request(
        url + "restapi/API/getCustomerData", json.dumps(dict(AUTH, customerid="1")).encode(),
        {"Content-Type": "application/json"}),
    CrmEmulator: lambda url: urllib.request.Request(
        url + "api/customer/list", urllib.parse.urlencode(
            {"userid": "5", "api_key": SEED_API_KEY}).encode()),
    UsersideEmulator: lambda url: url + "api.php?key=%s&cat=customer&action=get_data&"
                                        "customer_id=1" % KEY,
}


@pytest.mark.parametrize("cls", sorted(SERVED, key=lambda cls: cls.name), ids=lambda c: c.name)
def test_what_waitress_serves_takes_the_fast_path(tmp_path, cls):
    built = cls(str(tmp_path / "served.sqlite"))
    flask_wsgi, handed = built.fast.flask_wsgi, []
    built.fast.flask_wsgi = lambda environ, start: handed.append(1) or flask_wsgi(environ, start)
    running = server.start(built)
    try:
        with urllib.request.urlopen(SERVED[cls](running.url), timeout=10) as answered:
            assert answered.status == 200
    finally:
        running.stop()
    assert handed == [] and built.counters.snapshot()["total_reads"] == 1
