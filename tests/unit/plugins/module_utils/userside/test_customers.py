"""The UserSide client and customer adapter against the emulator, in all its modes."""

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    AnswerLost,
    BackendError,
)
from ansible_collections.isp.provisioning.plugins.module_utils.http_session import HttpSession
from ansible_collections.isp.provisioning.plugins.module_utils.reconcile import (
    Reconciler,
    ReconcileFailed,
)
from ansible_collections.isp.provisioning.plugins.module_utils.secrets import Redactor
from ansible_collections.isp.provisioning.plugins.module_utils.userside.client import (
    UsersideClient,
    api_base,
    id_list,
)
from ansible_collections.isp.provisioning.plugins.module_utils.userside.customers import (
    UsersideCustomers,
)
from tests.emulators.server import start
from tests.emulators.userside import UsersideEmulator

KEY = "userside-test-key"
FULL = dict(
    login="ada", name="Ada Lovelace", agreement_number="D-7", agreement_date="05.03.2024",
    account_number="ACC-9", mobile_phone="+100", home_phone="200", email="Ada@Example.net",
    house_id=5, apartment="12", entrance=2, floor=0, comment="hi", group_id=2, manager_id=7,
    is_corporate=True, is_potential=False, billing_id=3, billing_uid="B-77", status="paused",
    tariff=3, marks=[2, 1], services=[2],
    ip_mac=[{"ip": "10.0.0.2", "mac": "AA-BB-CC-00-11-22"}, {"ip": "10.0.0.1", "mac": None}],
)


@pytest.fixture
def serve(tmp_path):
    running = []

    def build(**config):
        server = start(UsersideEmulator(str(tmp_path / ("u%d.sqlite" % len(running))), **config))
        running.append(server)
        return server

    yield build
    for server in running:
        server.stop()


@pytest.fixture
def server(serve):
    return serve()


def client_for(server, key=KEY):
    http = HttpSession(server.url, timeout=5, retries=1, backoff=0, redactor=Redactor(key))
    return UsersideClient(http, key)


def backend_for(server, identity="login"):
    return UsersideCustomers.with_identity(identity)(client_for(server))


def converge(server, *records, **kwargs):
    engine = Reconciler(backend_for(server, kwargs.pop("identity", "login")), **kwargs)
    return engine.apply(engine.plan([("present", dict(r)) for r in records]))


def writes(server):
    return server.emulator.counters.snapshot()["writes"]


@pytest.mark.parametrize("config", [{}, {"lowercase_envelope": True}, {"pre_3_21": True}],
                         ids=["upper-case", "lower-case", "pre-3.21"])
def test_a_customer_with_every_option_set_converges_and_a_second_run_writes_nothing(
        serve, config):
    server = serve(**config)
    created = converge(server, FULL)
    assert created["created"] == 1
    record = created["results"][0]["customer"]
    assert record["email"] == "ada@example.net" and record["agreement_date"] == "2024-03-05"
    server.emulator.counters.reset()
    again = converge(server, FULL)
    assert again["changed"] is False and again["unchanged"] == 1
    assert writes(server) == {}


def test_an_update_sends_only_the_actions_of_what_differs(server):
    converge(server, FULL)
    server.emulator.counters.reset()
    changed = dict(FULL, marks=[1, 3], status="active", ip_mac=[{"ip": "10.0.0.1"}])
    result = converge(server, changed)
    assert set(result["results"][0]["changes"]) == {"marks", "status", "ip_mac"}
    assert writes(server) == {"customer.mark_add": 1, "customer.mark_delete": 1,
                              "customer.state_change": 1, "customer.ip_delete": 1}
    assert result["results"][0]["customer"]["marks"] == ["1", "3"]


@pytest.mark.parametrize("broken, fault", [
    ({"tariff": 99}, None),
    ({}, {"fail_percent": 100, "fail_status": 503, "only": "customer.mark_add"}),
], ids=["unknown tariff", "mark_add fails"])
def test_a_failure_in_the_middle_of_a_create_leaves_no_customer_behind(server, broken, fault):
    if fault:
        server.emulator.faults.update(fault)
    with pytest.raises(ReconcileFailed) as failed:
        converge(server, dict(FULL, login="half", **broken))
    assert "was deleted again" in failed.value.message
    assert writes(server)["customer.add"] == 1 and writes(server)["customer.delete"] == 1
    assert client_for(server).abon_ids("login", "half") == []
    assert client_for(server).customer_ids({"name": "Ada Lovelace"}) == []


def test_a_lost_add_answer_is_read_back_and_not_sent_again(server):
    server.emulator.faults.update({"drop_writes": 1, "only": "customer.add"})
    result = converge(server, FULL)
    assert result["created"] == 1
    assert writes(server)["customer.add"] == 1
    assert client_for(server).customer_ids({"name": "Ada Lovelace"}) == [4]


