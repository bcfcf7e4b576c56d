"""Requests sent straight through urllib3's pool get what requests' own send gets,
in fewer writes, against a real server (http.server, in a thread)."""

import http.client
import http.server
import threading

import pytest
import requests

from ansible_collections.isp.provisioning.plugins.module_utils import http_direct
from ansible_collections.isp.provisioning.plugins.module_utils.http_session import HttpSession

# path -> (status, headers, body) the server answers
ANSWERS = {
    "/json": (200, {"Content-Type": "application/json"}, "{\"name\": \"Zoë\"}".encode()),
    "/latin": (200, {"Content-Type": "text/plain; charset=latin-1"}, "café".encode("latin-1")),
    "/untyped": (200, {}, b"OK: 12"),
    "/refused": (422, {"Content-Type": "application/json"}, b'{"error": "no"}'),
    "/moved": (302, {"Location": "/json"}, b""),
    "/cookie": (200, {"Set-Cookie": "lb=node2; Path=/"}, b"{}"),
}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.server.seen.append((self.command, self.path, self.rfile.read(length),
                                 self.headers.get("Cookie")))
        status, headers, body = ANSWERS[self.path.split("?")[0]]
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = answer

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    served = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served.seen = []
    threading.Thread(target=served.serve_forever, daemon=True).start()
    served.url = "http://127.0.0.1:%s/" % served.server_address[1]
    yield served
    served.shutdown()


def answered(response):
    return (response.status_code, response.content, response.text, response.encoding,
            response.headers.get("content-type"), response.url, response.reason,
            [(past.status_code, past.url) for past in response.history])


@pytest.mark.parametrize("path", ["json", "latin", "untyped", "refused", "moved"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_answer_reads_as_the_answer_requests_sends_for(server, path, method):
    http = HttpSession(server.url, timeout=5, sleep=lambda _: None)
    direct = http.request(method, path, idempotent=method == "GET", json={"id": 1})
    assert isinstance(direct, http_direct.DirectResponse) or direct.history
    assert answered(direct) == answered(requests.request(method, server.url + path,
                                                         json={"id": 1}, timeout=5))


def test_a_redirect_not_followed_is_returned_with_the_request_it_leads_to(server):
    http = HttpSession(server.url, timeout=5, sleep=lambda _: None)
    answer = http.request("POST", "moved", idempotent=False, allow_redirects=False)
    assert answer.status_code == 302 and answer.next.url == server.url + "json"


def test_a_cookie_the_server_sets_is_on_the_answer_and_sent_back(server):
    http = HttpSession(server.url, timeout=5, sleep=lambda _: None)
    answer = http.request("GET", "cookie", idempotent=True)
    assert answer.cookies.get("lb") == "node2"
    http.request("GET", "json", idempotent=True)
    assert server.seen[-1][3] == "lb=node2"


@pytest.mark.parametrize("body", [{"json": {"name": "Ann"}}, {"data": {"name": "Ann"}},
                                  {"data": "<soap/>"}])
def test_a_request_goes_to_the_socket_in_one_write(server, monkeypatch, body):
    """urllib3 writes the headers, then the body: two system calls, two segments
    the server wakes for. Sent whole, the request is one."""
    writes = []
    original = http.client.HTTPConnection.send
    monkeypatch.setattr(http.client.HTTPConnection, "send",
                        lambda self, data: writes.append(data) or original(self, data))
    session = HttpSession(server.url, timeout=5, sleep=lambda _: None)
    assert session.request("POST", "json", idempotent=False, **body).status_code == 200
    assert len(writes) == 1 and writes[0].startswith(b"POST /json HTTP/1.1\r\n")
    assert writes[0].endswith(b"\r\n\r\n" + server.seen[-1][2])
    writes.clear()
    session.request("GET", "json", idempotent=True)  # no body: the headers alone
    assert len(writes) == 1 and writes[0].endswith(b"\r\n\r\n")


@pytest.mark.parametrize("url", [
    "http://h:1/api/x?key=k&cat=customer", "http://h:1/", "http://h:1", "http://h:1?x=1",
    "https://h/a//b?c=%2F", "http://h/api#frag", "http://[::1]:9/a/b",
])
def test_the_path_sent_is_requests_path_url(url):
    prepared = requests.Request("GET", url).prepare()
    assert http_direct.path_of(prepared) == prepared.path_url


@pytest.mark.parametrize("environment", [
    {"NO_PROXY": "backends.example"},  # NO_PROXY alone: proxies, but none for this server
    {"HTTPS_PROXY": "http://proxy.example:3128"},  # a proxy for https:// URLs only
])
def test_a_server_no_proxy_applies_to_is_reached_directly(server, monkeypatch, environment):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        for spelled in (name, name.lower()):
            monkeypatch.delenv(spelled, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    http = HttpSession(server.url, timeout=5, sleep=lambda _: None)
    assert http.session.proxies  # the environment gave some
    answer = http.request("GET", "json", idempotent=True)
    assert isinstance(answer, http_direct.DirectResponse)
    assert answer.json() == {"name": "Zoë"}


def test_an_answer_tells_its_time_and_adapter_as_requests_does(server):
    http = HttpSession(server.url, timeout=5, sleep=lambda _: None)
    answer = http.request("GET", "json", idempotent=True)
    assert isinstance(answer, http_direct.DirectResponse)
    assert answer.elapsed.total_seconds() > 0
    assert answer.connection is http.session.get_adapter(server.url)


class BrokenChunks(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.write(b"2\r\n{}\r\nzz\r\n")  # a chunk length that is no number
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *args):
        pass


def test_a_broken_chunk_is_told_as_requests_tells_it():
    served = http.server.ThreadingHTTPServer(("127.0.0.1", 0), BrokenChunks)
    threading.Thread(target=served.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%s/" % served.server_address[1]
    try:
        with pytest.raises(requests.exceptions.ChunkedEncodingError) as theirs:
            requests.get(url + "x", timeout=5)
        session = HttpSession(url, timeout=5, sleep=lambda _: None).session
        with pytest.raises(requests.exceptions.ChunkedEncodingError) as ours:
            session.request("GET", url + "x", timeout=5)
        assert str(ours.value) == str(theirs.value)
        assert "zz" in str(ours.value)
    finally:
        served.shutdown()
