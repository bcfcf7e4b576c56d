"""The UserSide customer adapter: its read and write shapes, and against the emulator in
all its modes."""

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils import values
from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    AnswerLost,
    BackendError,
    BackendUnavailable,
)
from ansible_collections.isp.provisioning.plugins.module_utils.http_session import HttpSession
from ansible_collections.isp.provisioning.plugins.module_utils.reconcile import (
    Reconciler,
    ReconcileFailed,
)
from ansible_collections.isp.provisioning.plugins.module_utils.secrets import Redactor
from ansible_collections.isp.provisioning.plugins.module_utils.userside import shape
from ansible_collections.isp.provisioning.plugins.module_utils.userside.client import (
    UsersideClient,
)
from ansible_collections.isp.provisioning.plugins.module_utils.userside.customers import (
    UsersideCustomers,
)
from tests.emulators.userside import UsersideEmulator
from tests.unit.probes import control, in_flight

KEY = "userside-test-key"
FULL = dict(
    login="ada", name="Ada Lovelace", agreement_number="D-7", agreement_date="05.03.2024",
    account_number="ACC-9", mobile_phone="+100", home_phone="200", email="Ada@Example.net",
    house_id=5, apartment="12", entrance=2, floor=0, comment="hi", group_id=2, manager_id=7,
    is_corporate=True, is_potential=False, billing_id=3, billing_uid="B-77", status="paused",
    tariff=3, marks=[2, 1], services=[2],
    ip_mac=[{"ip": "10.0.0.2", "mac": "AA-BB-CC-00-11-22"}, {"ip": "10.0.0.1", "mac": None}],
)


def client_for(server, key=KEY):
    http = HttpSession(server.url, timeout=5, retries=1, backoff=0, redactor=Redactor(key))
    return UsersideClient(http, key)


def backend_for(server, identity="login"):
    return UsersideCustomers.for_task({"identity": identity})(client_for(server))


def converge(server, *records, **kwargs):
    engine = Reconciler(backend_for(server, kwargs.pop("identity", "login")), **kwargs)
    return engine.apply(engine.plan([("present", dict(r)) for r in records]))


def writes(server):
    return server.emulator.counters.snapshot()["writes"]


READ = {
    "id": 4, "login": "ada", "full_name": "Ada Lovelace ", "flag_corporate": 1,
    "is_potential": "0", "balance": 12.5, "state_id": 1, "account_number": "",
    "comment": "", "billing_id": 3, "manager_id": 0,
    "phone": [{"number": "+100", "flag_main": 1}, {"number": "200", "flag_main": 0}],
    "email": [{"address": "Ada@Example.net", "flag_main": 1}],
    "agreement": [{"number": "D-7", "date": "05.03.2024"}],
    "address": [{"type": "connect", "house_id": 5, "apartment": {"number": "12"},
                 "entrance": 2, "floor": 0}],
    "group": {"2": {"id": 2, "name": "Business"}},
    "mark": {"3": {"id": 3}, "1": {"id": 1}},
    "tariff": {"current": {"3": {"id": 3, "name": "Business 1G"}}, "new": {}},
    "ip_mac": {"9": {"ip": 167772162, "mac": "aa:bb:cc:00:11:22"},
               "8": {"ip": 167772161, "mac": ""}},
    "service": {"2": {"id": 2, "price": None}},
}


def test_the_read_shape_becomes_the_module_record():
    record = UsersideCustomers().from_wire(READ)
    assert record["name"] == "Ada Lovelace"
    assert (record["mobile_phone"], record["home_phone"]) == ("+100", "200")
    assert record["email"] == "ada@example.net"
    assert (record["agreement_number"], record["agreement_date"]) == ("D-7", "2024-03-05")
    assert (record["house_id"], record["apartment"], record["entrance"], record["floor"]) == (
        "5", "12", "2", None)
    assert record["group_id"] == "2" and record["marks"] == ["1", "3"]
    assert record["tariff"] == "3" and record["services"] == ["2"]
    assert record["status"] == "paused"
    assert record["is_corporate"] is True and record["is_potential"] is False
    assert record["account_number"] is None and record["comment"] is None
    assert record["manager_id"] is None and record["billing_id"] == "3"
    assert record["ip_mac"] == [{"ip": "10.0.0.1", "mac": None},
                                {"ip": "10.0.0.2", "mac": "aa:bb:cc:00:11:22"}]


