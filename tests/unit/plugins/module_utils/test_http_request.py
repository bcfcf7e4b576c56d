"""Requests prepared from templates are the requests requests itself prepares."""

import pytest
import requests

from ansible_collections.isp.provisioning.plugins.module_utils import http_request
from ansible_collections.isp.provisioning.plugins.module_utils.http_request import Templates

SESSION_HEADERS = requests.Session().headers

URLS = [
    "http://127.0.0.1:8080/api/api.php",
    "https://billing.example/restapi/API/searchCustomer",
    "http://crm.example/api/customer/list?format=json",
    "http://crm.example/api/customer/list?",
    "http://[::1]:9000/a%7Eb/c%2fd/ü path/",
    "http://bücher.example/x",
    "HTTP://Host.Example:80/Mixed/Case",
    "http://operator:p%40ss@onu.example/api_login.php",
    "http://crm.example/api#fragment",
]
PARAMS = [
    None,
    {},
    {"key": "k3y/+&=?#", "cat": "customer", "action": "get_abon_id"},
    {"data_value": "ünïcode ~._-", "list": ["a", "b", None], "skip": None, "n": 7},
    {"percent": "100%", "escaped": "%41%7e", "bytes": b"\xff"},
    [("dup", "1"), ("dup", "2")],
    "already=encoded&x=1",
]
BODIES = [
    {},
    {"json": {"api_username": "u", "api_password": "pw", "customerid": "7"}},
    {"data": {"userid": "5", "api_key": "k", "name": "Ann & Bob"}},
    {"data": "<soap/>"},
]
# A request's own headers, which requests merges over the session's.
HEADERS = [
    None,
    {"Accept": "application/json"},
    {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '"http://h/OperatorAPI#pingAPI"'},
    {"accept": None, "X-Mark": "1"},
]


def as_requests_prepares(method, url, headers=None, params=None, cookies=None, **body):
    prepared = requests.PreparedRequest()
    headers = requests.sessions.merge_setting(
        headers, SESSION_HEADERS, dict_class=requests.structures.CaseInsensitiveDict)
    prepared.prepare(method=method, url=url, headers=headers, params=params,
                     cookies=cookies if cookies is not None else requests.cookies.RequestsCookieJar(),
                     hooks=requests.hooks.default_hooks(), **body)
    return prepared


def sent(prepared):
    """All of a prepared request that goes on the wire or into a redirect."""
    return (prepared.method, prepared.url, list(prepared.headers.items()), prepared.body,
            prepared.hooks, type(prepared._cookies))


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("params", PARAMS)
@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("headers", HEADERS)
def test_a_request_is_what_requests_prepares(url, params, body, headers):
    templates = Templates(SESSION_HEADERS)
    expected = as_requests_prepares("POST", url, headers, params, **body)
    for _twice in range(2):  # from a new template, then from the one kept
        prepared = templates.prepared("POST", url, headers, params=params,
                                      cookies=requests.cookies.RequestsCookieJar(),
                                      hooks=requests.hooks.default_hooks(), **body)
        assert sent(prepared) == sent(expected)


def test_the_cookie_jar_gives_its_header_to_the_servers_it_holds_cookies_of():
    jar = requests.cookies.RequestsCookieJar()
    jar.set("lb", "node2", domain="crm.example", path="/api")
    templates = Templates(SESSION_HEADERS)
    for url in ("http://crm.example/api/customer/list", "http://crm.example/other",
                "http://billing.example/api/x"):
        prepared = templates.prepared("GET", url, cookies=jar)
        assert sent(prepared) == sent(as_requests_prepares("GET", url, cookies=jar))
        assert prepared._cookies is jar  # a redirect's request takes the session's cookies
    assert "Cookie" in templates.prepared("GET", "http://crm.example/api/x", cookies=jar).headers


def test_a_url_and_its_headers_are_prepared_once(monkeypatch):
    """What depends on the URL and the headers only is not worked out again per request."""
    templates = Templates(SESSION_HEADERS)
    parsed = []
    original = requests.PreparedRequest.prepare_url
    monkeypatch.setattr(requests.PreparedRequest, "prepare_url",
                        lambda self, *args: parsed.append(args) or original(self, *args))
    for number in range(5):
        prepared = templates.prepared("GET", URLS[0], params={"id": number},
                                      cookies=requests.cookies.RequestsCookieJar())
        assert prepared.url == f"{URLS[0]}?id={number}"
    assert len(parsed) == 1


def test_a_header_the_session_changes_after_a_request_is_sent_changed():
    """A client may set a session header after requests were prepared (zeep sets its
    User-Agent on the session it is given): the next request carries the new one."""
    session_headers = requests.structures.CaseInsensitiveDict(SESSION_HEADERS)
    templates = Templates(session_headers)
    assert templates.prepared("GET", URLS[0]).headers["User-Agent"] == SESSION_HEADERS["User-Agent"]
    session_headers["User-Agent"] = "Zeep/4.3.3 (www.python-zeep.org)"
    assert templates.prepared("GET", URLS[0]).headers["User-Agent"] == "Zeep/4.3.3 (www.python-zeep.org)"


def test_past_the_cap_requests_prepares_each_request_itself(monkeypatch):
    monkeypatch.setattr(http_request, "MAX_TEMPLATES", 2)
    templates = Templates(SESSION_HEADERS)
    urls = [f"http://onu.example/onu/{number}" for number in range(4)]
    for url in urls:
        prepared = templates.prepared("GET", url, params={"a": "b c"})
        assert prepared.url == url + "?a=b+c"
    assert len(templates._by_request) == 2


def test_a_header_requests_refuses_is_refused_as_requests_refuses_it():
    headers = {"X-Bad": "line\nbreak"}
    with pytest.raises(requests.exceptions.InvalidHeader):
        Templates(SESSION_HEADERS).prepared("GET", URLS[0], headers)
    with pytest.raises(requests.exceptions.InvalidHeader):
        Templates(SESSION_HEADERS).prepared("GET", URLS[0], {"X-List": ["not", "text"]})
