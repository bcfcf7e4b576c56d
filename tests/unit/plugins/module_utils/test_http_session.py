"""HttpSession's retry rules against a real server (Flask on waitress, in a thread),
and TLS against the emulators served over https (werkzeug, a self-signed certificate)."""

import datetime
import importlib
import ipaddress
import json
import socket
import ssl
import threading

import pytest
import requests
import urllib3
import yaml
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import Flask, Response, request
from waitress.server import create_server
from werkzeug.serving import make_server

from ansible_collections.isp.provisioning.plugins.doc_fragments.tls import ConnectionFragment
from ansible_collections.isp.provisioning.plugins.module_utils.crm import client as crm
from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    AnswerLost,
    BackendError,
    BackendUnavailable,
    ValidationError,
    refusal,
    stops_backend,
)
from ansible_collections.isp.provisioning.plugins.module_utils.http_session import (
    HandshakeAdapter,
    HttpSession,
    find_json,
    session_from_params,
)
from ansible_collections.isp.provisioning.plugins.module_utils.ipdr import client as ipdr
from ansible_collections.isp.provisioning.plugins.module_utils.onu import client as onu
from ansible_collections.isp.provisioning.plugins.module_utils.simpler import client as simpler
from ansible_collections.isp.provisioning.plugins.module_utils.userside import client as userside
from ansible_collections.isp.provisioning.plugins.module_utils.secrets import Redactor
from ansible_collections.isp.provisioning.plugins.modules import crm_customer
from tests.emulators import emulator_class
from tests.unit.probes import run_module