def test_the_options_a_user_writes_compare_equal_to_that_read_shape():
    record = UsersideCustomers().from_wire(READ)
    written = {
        "name": "Ada Lovelace", "mobile_phone": "+100", "email": "ADA@example.net",
        "agreement_date": "2024-03-05", "house_id": 5, "entrance": 2, "floor": 0,
        "group_id": 2, "marks": [3, 1, 3], "tariff": 3, "services": [2],
        "is_corporate": True, "status": "paused", "comment": "",
        "ip_mac": [{"ip": "10.0.0.2", "mac": "AA-BB-CC-00-11-22"}, {"ip": "10.0.0.1"}],
    }
    compare = {
        "name": values.text, "mobile_phone": values.text, "email": values.casefold_text,
        "agreement_date": shape.date, "house_id": values.ident, "entrance": values.ident,
        "floor": values.ident, "group_id": values.ident, "marks": values.id_set,
        "tariff": values.ident, "services": values.id_set, "is_corporate": values.flag,
        "status": values.text, "comment": values.text, "ip_mac": shape.bindings,
    }
    for name, value in written.items():
        assert compare[name](value) == compare[name](record[name]), name


def test_lower_case_keys_lists_instead_of_maps_and_strings_instead_of_numbers():
    record = UsersideCustomers().from_wire({
        "ID": "5", "Full_Name": "X", "mark": [1, "2"], "group": [{"id": "4"}],
        "tariff": {"current": 7}, "ip_mac": [{"ip": "10.0.0.3", "mac": "001122334455"}],
        "phone": [{"number": "1"}, {"number": "2"}], "email": ["x@y.z"],
        "agreement": [{"number": "N", "date": "00.00.0000"}], "state_id": "2",
    })
    assert record["id"] == "5" and record["name"] == "X"
    assert record["marks"] == ["1", "2"] and record["group_id"] == "4"
    assert record["tariff"] == "7" and record["status"] == "active"
    assert record["ip_mac"] == [{"ip": "10.0.0.3", "mac": "00:11:22:33:44:55"}]
    assert (record["mobile_phone"], record["home_phone"]) == ("1", "2")
    assert record["email"] == "x@y.z" and record["agreement_date"] is None


def test_edit_parameters_use_the_write_names():
    assert UsersideCustomers().to_wire({"name": "A", "mobile_phone": "", "home_phone": None,
                                        "is_corporate": False, "apartment": "3",
                                        "marks": [1]}) == {
        "name": "A", "phone0": "", "phone1": "", "flag_corporate": 0, "apartment_number": "3"}


@pytest.mark.parametrize("config", [{}, {"lowercase_envelope": True}, {"pre_3_21": True}],
                         ids=["upper-case", "lower-case", "pre-3.21"])
def test_a_customer_with_every_option_set_converges_and_a_second_run_writes_nothing(
        serve, config):
    server = serve(UsersideEmulator, **config)
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


def test_a_step_of_a_create_userside_refuses_leaves_no_customer_behind(server):
    with pytest.raises(ReconcileFailed) as failed:
        converge(server, dict(FULL, login="half", tariff=99))
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


@pytest.mark.parametrize("identity, first, second", [
    ("login", "IT-Case", "it-case"), ("agreement_number", "D-Case", "d-case"),
    ("account_number", "ACC-Case", "acc-CASE")])
def test_keys_that_differ_only_in_case_are_one_customer_declared_twice(
        server, identity, first, second):
    # UserSide (MySQL) finds a customer by these keys ignoring case: the two
    # records would both update, or both create, one customer.
    with pytest.raises(ReconcileFailed) as failed:
        converge(server, {identity: first, "name": "One"}, {identity: second, "name": "Two"},
                 identity=identity)
    assert "declared more than once" in failed.value.message
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


def add_extra(server, customer, agreement=None, email=None):
    with server.emulator.store.transaction() as db:
        if agreement:
            db.execute("INSERT INTO customer_agreements VALUES (?, ?, NULL)", (customer, agreement))
        if email:
            db.execute("INSERT INTO customer_emails VALUES (?, ?)", (customer, email))