def test_a_lost_answer_in_the_middle_of_an_update_is_read_back(server):
    converge(server, FULL)
    server.emulator.faults.update({"drop_writes": 1, "only": "customer.edit"})
    result = converge(server, dict(FULL, comment="new", tariff=1))
    assert result["updated"] == 1
    assert writes(server)["customer.edit"] == 2  # the create's, then the lost one only
    assert result["results"][0]["customer"]["tariff"] == "1"


def test_create_needs_a_name_and_a_known_group_before_any_write(server):
    with pytest.raises(ReconcileFailed) as failed:
        converge(server, {"login": "x", "name": "X"}, {"login": "y", "name": "Y", "group_id": 99})
    assert "group_id 99 is not a customer group" in failed.value.message
    with pytest.raises(ReconcileFailed) as failed:
        converge(server, {"login": "x", "name": "X"}, {"login": "y", "comment": "no name"})
    assert "'y': name is required to create it" in failed.value.message
    assert writes(server) == {}


def test_another_identity_finds_the_customer_by_its_agreement_number(server):
    result = converge(server, {"agreement_number": "A-1", "comment": "found"},
                      identity="agreement_number")
    assert result["updated"] == 1 and result["results"][0]["customer"]["login"] == "seed-alice"


def test_purge_scope_needs_a_condition_userside_can_search_by(server):
    backend = backend_for(server)
    with pytest.raises(BackendError, match="purge_scope must name"):
        backend.in_scope({"group_id": 1})
    assert sorted(backend.in_scope({"house_id": 10, "group_id": 1})) == ["seed-alice"]
    assert sorted(backend.in_scope({"marks": 3})) == ["seed-carol"]


def test_purge_deletes_only_undeclared_customers_in_scope(server):
    converge(server, dict(FULL, marks=[1]), {"login": "bea", "name": "Bea", "marks": [1]})
    engine = Reconciler(backend_for(server))
    result = engine.apply(engine.plan([("present", {"login": "ada"})],
                                      purge_scope={"marks": 1}, purge_limit=5))
    assert result["deleted"] == 1 and result["results"][1]["login"] == "bea"
    assert client_for(server).abon_ids("login", "seed-alice") == [1]


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

    class Echo(object):
        status_code = 502
        text = "<h1>Bad gateway</h1> GET /api.php?key=%s&cat=customer" % secret

    class Http(object):
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
    class Answer(object):
        def __init__(self, status, text):
            self.status_code, self.text = status, text

    class Http(object):
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


def read(server, customer_id):
    return client_for(server).get_data(customer_id)


def test_a_lost_add_never_adopts_a_customer_that_was_there_before(server):
    pre = client_for(server).add({"fio": "Ada Lovelace"})  # same name, no login
    before = read(server, pre)
    server.emulator.faults.update({"drop_writes": 1, "only": "customer.add"})
    engine = Reconciler(backend_for(server))
    plan = engine.plan([("present", dict(FULL, login="half", tariff=99))])
    with pytest.raises(ReconcileFailed) as failed:
        engine.apply(plan)
    assert "was deleted again" in failed.value.message
    assert read(server, pre) == before
    assert client_for(server).customer_ids({"name": "Ada Lovelace"}) == [pre]


def test_an_add_lost_before_it_happened_is_sent_again_and_not_taken_for_an_older_one(server):
    pre = client_for(server).add({"fio": "Ada Lovelace"})
    before = read(server, pre)
    backend = backend_for(server)
    real_add, calls = backend.client.add, []

    def lost_once(params):
        calls.append(params)
        if len(calls) == 1:
            raise AnswerLost("the answer was lost")
        return real_add(params)

    backend.client.add = lost_once
    engine = Reconciler(backend)
    result = engine.apply(engine.plan([("present", dict(FULL))]))
    assert result["created"] == 1 and len(calls) == 2
    assert read(server, pre) == before
    assert len(client_for(server).customer_ids({"name": "Ada Lovelace"})) == 2


def lose_adds(backend, send, timed_out=False):
    """The client's add loses every answer; ``send``: whether the add still happens."""
    real_add, calls = backend.client.add, []

    def lost(params):
        calls.append(params)
        if send:
            real_add(params)
        raise AnswerLost("the answer was lost", timed_out=timed_out)

    backend.client.add = lost
    return calls


def test_an_add_lost_twice_never_reaches_the_engine_which_would_add_once_more(server):
    backend = backend_for(server)
    calls = lose_adds(backend, send=False)
    engine = Reconciler(backend)
    with pytest.raises(ReconcileFailed) as failed:
        engine.apply(engine.plan([("present", dict(FULL))]))
    assert len(calls) == 2
    assert "lost twice" in failed.value.message and "'Ada Lovelace'" in failed.value.message


