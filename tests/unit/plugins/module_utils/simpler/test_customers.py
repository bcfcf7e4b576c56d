"""SIMPLer customers through the reconcile engine, against the emulator, over both transports."""

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.errors import AnswerLost
from ansible_collections.isp.provisioning.plugins.module_utils.http_session import HttpSession
from ansible_collections.isp.provisioning.plugins.module_utils.reconcile import (
    Reconciler,
    ReconcileFailed,
)
from ansible_collections.isp.provisioning.plugins.module_utils.secrets import Redactor
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.client import SimplerClient
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.customers import (
    SimplerCustomers,
    SimplerCustomerSearch,
)
from tests.emulators.server import start
from tests.emulators.simpler import SimplerEmulator

TRANSPORTS = ["rest", "soap"]


@pytest.fixture(params=TRANSPORTS)
def simpler(request, tmp_path):
    running = start(SimplerEmulator(str(tmp_path / "simpler.sqlite")))
    running.transport = request.param
    yield running
    running.stop()


def client(simpler):
    http = HttpSession(simpler.url, timeout=5, retries=1, backoff=0,
                       redactor=Redactor("password"), sleep=lambda _: None)
    return SimplerClient(http, "username", "password", operator="operator",
                         transport=simpler.transport)


def converge(simpler, records, backend=None):
    engine = Reconciler(backend or SimplerCustomers(client(simpler)), diff=True)
    return engine.apply(engine.plan([("present", dict(record)) for record in records]))


def writes(simpler):
    return simpler.emulator.counters.snapshot()["writes"]


def nicknames(simpler):
    return sorted(r["nickname"] for r in SimplerCustomers(client(simpler)).read_all())


def test_a_nickname_held_by_another_customer_is_refused_before_any_write(simpler):
    with pytest.raises(ReconcileFailed) as failed:
        converge(simpler, [
            dict(invoicingid="NEW-1", name="New One", nickname="newone"),
            dict(invoicingid="NEW-2", name="New Two", nickname="adacurrent"),
        ])
    assert "nickname 'adacurrent' is already held by customer 2" in failed.value.message
    assert writes(simpler) == {}
    assert nicknames(simpler) == ["adacurrent", "mgawlowskiXYZ193"]


def test_renaming_to_a_nickname_another_customer_holds_is_refused_before_any_write(simpler):
    with pytest.raises(ReconcileFailed) as failed:
        converge(simpler, [dict(invoicingid="mgawlowskiXYZ193", nickname="adacurrent")])
    assert "already held by customer 2" in failed.value.message
    assert writes(simpler) == {}


def test_a_nickname_declared_twice_is_refused_before_any_write(simpler):
    with pytest.raises(ReconcileFailed) as failed:
        converge(simpler, [dict(invoicingid="NEW-1", name="New One", nickname="twin"),
                           dict(invoicingid="NEW-2", name="New Two", nickname="twin")])
    assert "nickname 'twin' is declared for invoicingid 'NEW-1' as well" in failed.value.message
    assert writes(simpler) == {}


def test_a_nickname_that_only_contains_anothers_is_no_clash(simpler):
    result = converge(simpler, [dict(invoicingid="NEW-1", name="Ada Two", nickname="ada")])
    assert result["created"] == 1
    assert result["results"][0]["customer"]["nickname"] == "ada"
    assert writes(simpler) == {"addCustomer": 1}


def test_a_customers_own_nickname_is_no_clash(simpler):
    result = converge(simpler, [dict(invoicingid="ADA-0001", nickname="adacurrent",
                                     name="Ada Renamed")])
    assert result["updated"] == 1
    assert writes(simpler) == {"modifyCustomer": 1}


def test_a_timed_out_add_is_not_sent_again_when_the_read_back_does_not_find_it(simpler):
    backend = SimplerCustomers(client(simpler))
    sent = []

    def add_customer(fields):
        sent.append(fields)
        raise AnswerLost("POST addCustomer: the answer was lost: Read timed out", timed_out=True)

    backend.client.add_customer = add_customer
    with pytest.raises(ReconcileFailed) as failed:
        converge(simpler, [dict(invoicingid="LOST-1", name="Lost One", nickname="lostone")],
                 backend)
    assert "not sent again" in failed.value.message
    assert len(sent) == 1


def test_a_dropped_add_answer_leaves_exactly_one_customer(simpler):
    simpler.emulator.faults.update({"drop_writes": 1, "only": "addCustomer"})
    result = converge(simpler, [dict(invoicingid="LOST-1", name="Lost One", nickname="lostone")])
    assert result["results"][0]["customer"]["nickname"] == "lostone"
    assert writes(simpler) == {"addCustomer": 1}
    assert nicknames(simpler) == ["adacurrent", "lostone", "mgawlowskiXYZ193"]


def test_the_info_search_reads_only_what_its_lookups_match(simpler):
    backend = SimplerCustomerSearch(client(simpler))
    backend.narrow = {"nickname": "adacurrent"}
    assert [r["invoicingid"] for r in backend.read_all()] == ["ADA-0001"]
    assert [r["invoicingid"] for r in SimplerCustomers(client(simpler)).read_all()] == [
        "mgawlowskiXYZ193", "ADA-0001"]