class Scripted:
    """A server that answers each request with the next scripted (status, headers, body)."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.seen = []
        self.received = []  # (headers, query, body) of each request
        app = Flask("scripted")

        @app.route("/<path:path>", methods=["GET", "POST"])
        def answer(path):
            self.seen.append((request.method, path))
            self.received.append((dict(request.headers), request.args.to_dict(), request.data))
            status, headers, body = self.answers.pop(0) if self.answers else (200, {}, "{}")
            if status == "drop":
                def first_byte():
                    yield b"{"
                broken = Response(first_byte(), status=200)
                broken.headers["Content-Length"] = "100"
                return broken
            return Response(body, status=status, headers=headers)

        self.server = create_server(app, host="127.0.0.1", port=0)
        self.url = "http://127.0.0.1:%s/api/" % self.server.effective_port
        threading.Thread(target=self.server.run, daemon=True).start()


@pytest.fixture
def scripted():
    servers = []

    def make(*answers):
        servers.append(Scripted(answers))
        return servers[-1]

    yield make
    for server in servers:
        server.server.close()


def session(url, sleeps, secret=None):
    return HttpSession(url, timeout=5, redactor=Redactor(secret), sleep=sleeps.append)


def test_reads_are_retried_after_503_honouring_retry_after(scripted):
    server = scripted((503, {"Retry-After": "2"}, ""), (200, {}, '{"ok": 1}'))
    sleeps = []
    response = session(server.url, sleeps).request("GET", "x", idempotent=True)
    assert response.status_code == 200
    assert sleeps == [2.0]
    assert len(server.seen) == 2


def test_writes_are_not_retried_after_503(scripted):
    server = scripted((503, {}, "busy"), (200, {}, "{}"))
    sleeps = []
    response = session(server.url, sleeps).request("POST", "x", idempotent=False)
    assert response.status_code == 503
    assert len(server.seen) == 1


def test_writes_are_retried_after_429_the_server_did_nothing(scripted):
    server = scripted((429, {"Retry-After": "1"}, ""), (201, {}, "{}"))
    sleeps = []
    response = session(server.url, sleeps).request("POST", "x", idempotent=False)
    assert response.status_code == 201
    assert sleeps == [1.0]


def test_a_lost_write_answer_raises_answer_lost_and_is_not_resent(scripted):
    server = scripted(("drop", {}, ""), (201, {}, "{}"))
    with pytest.raises(AnswerLost):
        session(server.url, []).request("POST", "x", idempotent=False)
    assert len(server.seen) == 1


def test_a_lost_read_answer_is_retried(scripted):
    server = scripted(("drop", {}, ""), (200, {}, "[]"))
    response = session(server.url, []).request("GET", "x", idempotent=True)
    assert response.text == "[]"


def test_an_unreachable_server_is_retried_then_reported_without_secrets():
    sleeps = []
    http = session("http://127.0.0.1:9/api.php?key=TOPSECRETKEY", sleeps, secret="TOPSECRETKEY")
    with pytest.raises(BackendError) as failure:
        http.request("POST", "", idempotent=False)
    assert "cannot connect" in failure.value.message
    assert "Connection refused" in failure.value.message
    assert "TOPSECRETKEY" not in failure.value.message
    # connecting failed: the write never left, so it was sent three times more
    # (urllib3's backoff: the first again at once, then after 1 s, then 2 s)
    assert sleeps == [1.0, 2.0]


def test_a_name_that_does_not_resolve_never_sent_the_write(monkeypatch):
    # A resolver that cannot answer now (EAI_AGAIN): urllib3's NameResolutionError.
    # The write never left, so it is sent again and reported as no connection,
    # not as a lost answer that the caller would read back.
    def no_resolver(*_args, **_kwargs):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", no_resolver)
    sleeps = []
    with pytest.raises(BackendUnavailable) as failure:
        session("http://crm.isp.example/api/", sleeps).request("POST", "x", idempotent=False)
    assert "cannot connect" in failure.value.message
    assert "Temporary failure in name resolution" in failure.value.message
    assert sleeps == [1.0, 2.0]


def test_a_connection_closed_without_an_answer_may_have_reached_the_server():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    received = []

    def read_then_close():
        connection = listener.accept()[0]
        received.append(connection.recv(65536))
        connection.close()

    threading.Thread(target=read_then_close, daemon=True).start()
    url = "http://127.0.0.1:%d/api/" % listener.getsockname()[1]
    with pytest.raises(AnswerLost):
        session(url, []).request("POST", "x", idempotent=False)
    listener.close()
    assert received and received[0].startswith(b"POST /api/x")


def test_an_unreachable_server_makes_the_backend_unusable():
    http = session("http://127.0.0.1:9/api/", [])
    with pytest.raises(BackendUnavailable):
        http.request("GET", "x", idempotent=True)


def test_a_read_without_an_answer_after_every_retry_makes_the_backend_unusable(scripted):
    server = scripted(*[("drop", {}, "")] * 4)
    with pytest.raises(BackendUnavailable) as failure:
        session(server.url, []).request("GET", "x", idempotent=True)
    assert "no answer" in failure.value.message
    assert len(server.seen) == 4


def test_a_tls_failure_makes_the_backend_unusable(monkeypatch):
    http = session("https://127.0.0.1:9/api/", [])

    def refuse(*args, **kwargs):
        raise requests.exceptions.SSLError("certificate verify failed")

    monkeypatch.setattr(http.session, "request", refuse)
    with pytest.raises(BackendUnavailable) as failure:
        http.request("GET", "x", idempotent=True)
    assert "TLS error" in failure.value.message


@pytest.mark.parametrize("cause, lost", [
    (ssl.SSLCertVerificationError("certificate verify failed"), False),  # in the handshake
    (ssl.SSLError("DECRYPTION_FAILED_OR_BAD_RECORD_MAC"), True),  # may be after sending
])
def test_a_write_whose_tls_failed_after_the_handshake_is_read_back(monkeypatch, cause, lost):
    http = session("https://127.0.0.1:9/api/", [])

    def fail(*args, **kwargs):
        raise requests.exceptions.SSLError(urllib3.exceptions.SSLError(cause))

    monkeypatch.setattr(http.write_session, "request", fail)
    with pytest.raises(AnswerLost if lost else BackendUnavailable) as failure:
        http.request("POST", "x", idempotent=False)
    assert "TLS error" in str(failure.value)


def test_validate_certs_false_holds_against_requests_ca_bundle(monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/ca.pem")
    http = HttpSession("https://127.0.0.1:9/api/", validate_certs=False, sleep=lambda _: None)
    adapter = http.session.get_adapter("https://127.0.0.1:9/api/x")
    pools = []

    def direct_pool(request, verify, cert):
        pools.append(HandshakeAdapter.direct_pool(adapter, request, verify, cert))
        return pools[-1]

    monkeypatch.setattr(adapter, "direct_pool", direct_pool)
    with pytest.raises(BackendUnavailable, match="cannot connect"):
        http.request("GET", "x", idempotent=True)
    assert [pool.cert_reqs for pool in pools] == ["CERT_NONE"]


def test_validate_certs_false_holds_against_requests_ca_bundle_through_a_proxy(monkeypatch):
    # A proxied request goes through requests' own send (not the direct path).
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/ca.pem")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    for name in ("NO_PROXY", "no_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    http = HttpSession("https://127.0.0.1:9/api/", validate_certs=False, sleep=lambda _: None)
    sent = []
    monkeypatch.setattr(http.session, "send", lambda prepared, **kwargs: sent.append(
        (kwargs["verify"], kwargs["proxies"].get("https"))) or "answer")
    assert http.request("GET", "x", idempotent=True) == "answer"
    assert sent == [(False, "http://proxy.example:3128")]


def test_the_environment_is_read_once_for_the_task_not_for_every_request(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/the-isps-ca.pem")
    http = HttpSession("https://backend.example/api/", sleep=lambda _: None)
    looked = []
    monkeypatch.setattr(requests.sessions, "get_netrc_auth", lambda *a, **k: looked.append(a))
    monkeypatch.setattr(requests.sessions, "get_environ_proxies",
                        lambda *a, **k: looked.append(a) or {})
    sent = []
    for pool in (http.session, http.write_session):
        monkeypatch.setattr(pool, "send", lambda prepared, **kwargs: sent.append(kwargs) or "answer")
    http.request("GET", "x", idempotent=True)
    http.request("POST", "x", idempotent=False)
    assert looked == []  # neither ~/.netrc nor the environment, per request
    assert [kwargs["proxies"].get("https") for kwargs in sent] == ["http://proxy.example:3128"] * 2
    assert [kwargs["verify"] for kwargs in sent] == ["/etc/the-isps-ca.pem"] * 2


def test_a_request_is_prepared_with_settings_merged_once_for_the_task(scripted, monkeypatch):
    """requests merges the session's settings (headers, cookies, proxies, CA bundle)
    into every request's; a task's never change, so they are not merged per request -
    and the request sent is the same: the call's headers over the session's, its
    query, its body."""
    server = scripted()
    http = HttpSession(server.url, timeout=5, sleep=lambda _: None)
    merged = []
    for name in ("merge_setting", "merge_cookies"):
        monkeypatch.setattr(requests.sessions, name, lambda *a, **k: merged.append(a))
    http.request("GET", "x", idempotent=True, params={"key": "k", "id": 7})
    http.request("POST", "y", idempotent=False, json={"name": "Ann"},
                 headers={"Accept": "application/json"})
    assert merged == []
    (got, query, _get_body), (posted, _post_query, body) = server.received
    assert query == {"key": "k", "id": "7"}
    assert json.loads(body) == {"name": "Ann"}
    assert (got["Accept"], posted["Accept"]) == ("*/*", "application/json")
    assert {got["User-Agent"], posted["User-Agent"]} == {"isp.provisioning-ansible"}
    assert posted["Content-Type"] == "application/json"


def test_a_header_given_as_none_removes_the_session_s_as_requests_does(scripted):
    server = scripted((200, {}, "{}"))
    http = HttpSession(server.url, timeout=5, sleep=lambda _seconds: None)
    http.request("GET", "x", idempotent=True, headers={"Accept": None, "X-Mark": "1"})
    ((sent, _query, _body),) = server.received
    assert "Accept" not in sent and sent["X-Mark"] == "1"


def test_a_session_still_keeps_cookies_and_url_credentials(scripted):
    server = scripted((200, {"Set-Cookie": "lb=node2; Path=/"}, "{}"), (200, {}, "{}"))
    url = server.url.replace("http://", "http://operator:pw@")
    http = HttpSession(url, timeout=5, sleep=lambda _: None)
    http.request("GET", "x", idempotent=True)
    http.request("GET", "x", idempotent=True)
    first, second = (headers for headers, _query, _body in server.received)
    assert "Cookie" not in first and second["Cookie"] == "lb=node2"
    assert second["Authorization"] == requests.auth._basic_auth_str("operator", "pw")


def test_a_redirect_to_another_host_takes_that_hosts_proxy(scripted, monkeypatch):
    """The backend is in NO_PROXY and reached directly; the host it redirects to is
    not, and is reached through the proxy, as requests would with trust_env."""
    proxy = scripted((200, {}, '{"through": "proxy"}'))
    backend = scripted((302, {"Location": "http://elsewhere.example/moved"}, ""))
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, proxy.url.split("/api/")[0])
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1")
    http = HttpSession(backend.url, timeout=5, sleep=lambda _: None)
    answer = http.request("GET", "x", idempotent=True)
    assert answer.json() == {"through": "proxy"}
    assert (backend.seen, proxy.seen) == ([("GET", "api/x")], [("GET", "moved")])


def test_an_answer_is_the_clients_to_read_even_an_error(scripted):
    """A 4xx/5xx is returned, not raised: only its client knows a refusal from bad credentials."""
    server = scripted((422, {}, '{"status":"Error"}'))
    assert session(server.url, []).request("POST", "x", idempotent=False).status_code == 422


@pytest.mark.parametrize("status, credentials, unusable", [
    (422, False, False), (503, False, False), (None, False, False),
    (401, False, True), (403, False, True), (200, True, True),
])
def test_a_refusal_of_the_credentials_stops_the_backend(status, credentials, unusable):
    error = refusal("said no", status, {"error": "x"}, credentials=credentials)
    assert (error.message, error.status, error.body) == ("said no", status, {"error": "x"})
    assert isinstance(error, BackendError)
    assert stops_backend(error) is unusable


def test_the_backend_stays_unusable_under_an_error_raised_while_handling_it():
    try:
        try:
            raise BackendUnavailable("cannot connect")
        except BackendError as down:
            raise BackendError(f"{down}; undoing the add failed too")
    except BackendError as wrapped:
        assert stops_backend(wrapped)
    assert not stops_backend(BackendError("said no"))
    assert not stops_backend(AnswerLost("lost"))


def test_find_json_skips_php_diagnostics_before_the_body():
    body = 'string(79) "Fatal error: snmp2_set(): No response"\n{"message":"Customer was updated."}'
    assert find_json(body) == {"message": "Customer was updated."}
    assert find_json("<html>oops</html>") is None


def test_a_retry_after_one_request_is_told_pauses_every_new_request_of_the_session(scripted):
    server = scripted((429, {"Retry-After": "5"}, ""), (200, {}, "{}"), (200, {}, "{}"))
    now = [100.0]
    sleeps = []

    def sleep(seconds):
        sleeps.append(round(seconds, 3))
        now[0] += seconds

    http = HttpSession(server.url, timeout=5, sleep=sleep, clock=lambda: now[0], concurrency=4)
    assert http.request("POST", "a", idempotent=False).status_code == 200  # 429, 5 s, again
    assert sleeps == [5.0]
    # Another thread's request, sent while the pause lasts, waits out what is left of it.
    now[0] -= 2
    assert http.request("GET", "b", idempotent=True).status_code == 200
    assert sleeps == [5.0, 2.0]


def test_the_connection_pool_holds_a_connection_per_thread_of_the_task():
    http = HttpSession("http://127.0.0.1:9/", concurrency=16)
    assert http.session.get_adapter("http://127.0.0.1:9/")._pool_maxsize == 16


def test_a_servers_connection_pool_is_looked_up_once_until_the_session_closes(scripted, monkeypatch):
    """Without a proxy, the pool of a server is the same for every request: asked of
    the pool manager once - and again once the session was closed."""
    server = scripted()
    http = HttpSession(server.url, timeout=5, sleep=lambda _: None)
    manager = http.session.get_adapter(server.url).poolmanager
    looked = []
    original = manager.connection_from_host
    monkeypatch.setattr(manager, "connection_from_host",
                        lambda *a, **k: looked.append(original(*a, **k)) or looked[-1])
    for path in ("x", "y", "z"):
        assert http.request("GET", path, idempotent=True).status_code == 200
    assert len(looked) == 1
    http.session.close()
    assert http.request("GET", "x", idempotent=True).status_code == 200
    assert len(looked) == 2 and len(server.seen) == 4


def test_a_pool_the_pool_manager_closed_is_not_used_again(scripted):
    """urllib3's pool manager may close a server's pool (urllib3 2.0 closes the
    least recently used past pool_connections servers, as a task redirected to
    many would meet): the next request to that server gets a pool again instead
    of failing on a closed one."""
    server = scripted()
    http = HttpSession(server.url, timeout=5, sleep=lambda _: None)
    assert http.request("GET", "x", idempotent=True).status_code == 200
    adapter = http.session.get_adapter(server.url)
    pool = adapter.get_connection_with_tls_context(
        requests.Request("GET", server.url).prepare(), http.session.verify)
    adapter.poolmanager.clear()  # as urllib3 2.0 evicts a pool: dropped, then closed
    pool.close()
    assert http.request("GET", "y", idempotent=True).status_code == 200
    assert len(server.seen) == 2


# --- the concurrency option: session_from_params ------------------------------------

def connection(**options):
    """The connection options of a task as AnsibleModule leaves them (nothing set)."""
    params = dict(url="http://127.0.0.1:9/", timeout=30.0, validate_certs=True, ca_path=None,
                  concurrency=None)
    params.update(options)
    return params


def test_the_backends_default_applies_when_concurrency_is_not_set():
    assert session_from_params(connection(), "s3cret", 6).concurrency == 6


def test_the_concurrency_option_wins_over_the_backends_default():
    http = session_from_params(connection(concurrency=2), "s3cret", 6)
    assert http.concurrency == 2
    http = session_from_params(connection(concurrency=12), "s3cret", 6)
    assert http.concurrency == 12
    # a connection kept alive for each of its threads
    assert http.session.get_adapter(http.base_url)._pool_maxsize == 12


@pytest.mark.parametrize("wanted", [0, -4])
def test_a_concurrency_below_one_is_refused_with_a_clear_message(wanted):
    with pytest.raises(ValidationError) as refused:
        session_from_params(connection(concurrency=wanted), "s3cret", 6)
    assert str(refused.value) == f"concurrency must be 1 or more, got {wanted}"


# Each backend's connection options, as a task gives them (the required ones).
BACKENDS = {
    "ONU": (onu, dict(username="operator", password="s3cret")),
    "CRM": (crm, dict(userid=5, api_key="s3cret")),
    "SIMPLer": (simpler, dict(api_username="api", api_password="s3cret")),
    "IPDR": (ipdr, dict(username="user", api_token="s3cret")),
    "UserSide": (userside, dict(api_key="s3cret")),
}


def task_client(backend, **options):
    """The wire client a task of this backend gets for these options."""
    client_module, required = BACKENDS[backend]
    args = dict(required, url="http://127.0.0.1:9/", **options)
    with patch_module_args(args):
        module = AnsibleModule(argument_spec=client_module.connection_spec())
    return client_module.client_from_module(module)


@pytest.fixture
def no_concurrency_in_env(monkeypatch):
    for client_module, _required in BACKENDS.values():
        monkeypatch.delenv(client_module.ENV + "CONCURRENCY", raising=False)
    return monkeypatch


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_each_backend_has_its_own_default_and_documents_it(backend, no_concurrency_in_env):
    client_module = BACKENDS[backend][0]
    assert task_client(backend).http.concurrency == client_module.CONCURRENCY
    assert client_module.CONCURRENCY >= 1
    described = " ".join(yaml.safe_load(ConnectionFragment.SHARED)["options"]
                         ["concurrency"]["description"])
    assert f"{backend} {client_module.CONCURRENCY}" in " ".join(described.split())


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_the_environment_sets_concurrency_and_the_option_wins_over_it(
        backend, no_concurrency_in_env):
    client_module = BACKENDS[backend][0]
    no_concurrency_in_env.setenv(client_module.ENV + "CONCURRENCY", "3")
    assert task_client(backend).http.concurrency == 3
    assert task_client(backend, concurrency=7).http.concurrency == 7


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_an_empty_environment_variable_is_not_set(backend, no_concurrency_in_env):
    # An AWX credential whose optional inputs are left empty still injects
    # their variables, as "": the options keep their defaults.
    client_module = BACKENDS[backend][0]
    for option in ("VALIDATE_CERTS", "CA_PATH", "TIMEOUT", "CONCURRENCY"):
        no_concurrency_in_env.setenv(client_module.ENV + option, "")
    http = task_client(backend).http
    assert (http.concurrency, http.timeout) == (client_module.CONCURRENCY, (10.0, 30.0))
    assert http.verify is True


def test_a_task_with_concurrency_0_fails_with_the_reason(capsys):
    args = dict(url="http://127.0.0.1:9/", userid=5, api_key="s3cret", uniqueid="X-1",
                name="X", concurrency=0)
    with patch_module_args(args), pytest.raises(SystemExit) as exited:
        crm_customer.main()
    out = json.loads(capsys.readouterr().out)
    assert exited.value.code == 1
    assert out["failed"] is True
    assert out["msg"] == "concurrency must be 1 or more, got 0"


# --- the url option ---------------------------------------------------------------

# Every module: its connection options (a secret long enough to mask nothing else)
# and what it needs besides them to reach the point where it connects.
MODULES = {
    "crm_customer": dict(customers=[]), "crm_customer_info": {},
    "ipdr_customer": dict(customers=[]), "ipdr_customer_info": {},
    "onu_customer": dict(customers=[]), "onu_customer_info": {}, "onu_service_info": {},
    "simpler_customer": dict(customers=[]), "simpler_customer_info": {},
    "simpler_equipment": dict(equipment=[]), "simpler_equipment_info": {},
    "userside_customer": dict(customers=[]), "userside_customer_info": dict(login="L-1"),
}


def module_main(name):
    return importlib.import_module(
        f"ansible_collections.isp.provisioning.plugins.modules.{name}").main


def module_args(name, url, **options):
    backend = {"simpler": "SIMPLer", "userside": "UserSide"}.get(name.split("_")[0])
    required = BACKENDS[backend or name.split("_")[0].upper()][1]
    return dict(required, url=url, **MODULES[name], **options)


@pytest.mark.parametrize("name, options", [(name, {}) for name in sorted(MODULES)] + [
    (name, dict(transport="soap")) for name in sorted(MODULES) if name.startswith("simpler")])
def test_a_malformed_url_fails_every_module_cleanly(name, options, capsys):
    code, out = run_module(module_main(name), module_args(name, "http://[::1/", **options),
                           capsys)
    assert code == 1
    assert out["msg"] == ("url 'http://[::1/' is not a valid URL: Failed to parse: "
                          "'[::1' is not a valid host or port")
    assert "exception" not in out


@pytest.mark.parametrize("url, reason", [
    ("ftp://crm.isp.example/", "it must start with http:// or https://"),
    ("crm.isp.example/api", "Invalid URL 'crm.isp.example/api': No scheme supplied. "
                            "Perhaps you meant https://crm.isp.example/api?"),
    ("http:///api", "Invalid URL 'http:///api': No host supplied"),
])
def test_a_url_requests_cannot_send_to_is_refused_when_the_task_starts(url, reason):
    with pytest.raises(ValidationError) as refused:
        session_from_params(connection(url=url), "s3cret", 6)
    assert str(refused.value) == f"url {url!r} is not a valid URL: {reason}"


def test_a_request_that_cannot_be_built_stops_the_backend_without_a_traceback(scripted):
    # A header is latin-1 (SIMPLer's SOAPAction holds the soap_namespace option):
    # UnicodeEncodeError, a ValueError, before anything is sent.
    server = scripted()
    with pytest.raises(BackendUnavailable) as failure:
        session(server.url, []).request("POST", "x", idempotent=False,
                                        headers={"SOAPAction": "http://h\u20ac/OperatorAPI"})
    assert failure.value.message == (
        f"POST {server.url}x: the request cannot be sent: 'latin-1' codec can't encode "
        "character '\\u20ac' in position 8: ordinal not in range(256)")
    assert server.seen == []


# --- TLS ------------------------------------------------------------------------------

def self_signed(folder, name):
    """A self-signed certificate for 127.0.0.1 and its key: (cert path, key path)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / f"{name}.pem", folder / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


