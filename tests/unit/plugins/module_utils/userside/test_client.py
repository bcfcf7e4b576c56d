"""The UserSide client against the emulator and against pages a proxy may answer."""

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    AnswerLost,
    BackendError,
)
from ansible_collections.isp.provisioning.plugins.module_utils.http_session import HttpSession
from ansible_collections.isp.provisioning.plugins.module_utils.secrets import Redactor
from ansible_collections.isp.provisioning.plugins.module_utils.userside.client import (
    UsersideClient,
    api_base,
    id_list,
)

KEY = "userside-test-key"


def client_for(server, key=KEY):
    http = HttpSession(server.url, timeout=5, retries=1, backoff=0, redactor=Redactor(key))
    return UsersideClient(http, key)


def test_the_api_key_never_appears_in_an_error(server):
    secret = "s3cret-key-value"
    with pytest.raises(BackendError) as refused:
        client_for(server, key=secret).get_data(1)
    assert refused.value.status == 403 and "Access denied" in refused.value.message
    server.stop()
    with pytest.raises(BackendError) as unreachable:
        client_for(server, key=secret).get_data(1)
    assert secret not in unreachable.value.message
    assert "api.php" in unreachable.value.message or "connect" in unreachable.value.message


def test_an_error_page_that_echoes_the_url_is_masked():
    secret = "s3cret-key-value"

    class Echo:
        status_code = 502
        text = "<h1>Bad gateway</h1> GET /api.php?key=%s&cat=customer" % secret

    class Http:
        redact = Redactor(secret)
        excerpt = HttpSession.excerpt

        def request(self, *args, **kwargs):
            return Echo()

    with pytest.raises(BackendError) as failed:
        UsersideClient(Http(), secret).get_data(1)
    assert secret not in failed.value.message and "key=********" in failed.value.message


def test_ids_are_read_from_every_shape_userside_answers():
    assert id_list(5) == [5] and id_list("5") == [5]
    assert id_list([3, "4"]) == [3, 4] and id_list("3,4") == [3, 4]
    assert id_list(0) == [] and id_list("") == [] and id_list(None) == []


def test_the_url_may_name_the_folder_or_api_php():
    assert api_base("https://erp.example.net/") == "https://erp.example.net/"
    assert api_base("https://erp.example.net/us/api.php") == "https://erp.example.net/us/"


def test_a_not_found_envelope_is_no_match_but_a_bare_404_is_an_error():
    class Answer:
        def __init__(self, status, text):
            self.status_code, self.text = status, text

    class Http:
        redact = Redactor()
        excerpt = HttpSession.excerpt

        def __init__(self, answer):
            self.answer = answer

        def request(self, *args, **kwargs):
            return self.answer

    envelope = Answer(404, '{"result": "ERROR", "error": "Customer not found"}')
    assert UsersideClient(Http(envelope), KEY).abon_ids("login", "x") == []
    with pytest.raises(BackendError, match="HTTP 404"):
        UsersideClient(Http(Answer(404, "<h1>Not Found</h1>")), KEY).abon_ids("login", "x")


@pytest.mark.parametrize("status, timed_out", [(502, False), (504, True), (503, False)])
def test_a_write_answered_by_a_proxy_page_is_a_lost_answer(status, timed_out):
    class Page:
        status_code = status
        text = "<h1>Gateway</h1>"

    class Http:
        redact = Redactor()
        excerpt = HttpSession.excerpt

        def request(self, *args, **kwargs):
            return Page()

    with pytest.raises(AnswerLost) as lost:
        UsersideClient(Http(), KEY).edit(1, {"comment": "x"})
    assert lost.value.timed_out is timed_out and "HTTP %d" % status in str(lost.value)
    with pytest.raises(BackendError):
        UsersideClient(Http(), KEY).get_data(1)


def test_a_write_is_never_redirected(server):
    sent = []
    client = client_for(server)
    real = client.http.write_session.request  # writes have a pool of their own

    def spy(method, url, **kwargs):
        sent.append((method, kwargs.get("allow_redirects", True)))
        return real(method, url, **kwargs)

    client.http.write_session.request = spy
    client.edit(1, {"comment": "x"})
    assert sent == [("POST", False)]