def test_an_add_whose_second_answer_is_lost_finds_the_customer_it_made(server):
    backend = backend_for(server)
    real_add, calls = backend.client.add, []

    def second_lost(params):
        calls.append(params)
        if len(calls) == 1:
            raise AnswerLost("the answer was lost")
        real_add(params)
        raise AnswerLost("the answer was lost")

    backend.client.add = second_lost
    engine = Reconciler(backend)
    result = engine.apply(engine.plan([("present", dict(FULL))]))
    assert result["created"] == 1 and len(calls) == 2
    assert client_for(server).abon_ids("login", "ada") == [4]


@pytest.mark.parametrize("send", [False, True], ids=["not visible", "visible"])
def test_a_timed_out_add_is_never_sent_again(server, send):
    backend = backend_for(server)
    calls = lose_adds(backend, send=send, timed_out=True)
    engine = Reconciler(backend)
    plan = engine.plan([("present", dict(FULL))])
    if send:
        assert engine.apply(plan)["created"] == 1
    else:
        with pytest.raises(ReconcileFailed, match="not sent again"):
            engine.apply(plan)
    assert len(calls) == 1


def test_purge_by_email_keeps_a_customer_declared_in_another_case(server):
    converge(server, {"email": "Mixed@Example.NET", "name": "Mix", "marks": [1]},
             identity="email")
    engine = Reconciler(backend_for(server, "email"))
    result = engine.apply(engine.plan([("present", {"email": "Mixed@Example.NET"})],
                                      purge_scope={"marks": 1}, purge_limit=5))
    assert result["deleted"] == 0 and result["unchanged"] == 1
    assert client_for(server).abon_ids("mail", "mixed@example.net") == [4]


@pytest.mark.parametrize("status, timed_out", [(502, False), (504, True), (503, False)])
def test_a_write_answered_by_a_proxy_page_is_a_lost_answer(status, timed_out):
    class Page(object):
        status_code = status
        text = "<h1>Gateway</h1>"

    class Http(object):
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
    real = client.http.session.request

    def spy(method, url, **kwargs):
        sent.append((method, kwargs.get("allow_redirects", True)))
        return real(method, url, **kwargs)

    client.http.session.request = spy
    client.edit(1, {"comment": "x"})
    assert sent == [("POST", False)]


def add_extra(server, customer, agreement=None, email=None):
    with server.emulator.store.transaction() as db:
        if agreement:
            db.execute("INSERT INTO customer_agreements VALUES (?, ?, NULL)", (customer, agreement))
        if email:
            db.execute("INSERT INTO customer_emails VALUES (?, ?)", (customer, email))


@pytest.mark.parametrize("identity, key", [("agreement_number", "A-1b"),
                                           ("email", "Second@Example.net")])
def test_a_customer_is_found_by_any_of_its_agreements_and_emails(server, identity, key):
    client_for(server).edit(1, {"email": "main@example.net"})
    add_extra(server, 1, agreement="A-1b", email="second@example.net")
    result = converge(server, {identity: key, "comment": "found"}, identity=identity)
    assert result["updated"] == 1 and result["created"] == 0
    assert result["results"][0]["customer"]["login"] == "seed-alice"
    server.emulator.counters.reset()
    assert converge(server, {identity: key, "comment": "found"},
                    identity=identity)["unchanged"] == 1
    assert writes(server) == {}
    engine = Reconciler(backend_for(server, identity))
    purged = engine.apply(engine.plan([("present", {identity: key})],
                                      purge_scope={"house_id": 10, "group_id": 1}))
    assert purged["deleted"] == 0


def test_a_failed_create_sends_delete_again_when_its_answer_was_lost_before_it_happened(server):
    backend = backend_for(server)
    real_delete, calls = backend.client.delete, []

    def lost_once(customer_id):
        calls.append(customer_id)
        if len(calls) == 1:
            raise AnswerLost("the answer was lost")
        return real_delete(customer_id)

    backend.client.delete = lost_once
    engine = Reconciler(backend)
    with pytest.raises(ReconcileFailed) as failed:
        engine.apply(engine.plan([("present", dict(FULL, tariff=99))]))
    assert "was deleted again" in failed.value.message and len(calls) == 2
    assert client_for(server).customer_ids({"name": "Ada Lovelace"}) == []


def test_apartment_entrance_and_floor_need_a_house_before_any_write(server):
    with pytest.raises(ReconcileFailed) as failed:
        converge(server, {"login": "x", "name": "X", "apartment": "3", "floor": 2})
    assert "apartment, floor need house_id" in failed.value.message
    assert writes(server) == {}
    # a customer who has a house already may be given an apartment alone
    assert converge(server, {"login": "seed-alice", "apartment": "7"})["updated"] == 1
    with pytest.raises(ReconcileFailed, match="entrance need house_id"):
        converge(server, {"login": "seed-alice", "house_id": 0, "entrance": 2})