@pytest.mark.parametrize("identity, key", [("agreement_number", "A-1b"),
                                           ("agreement_number", "a-1B"),  # found ignoring case
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


# --- what the field declarations give ------------------------------------------------
def test_the_identity_option_offers_every_natural_key_and_requires_the_one_chosen():
    assert UsersideCustomers.task_options == {"identity": {
        "type": "str", "choices": ["account_number", "agreement_number", "email", "login"],
        "default": "login"}}
    assert UsersideCustomers.spec.identities == (
        "login", "agreement_number", "account_number", "email")
    assert ("identity", "email", ("email", "customers", "customers_json"), True) in (
        UsersideCustomers.task_rules["required_if"])
    assert UsersideCustomers.for_task({"identity": "login"}) is UsersideCustomers
    by_email = UsersideCustomers.for_task({"identity": "email"})
    assert issubclass(by_email, UsersideCustomers) and by_email.spec.identity == "email"
    assert by_email.spec.record_argument_spec()["email"]["required"] is True


def test_the_info_module_finds_by_id_by_every_key_get_abon_id_knows_or_by_conditions():
    options = UsersideCustomers.search_options
    assert options["id"] == {"type": "int"} and options["conditions"] == {"type": "dict"}
    assert {name for name, option in options.items() if option == {"type": "str"}} == {
        "login", "agreement_number", "account_number", "email", "billing_uid",
        "phone", "ip", "mac"}
    assert UsersideCustomers.search_required_one_of == [
        "id", "conditions", "account_number", "agreement_number", "billing_uid", "email",
        "ip", "login", "mac", "phone"]


def search_params(**given):
    params = dict.fromkeys(UsersideCustomers.search_options)
    params["filters"] = {}
    params.update(given)
    return params


def test_search_returns_what_every_source_finds_narrowed_by_filters(server):
    backend = backend_for(server)
    found = backend.search(search_params(conditions={"house_id": 10}))
    assert [record["login"] for record in found] == ["seed-alice", "seed-bob"]
    found = backend.search(search_params(conditions={"house_id": 10}, agreement_number="A-2"))
    assert [record["login"] for record in found] == ["seed-bob"]
    found = backend.search(search_params(id=1, conditions={"house_id": 10},
                                         filters={"status": "paused"}))
    assert found == []
    assert backend.search(search_params(login="nobody")) == []
    assert backend.search(search_params(id=99)) == []


def test_add_takes_its_own_parameter_names():
    assert UsersideCustomers().add_params(FULL) == {
        "fio": "Ada Lovelace", "codeti": "B-77", "billing_id": "3", "is_corporate": 1,
        "is_potential": 0}


def test_a_purge_scope_becomes_get_customers_id_conditions_without_patterns():
    class Client:
        conditions = None

        def customer_ids(self, conditions):
            self.conditions = conditions
            return []

    backend = UsersideCustomers(Client())
    backend.in_scope({"marks": [2, 1], "status": "paused", "is_corporate": True,
                      "house_id": 10, "name": "A*", "comment": "x"})
    assert backend.client.conditions == {
        "mark_id": "2", "state_id": 1, "is_corporate": 1, "house_id": "10"}


def test_a_new_customer_is_active_unflagged_and_holds_no_sets():
    defaults = UsersideCustomers().defaults_on_create()
    assert (defaults["status"], defaults["is_corporate"], defaults["is_potential"]) == (
        "active", False, False)
    assert defaults["marks"] == defaults["services"] == defaults["ip_mac"] == []
    assert defaults["login"] is None and defaults["id"] is None
    defaults["marks"].append("1")
    assert UsersideCustomers().defaults_on_create()["marks"] == []


def test_the_record_shows_the_agreement_and_email_it_was_found_by():
    data = {"agreement": [{"number": "A-1", "date": "01.02.2020", "flag_main": 1},
                          {"number": "A-1b", "date": "03.04.2021", "flag_main": 0}],
            "email": ["main@example.net", "Second@Example.net"]}
    by_agreement = UsersideCustomers.for_task({"identity": "agreement_number"})()
    record = by_agreement.from_wire(data, " A-1b ")
    assert (record["agreement_number"], record["agreement_date"]) == ("A-1b", "2021-04-03")
    assert record["email"] == "main@example.net"
    record = UsersideCustomers.for_task({"identity": "email"})().from_wire(
        data, "second@example.NET")
    assert record["email"] == "second@example.net" and record["agreement_number"] == "A-1"


# --- per-record reads, concurrency at a time ------------------------------------------
def test_fetch_reads_many_customers_concurrency_at_a_time_in_the_keys_order(server):
    records = [dict(login="cc-%03d" % n, name="Concurrent %d" % n) for n in range(1, 21)]
    converge(server, *records)
    http = HttpSession(server.url, timeout=5, retries=1, backoff=0, redactor=Redactor(KEY),
                       concurrency=4)
    backend = UsersideCustomers.for_task({"identity": "login"})(UsersideClient(http, KEY))
    counts = in_flight(http)
    control(server, "counters", "DELETE")
    # Each request takes 50 ms on the server: requests sent together overlap.
    control(server, "faults", "PUT", {"latency_ms": 50})
    keys = [record["login"] for record in reversed(records)]
    keys.insert(7, "cc-999")  # nobody holds it
    found = backend.fetch(keys)
    assert list(found) == [key for key in keys if key != "cc-999"]
    assert [record["login"] for record in found.values()] == list(found)
    assert found["cc-007"]["name"] == "Concurrent 7"
    assert counts["most"] == 4  # as many as the task allows, never more
    # one look-up per key, one read per customer found
    assert control(server, "counters")["reads"] == {
        "customer.get_abon_id": 21, "customer.get_data": 20}


def test_an_other_identity_given_empty_clears_that_field_and_is_no_empty_key(server):
    converge(server, {"login": "it-clear", "name": "Clear", "agreement_number": "CL-1"})
    result = converge(server, {"login": "it-clear", "agreement_number": ""})
    assert result["updated"] == 1
    assert result["results"][0]["customer"]["agreement_number"] in ("", None)


# --- lost answers inside a create: read back, never undone (issue 16) ------------------
def test_a_step_lost_twice_keeps_the_named_customer_and_a_rerun_finishes_it(server):
    # a 503 page that is no UserSide answer is a lost answer: the step may have happened
    server.emulator.faults.update(
        {"fail_percent": 100, "fail_status": 503, "only": "customer.mark_add"})
    with pytest.raises(ReconcileFailed) as failed:
        converge(server, dict(FULL, login="half"))
    server.emulator.faults.update({"fail_percent": 0, "only": ""})
    assert "'half': create failed: the answer was lost twice (it exists now, not yet as " \
           "declared)" in failed.value.message
    # refused, but made all the same: changed, with the customer as it is now (review)
    [half] = failed.value.result["results"]
    assert half["failed"] and half["changed"] and half["customer"]["login"] == "half"
    assert "customer.delete" not in writes(server)
    kept = client_for(server).abon_ids("login", "half")
    assert len(kept) == 1
    server.emulator.counters.reset()
    finished = converge(server, dict(FULL, login="half"))
    # what the lost step and the steps after it would have set
    assert finished["updated"] == 1
    assert set(finished["results"][0]["changes"]) == {"marks", "services", "ip_mac"}
    assert "customer.add" not in writes(server)
    assert client_for(server).abon_ids("login", "half") == kept


def test_answers_lost_on_add_on_the_naming_edit_and_on_a_later_step_end_in_one_customer(server):
    # Issue 16: a second lost answer inside one create aborted it and deleted the customer.
    server.emulator.faults.update({"drop_writes": 3, "only": "customer."})
    result = converge(server, FULL)
    assert result["created"] == 1 and result["unconfirmed"] == 0
    assert server.emulator.faults.settings["drop_writes"] == 0  # add, edit, state_change cut
    counted = writes(server)
    assert counted["customer.add"] == 1 and counted["customer.edit"] == 1
    assert "customer.delete" not in counted
    assert client_for(server).customer_ids({"name": "Ada Lovelace"}) == [4]
    assert converge(server, FULL)["changed"] is False


def test_a_naming_edit_lost_before_it_happened_is_read_back_by_id_and_sent_again(server):
    backend = backend_for(server)
    real_edit, calls = backend.client.edit, []

    def lost_before(customer_id, params):
        calls.append(params)
        if len(calls) < 3:
            raise AnswerLost("the answer was lost")
        return real_edit(customer_id, params)

    backend.client.edit = lost_before
    engine = Reconciler(backend)
    result = engine.apply(engine.plan([("present", {"login": "late", "name": "Late"})]))
    assert result["created"] == 1 and len(calls) == 3
    assert "customer.delete" not in writes(server)
    assert client_for(server).abon_ids("login", "late") != []


def test_a_customer_that_cannot_be_named_is_deleted_again(server):
    backend = backend_for(server)
    calls = []

    def always_lost(customer_id, params):
        calls.append(params)
        raise AnswerLost("the answer was lost")

    backend.client.edit = always_lost
    engine = Reconciler(backend)
    with pytest.raises(ReconcileFailed) as failed:
        engine.apply(engine.plan([("present", {"login": "never", "name": "Never Named"})]))
    assert "lost 3 times" in failed.value.message
    assert "was deleted again" in failed.value.message and len(calls) == 3
    assert client_for(server).customer_ids({"name": "Never Named"}) == []


def test_a_create_whose_last_read_fails_is_written_not_confirmed_and_kept(server):
    backend = backend_for(server)
    real_read, acted = backend.client.get_data, []
    real_act = backend.client.act

    def act(*args, **params):
        acted.append(args)
        return real_act(*args, **params)

    def get_data(customer_id):
        if acted:  # the read after every write
            raise BackendError("UserSide customer get_data answered HTTP 500")
        return real_read(customer_id)

    backend.client.act, backend.client.get_data = act, get_data
    engine = Reconciler(backend)
    with pytest.raises(ReconcileFailed) as failed:
        engine.apply(engine.plan([("present", FULL)]))
    assert failed.value.message.startswith(
        "UserSide customer 'ada': create not confirmed: written; reading it back failed")
    assert failed.value.result["results"][0]["unconfirmed"] is True
    assert "customer.delete" not in writes(server)
    assert converge(server, FULL)["changed"] is False


# --- issue 16, item 5 (fixed on main before; kept here as its tests) ------------------
@pytest.mark.parametrize("login", ["", "   ", "\t"])
def test_a_blank_login_is_refused_before_any_request(server, login):
    with pytest.raises(ReconcileFailed) as failed:
        converge(server, {"login": login, "name": "Blank Login"})
    assert "login must not be empty" in failed.value.message
    assert server.emulator.counters.snapshot()["total_writes"] == 0
    assert client_for(server).customer_ids({"name": "Blank Login"}) == []


def test_a_login_stored_in_another_case_is_that_customer_and_converges_without_a_write(server):
    converge(server, {"login": "It-Case-1", "name": "Case One"})
    server.emulator.counters.reset()
    for _run in range(2):
        result = converge(server, {"login": "it-case-1", "name": "Case One"})
        assert result["changed"] is False and result["unchanged"] == 1
    assert writes(server) == {}
    assert client_for(server).customer_ids({"name": "Case One"}) == [4]


# --- the backend down in the middle of a create (review) ---------------------------------
def down_after(backend, action):
    """From the call of ``action`` on (answered or not), UserSide cannot be reached."""
    real, down = backend.client.call, []

    def call(name, params=None, write=False):
        if down:
            raise BackendUnavailable("POST api.php: cannot connect: [Errno 111] Connection refused")
        try:
            return real(name, params, write)
        finally:
            if name == action:
                down.append(name)

    backend.client.call = call


def create_while_down_after(server, action, record):
    backend = backend_for(server)
    down_after(backend, action)
    engine = Reconciler(backend)
    with pytest.raises(ReconcileFailed) as failed:
        engine.apply(engine.plan([("present", record)]))
    return failed.value


def test_a_create_the_backend_stopped_after_add_is_half_made_and_a_rerun_refuses_to_guess(server):
    failed = create_while_down_after(server, "add", dict(FULL, login="half"))
    [half] = failed.result["results"]
    # the customer is there, without its login: never "not written"
    assert half["changed"] and half["unconfirmed"] and "not_written" not in half
    assert "customer id 4 is left half-made, not yet given its login 'half'" in half["msg"]
    assert "give it login 'half' or delete it in UserSide" in half["msg"]
    assert failed.message.startswith("UserSide customer 'half': create not confirmed:")
    assert KEY not in failed.message
    assert client_for(server).customer_ids({"name": "Ada Lovelace"}) == [4]

    # the rerun neither takes it (another run's, at this moment, looks the same)
    # nor adds a second beside it: it names it, and writes nothing
    before = writes(server)
    with pytest.raises(ReconcileFailed) as refused:
        converge(server, dict(FULL, login="half"))
    [again] = refused.value.result["results"]
    assert again["changed"] is False and again["failed"]
    assert ("customer id 4 of this name has no login and nothing else set - possibly left "
            "half-made by an earlier run") in again["msg"]
    assert "give it login 'half' or delete it" in again["msg"] and KEY not in again["msg"]
    assert writes(server) == before

    client_for(server).delete(4)  # the user's answer: delete it
    assert converge(server, dict(FULL, login="half"))["created"] == 1
    assert client_for(server).customer_ids({"name": "Ada Lovelace"}) == [5]


def test_another_runs_fresh_namesake_is_never_taken_for_this_records(server):
    # Another run (a shard) has just added a namesake, not yet named: taking it
    # would give both records one customer. This create refuses; the other run
    # names its customer; the next run of this one adds its own.
    client = client_for(server)
    theirs = client.add({"fio": "Same Name"})
    with pytest.raises(ReconcileFailed) as refused:
        converge(server, {"login": "mine", "name": "Same Name"})
    assert f"customer id {theirs} of this name has no login" in refused.value.message
    assert client.customer_ids({"name": "Same Name"}) == [theirs]
    client.edit(theirs, {"login": "theirs"})
    assert converge(server, {"login": "mine", "name": "Same Name"})["created"] == 1
    mine = client.abon_ids("login", "mine")
    assert len(mine) == 1 and mine != [theirs] and client.abon_ids("login", "theirs") == [theirs]


def test_a_create_the_backend_stopped_after_naming_is_half_made_and_found_by_its_login(server):
    failed = create_while_down_after(server, "edit", dict(FULL, login="half"))
    [half] = failed.result["results"]
    assert half["changed"] and half["unconfirmed"]
    assert "customer id 4 is left half-made, holding 'half'" in half["msg"]
    finished = converge(server, dict(FULL, login="half"))
    assert finished["updated"] == 1 and writes(server)["customer.add"] == 1


def test_a_lost_add_whose_read_back_finds_the_backend_down_is_unconfirmed(server):
    server.emulator.faults.update({"drop_writes": 1, "only": "customer.add"})
    failed = create_while_down_after(server, "add", {"login": "lost", "name": "Lost Add"})
    [lost] = failed.result["results"]
    assert lost["changed"] and lost["unconfirmed"]
    assert lost["msg"].startswith("add sent, but its answer was lost")
    with pytest.raises(ReconcileFailed) as refused:  # the next run names it, adds none
        converge(server, {"login": "lost", "name": "Lost Add"})
    assert "customer id 4 of this name has no login" in refused.value.message
    assert writes(server)["customer.add"] == 1
    assert client_for(server).customer_ids({"name": "Lost Add"}) == [4]


@pytest.mark.parametrize("differs", [
    lambda client, cid: client.edit(cid, {"phone0": "+1"}),
    lambda client, cid: client.act("tarif_change", cid, tarif=3),
    lambda client, cid: client.act("state_change", cid, state_id=0),
    lambda client, cid: client.act("service_add", cid, service_id=2),
    lambda client, cid: client.act("mark_add", cid, mark_id=1),
    lambda client, cid: client.act("ip_add", cid, value="10.0.0.9", mac="AA-BB-CC-00-11-22"),
    lambda client, cid: client.edit(cid, {"flag_corporate": 1}),
], ids=["phone", "tariff", "status", "service", "mark", "ip", "corporate"])
def test_a_namesake_holding_anything_add_would_not_write_is_someone_elses(server, differs):
    client = client_for(server)
    kept = client.add({"fio": "Same Name"})
    differs(client, kept)
    assert converge(server, {"login": "other", "name": "Same Name"})["created"] == 1
    assert len(client.customer_ids({"name": "Same Name"})) == 2  # added beside it, untouched
    assert client.abon_ids("login", "other") != [kept]


def test_a_namesake_another_add_made_is_someone_elses(server):
    client = client_for(server)
    client.add({"fio": "Same Name", "billing_id": 9})  # this record's add sends no billing id
    assert converge(server, {"login": "other", "name": "Same Name"})["created"] == 1
    client.add({"fio": "Twice", "is_potential": 1})
    assert converge(server, {"login": "twice", "name": "Twice", "is_potential": False})[
        "created"] == 1


def test_several_half_made_namesakes_are_all_named_and_none_guessed(server):
    client = client_for(server)
    bare = [client.add({"fio": "Twice"}), client.add({"fio": "Twice"})]
    before = writes(server)
    with pytest.raises(ReconcileFailed) as failed:
        converge(server, {"login": "twice", "name": "Twice"})
    assert (f"customers {bare[0]}, {bare[1]} of this name have no login and nothing else set"
            in failed.value.message)
    assert writes(server) == before  # neither guessed nor a third added


def test_an_update_the_backend_stopped_after_edit_is_partly_made_never_not_written(server):
    converge(server, dict(FULL, login="part"))
    backend = backend_for(server)
    down_after(backend, "edit")
    engine = Reconciler(backend)
    with pytest.raises(ReconcileFailed) as failed:
        engine.apply(engine.plan([("present", dict(FULL, login="part", comment="new",
                                                   tariff=4))]))
    [part] = failed.value.result["results"]
    # UserSide holds the new comment, not the tariff: changed, not confirmed
    assert part["changed"] and part["unconfirmed"] and "not_written" not in part
    assert part["msg"].startswith("partly made (edit made, then: POST api.php: cannot connect")
    assert backend_for(server).fetch(["part"])["part"]["comment"] == "new"


def test_an_update_the_backend_stopped_before_any_write_is_not_written(server):
    converge(server, dict(FULL, login="part"))
    backend = backend_for(server)
    down_after(backend, "get_data")
    engine = Reconciler(backend)
    plan = engine.plan([("present", dict(FULL, login="part", comment="new"))])
    with pytest.raises(ReconcileFailed) as failed:
        engine.apply(plan)
    [part] = failed.value.result["results"]
    assert part["changed"] is False and part["not_written"] and "unconfirmed" not in part


def test_an_undo_the_backend_stopped_leaves_the_customer_reported_half_made(server):
    failed = create_while_down_after(server, "tarif_change", dict(FULL, login="half", tariff=99))
    [half] = failed.result["results"]
    assert half["changed"] and half["unconfirmed"] and "not_written" not in half
    assert "undoing the add failed too (POST api.php: cannot connect" in half["msg"]
    assert "customer id 4 is left half-made, holding 'half'" in half["msg"]
    assert converge(server, dict(FULL, login="half"))["updated"] == 1
    assert writes(server)["customer.add"] == 1


def get_data_reads(server):
    return server.emulator.counters.snapshot()["reads"].get("customer.get_data", 0)


def test_a_task_adding_many_of_one_name_reads_each_namesake_once(server):
    """Before each add, the namesakes are read for one left half-made; one read with
    its login is never that, and is not read again by the task's next create."""
    solo = [{"login": f"solo{n}", "name": f"Solo {n}"} for n in range(6)]
    before = get_data_reads(server)
    assert converge(server, *solo)["created"] == 6
    without_namesakes = get_data_reads(server) - before
    client = client_for(server)
    for n in range(3):  # customers of the name already there, with their logins
        client.edit(client.add({"fio": "Same Name"}), {"login": f"there{n}"})
    same = [{"login": f"same{n}", "name": "Same Name"} for n in range(6)]
    before = get_data_reads(server)
    assert converge(server, *same)["created"] == 6
    assert get_data_reads(server) - before == without_namesakes + 3
    assert len(client.customer_ids({"name": "Same Name"})) == 9
