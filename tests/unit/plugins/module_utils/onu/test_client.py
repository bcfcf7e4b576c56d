"""The ONU client against the emulator: tokens that are not yet valid or expired, quirks."""

import time

import pytest
import requests

from ansible_collections.isp.provisioning.plugins.module_utils.errors import BackendError
from ansible_collections.isp.provisioning.plugins.module_utils.http_session import HttpSession
from ansible_collections.isp.provisioning.plugins.module_utils.onu.client import (
    OnuClient,
    jwt_claims,
)
from ansible_collections.isp.provisioning.plugins.module_utils.relevance import Sieve
from ansible_collections.isp.provisioning.plugins.module_utils.secrets import Redactor
from tests.emulators.onu import OnuEmulator


def configure(running, **config):
    requests.put(running.root + "/_emulator/config", json=config, timeout=5).raise_for_status()


def test_the_client_waits_until_nbf_after_login(serve, connect):
    running = serve(OnuEmulator, nbf_delay=2)
    started = time.time()
    onu = connect(running)
    assert len(onu.customers()) == 4
    assert time.time() - started >= 1.0  # iat is whole seconds: nbf is 1 to 2 s away


def test_a_client_whose_clock_runs_ahead_waits_out_the_servers_refusals(serve, connect):
    running = serve(OnuEmulator, nbf_delay=2)
    onu = connect(running, clock=lambda: time.time() + 5)  # thinks nbf has passed
    assert len(onu.services()) == 6


def test_the_servers_time_zone_in_a_refusal_is_honoured(serve, connect):
    # "Cannot handle token prior to 2026-11-29T08:00:03+0200": read as UTC, the
    # client would wait two hours (MAX_NBF_WAIT at a time) instead of a second.
    running = serve(OnuEmulator, nbf_delay=2, utc_offset="+0200")
    naps = []
    onu = connect(running, clock=lambda: time.time() + 5)  # thinks nbf has passed

    def sleep(seconds):
        naps.append(seconds)
        time.sleep(min(seconds, 1.5))

    onu.sleep = sleep
    assert len(onu.services()) == 6
    assert naps and max(naps) <= 5


def test_an_expired_token_means_one_new_login(serve, connect):
    running = serve(OnuEmulator, nbf_delay=0)
    onu = connect(running)
    onu.customers()
    first = onu.token()
    configure(running, expire_tokens=True)
    assert len(onu.customers()) == 4
    assert onu.token() != first


def test_a_wrong_password_names_the_user_not_the_password(serve, connect):
    running = serve(OnuEmulator, nbf_delay=0)
    with pytest.raises(BackendError) as failure:
        connect(running, password="wrong-secret").customers()
    assert failure.value.message == "ONU login as 'operator' failed (HTTP 401): Login failed."
    assert failure.value.status == 401


def test_a_visitor_may_not_write(serve, connect):
    running = serve(OnuEmulator, nbf_delay=0)
    visitor = connect(running, "visitor", "visitor123")
    with pytest.raises(BackendError) as failure:
        visitor.create({"sn": "X", "name": "x", "auto": "YES", "state": "YES"})
    assert "Not enough privilege" in failure.value.message
    assert "eyJ" not in failure.value.message


def test_empty_lists_answer_404_and_read_as_empty(serve, connect):
    running = serve(OnuEmulator, nbf_delay=0)
    onu = connect(running)
    for customer in onu.customers():
        onu.delete(customer["sn"])
    assert onu.customers() == []


def test_php_diagnostics_before_the_json_are_skipped(serve, connect):
    running = serve(OnuEmulator, nbf_delay=0)
    configure(running, snmp_noise=True)
    onu = connect(running)
    onu.update({"sn": "C850E98CE604", "name": "Renamed", "state": "YES"})
    assert [c["name"] for c in onu.customers() if c["sn"] == "C850E98CE604"] == ["Renamed"]


def test_a_sieved_read_holds_only_the_customers_kept_even_after_diagnostics(serve, connect):
    running = serve(OnuEmulator, nbf_delay=0)
    configure(running, snmp_noise=True)
    onu = connect(running)
    every = onu.customers()
    sieve = Sieve(lambda row: row["sn"] == "C850E98CE604", "sn")
    assert onu.customers(sieve) == [c for c in every if c["sn"] == "C850E98CE604"]
    assert len(every) > 1


def test_the_nbf_wait_happens_once_per_token(serve, connect):
    running = serve(OnuEmulator, nbf_delay=0)
    naps = []
    onu = connect(running, clock=lambda: time.time() - 30)  # a clock far behind the server's
    onu.sleep = naps.append
    onu.customers()
    onu.services()
    onu.customers()
    assert len(naps) == 1


def test_a_list_answer_of_an_unexpected_shape_is_a_clear_error(serve, connect):
    running = serve(OnuEmulator, nbf_delay=0)
    onu = connect(running)
    onu.expect = lambda *args, **kwargs: {"customers": "oops"}
    with pytest.raises(BackendError) as failure:
        onu.customers()
    assert "without a list of customers" in failure.value.message


def test_jwt_claims_reads_the_payload_without_the_key():
    token = ("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJSYWlzZXBvbiIsImF1ZCI6IlJhaXNlcG"
             "9uIiwiaWF0IjoxNTQyMTA3ODg4LCJuYmYiOjE1NDIxMDc4OTgsImV4cCI6MTU0MjExMTQ5OCwiZGF0YSI6"
             "eyJpZCI6IjEiLCJ1c2VybmFtZSI6ImFkbWluIiwidHlwZSI6IjkifX0.DqYvlphdTZ8fb9up6SojGw1YWA"
             "WdePTXDXRuXwGOL1A")  # the seed document's token
    claims = jwt_claims(token)
    assert claims["nbf"] - claims["iat"] == 10
    assert claims["data"]["type"] == "9"
    assert jwt_claims("garbage") == {}


def faults(running, **settings):
    requests.put(running.root + "/_emulator/faults", json=settings, timeout=5).raise_for_status()


def test_an_answer_that_echoes_the_request_shows_neither_token_nor_password(serve):
    # A password JSON escapes (a quote, a backslash, non-ASCII): the echo carries
    # the escaped form, which must be masked as well as the raw one.
    password = 'pa"ss\\wörd'
    running = serve(OnuEmulator, nbf_delay=0)
    faults(running, fail_percent=100, fail_status=404, echo=1, only="api_login")
    http = HttpSession(running.url, timeout=10, redactor=Redactor(password))
    with pytest.raises(BackendError) as login:
        OnuClient(http, "operator", password).customers()
    assert "/API/api_login.php" in login.value.message
    assert '"password": "********"' in login.value.message
    assert "rd" not in login.value.message.replace("password", "")  # nor any of its end

    onu = OnuClient(HttpSession(running.url, timeout=10, redactor=Redactor("operator123")),
                    "operator", "operator123")
    faults(running, fail_percent=0)
    token = onu.token()
    faults(running, fail_percent=100, fail_status=404, echo=1, only="get_customers")
    with pytest.raises(BackendError) as listing:
        onu.customers()
    assert "********" in listing.value.message
    assert token not in listing.value.message and token.split(".")[1] not in listing.value.message