@pytest.fixture
def https(tmp_path):
    """``https(backend, **config)`` -> (url, CA file, connections) of the backend's
    emulator served over TLS with a self-signed certificate; ``connections`` holds one
    entry per connection the server accepted or whose handshake failed."""
    cert, key = self_signed(tmp_path, "emulator")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    servers = []

    def serve(backend, **config):
        emulator = emulator_class(backend)(str(tmp_path / f"{backend}.sqlite"), **config)
        server = make_server("127.0.0.1", 0, emulator.app, threaded=True, ssl_context=context)
        connections, accept = [], server.get_request

        def counted():
            connections.append(1)  # before the handshake, which a refused one fails
            return accept()

        server.get_request = counted
        # Polled often, so that shutdown() does not wait out the default 0.5 s.
        threading.Thread(target=server.serve_forever, kwargs=dict(poll_interval=0.02),
                         daemon=True).start()
        servers.append((server, emulator))
        return f"https://127.0.0.1:{server.port}{emulator.base_path}", cert, connections

    yield serve
    for server, emulator in servers:
        server.shutdown()
        emulator.store.conn.close()


# One read task of each client: REST for every backend, SOAP for SIMPLer, and the
# ONU's token login before its read; the credentials are the emulators' seeds.
# The ONU emulator's tokens are good at once: as the real server's, they are not
# before 10 s, and the client would wait that out in each task that succeeds.
EMULATOR_CONFIG = {"onu": dict(nbf_delay=0)}
READS = {
    "CRM": ("crm", "crm_customer_info",
            dict(userid=5, api_key="0f9895fb407c83e5ea128082098b47681aa75d6944576423c4")),
    "IPDR": ("ipdr", "ipdr_customer_info", dict(username="user", api_token="GiXwBWWv5g2Fs6QeaTlx")),
    "ONU": ("onu", "onu_customer_info", dict(username="visitor", password="visitor123")),
    "SIMPLer REST": ("simpler", "simpler_customer_info",
                     dict(api_username="username", api_password="password", operator="operator",
                          invoicingid="TLS-1")),
    "SIMPLer SOAP": ("simpler", "simpler_customer_info",
                     dict(api_username="username", api_password="password", operator="operator",
                          invoicingid="TLS-1", transport="soap")),
    "UserSide": ("userside", "userside_customer_info",
                 dict(api_key="userside-test-key", login="TLS-1")),
}


@pytest.fixture(params=["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def ca_bundle_in_env(request, monkeypatch, tmp_path):
    """A CA bundle in the environment that does not hold the server's certificate
    (requests takes it over a session's own verify setting)."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(request.param, self_signed(tmp_path, "unrelated")[0])
    return request.param


@pytest.mark.parametrize("client", sorted(READS))
def test_validate_certs_false_and_ca_path_win_over_a_ca_bundle_in_the_environment(
        client, https, ca_bundle_in_env, capsys):
    backend, module, options = READS[client]
    url, ca, connections = https(backend, **EMULATOR_CONFIG.get(backend, {}))
    main = module_main(module)
    for tls in (dict(validate_certs=False), dict(ca_path=ca)):
        code, out = run_module(main, dict(options, url=url, **tls), capsys)
        assert (code, out.get("msg")) == (0, None), tls
    # The environment's bundle does not hold the certificate: it is really used.
    # A certificate refused is refused again: one handshake, and the task fails.
    connections.clear()
    code, out = run_module(main, dict(options, url=url), capsys)
    assert code == 1 and "certificate verify failed" in out["msg"]
    assert len(connections) == 1


class PlainTcp:
    """A server that is not TLS: counts connections; ``answer`` is what each gets
    (None: nothing, as waitress, which waits for a request's headers)."""

    def __init__(self, answer):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = "https://127.0.0.1:%d/api/" % self.listener.getsockname()[1]
        self.connections = 0
        self.answer = answer
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                connection = self.listener.accept()[0]
            except OSError:
                return
            self.connections += 1
            connection.recv(65536)
            if self.answer:
                connection.sendall(self.answer)
                connection.close()

    def close(self):
        self.listener.close()


@pytest.mark.parametrize("answer", [
    None,  # waitress: waits for the request's headers, never answers the handshake
    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
])
@pytest.mark.parametrize("method, idempotent", [("GET", True), ("POST", False)])
def test_https_to_a_plain_http_port_fails_at_once_saying_tls(answer, method, idempotent):
    server = PlainTcp(answer)
    sleeps = []
    http = HttpSession(server.url, timeout=1, sleep=sleeps.append)
    with pytest.raises(BackendUnavailable) as failure:
        http.request(method, "x", idempotent=idempotent)
    server.close()
    # one handshake: a server that does not speak TLS will not on a second try, and
    # a write whose handshake failed was never sent (no lost answer to read back)
    assert (server.connections, sleeps) == (1, [])
    assert failure.value.message.startswith(
        f"{method} {server.url}x: TLS handshake failed - is the server speaking https on this "
        "port? (check url, validate_certs and ca_path): ")
