"""CRM customers through the reconcile engine, against the emulator: what is sent, and when."""

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.crm.client import CrmClient
from ansible_collections.isp.provisioning.plugins.module_utils.crm.customers import (
    CUSTOMER,
    CrmCustomers,
)
from ansible_collections.isp.provisioning.plugins.module_utils.errors import ValidationError
from ansible_collections.isp.provisioning.plugins.module_utils.http_session import HttpSession
from ansible_collections.isp.provisioning.plugins.module_utils.reconcile import (
    Reconciler,
    ReconcileFailed,
)
from ansible_collections.isp.provisioning.plugins.module_utils.secrets import Redactor
from tests.emulators.crm import SEED_API_KEY

NEW = dict(
    uniqueid="ENT-1",
    resellerid=3,
    type="Individual",
    name="Entity Test",
    mobile="555",
    email="e@t.net",
    zipcode="403001",
    address_state="Goa",
    city="Panaji",
    street="1 Entity Road",
)


def backend(crm):
    http = HttpSession(
        crm.url,
        timeout=5,
        retries=1,
        backoff=0,
        redactor=Redactor(SEED_API_KEY),
        sleep=lambda _: None,
    )
    return CrmCustomers(CrmClient(http, 5, SEED_API_KEY))


def converge(crm, records, check_mode=False, purge_scope=None, purge_limit=10):
    engine = Reconciler(backend(crm), check_mode=check_mode, diff=True)
    return engine.apply(
        engine.plan([(state, dict(record)) for state, record in records], purge_scope, purge_limit)
    )


def counts(crm, reset=True):
    snapshot = crm.emulator.counters.snapshot()
    if reset:
        crm.emulator.counters.reset()
    return snapshot


def holders(crm, uniqueid):
    return [r for r in backend(crm).all_records() if r["uniqueid"] == uniqueid]


def test_wire_names_and_types_are_mapped_both_ways():
    record = CrmCustomers().from_wire(
        {
            "id": "1243",
            "ispid": "1",
            "resellerid": 2,
            "type": "individual",
            "state": "Goa",
            "dob": "0000-00-00",
            "surname": "",
            "serviceid": None,
        }
    )
    assert record["customerid"] == 1243 and record["ispid"] == 1 and record["resellerid"] == 2
    assert record["type"] == "Individual" and record["address_state"] == "Goa"
    assert record["dob"] is None and record["surname"] is None
    assert CrmCustomers().to_wire(
        {"address_state": "Goa", "customerid": 5, "resellerid": 3, "notes": ""}
    ) == {"state": "Goa", "resellerid": "3", "notes": ""}


def test_keys_are_customerids_or_uniqueid_text():
    assert CUSTOMER.key({"customerid": 12, "uniqueid": "A"}) == 12
    assert CUSTOMER.key({"uniqueid": "A"}) == "uniqueid=A"
    assert "required" not in CUSTOMER.record_argument_spec()["customerid"]


def test_create_by_uniqueid_then_a_second_run_sends_no_write(crm):
    result = converge(crm, [("present", NEW)])
    assert result["created"] == 1
    customer = result["results"][0]["customer"]
    assert customer["customerid"] > 1252 and customer["ispid"] == 1
    assert counts(crm)["writes"] == {"create": 1}
    again = converge(crm, [("present", NEW)])
    assert again["changed"] is False and again["results"][0]["customerid"] == customer["customerid"]
    assert counts(crm)["total_writes"] == 0


def test_check_mode_predicts_and_sends_nothing(crm):
    result = converge(crm, [("present", NEW)], check_mode=True)
    assert result["created"] == 1 and result["results"][0]["customerid"] == "uniqueid=ENT-1"
    assert result["diff"][0]["after"]["name"] == "Entity Test"
    assert counts(crm)["total_writes"] == 0
    assert holders(crm, "ENT-1") == []


def test_an_existing_customer_on_the_last_page_is_found_by_uniqueid_and_only_changes_sent(crm):
    result = converge(crm, [("present", {"uniqueid": "SEED-0240", "street": "New Street 9"})])
    item = result["results"][0]
    assert item["action"] == "update" and item["customerid"] == 1240
    assert item["changes"] == {"street": "New Street 9"}
    assert result["diff"][0]["before"]["street"] == "240 Seed Street"
    snapshot = counts(crm)
    assert snapshot["writes"] == {"update": 1}
    # the paged read (3 overlapping pages), and once more after the writes (READ_LATER)
    assert snapshot["reads"]["list"] == 3 + 3


def test_a_customer_deleted_between_two_pages_still_finds_one_declared_by_uniqueid(
    crm, monkeypatch
):
    read_page = CrmClient.list_page
    left = [1]

    def list_page(client, filters, offset, limit=100, first=False):
        page = read_page(client, filters, offset, limit, first)
        if offset == 0 and left[0]:
            left[0] = 0
            with crm.emulator.store.transaction() as db:
                db.execute("DELETE FROM customers WHERE id = 1001")
        return page

    monkeypatch.setattr(CrmClient, "list_page", list_page)
    # SEED-0101 (customerid 1101) moves to the first page, already read, when 1001 goes
    result = converge(crm, [("present", {"uniqueid": "SEED-0101", "street": "101 Seed Street"})])
    assert result["results"][0]["action"] == "none"
    assert result["results"][0]["customerid"] == 1101
    assert counts(crm)["total_writes"] == 0
    assert len(holders(crm, "SEED-0101")) == 1


def test_text_is_compared_as_the_crm_stores_it_trimmed(crm):
    record = dict(NEW, name="Trailing ", street=" 1 Entity Road", uniqueid="ENT-1 ")
    assert converge(crm, [("present", record)])["created"] == 1
    assert holders(crm, "ENT-1")[0]["name"] == "Trailing"
    counts(crm)
    again = converge(crm, [("present", record)])
    assert again["changed"] is False
    assert counts(crm)["total_writes"] == 0


def test_a_lost_password_reset_answer_warns_that_the_reset_may_not_have_happened(crm):
    crm.emulator.faults.update({"drop_writes": 1, "only": "update"})
    crm_backend = backend(crm)
    engine = Reconciler(crm_backend)
    engine.apply(engine.plan([("present", {"customerid": 1010, "reset_password": True})]))
    assert len(crm_backend.warnings) == 1
    assert "reset may not have happened" in crm_backend.warnings[0]
    crm.emulator.faults.update({"drop_writes": 1, "only": "update"})
    crm_backend = backend(crm)
    engine = Reconciler(crm_backend)
    engine.apply(engine.plan([("present", {"customerid": 1010, "street": "Lost Road 1"})]))
    assert crm_backend.warnings == []


def test_a_lost_create_answer_leaves_exactly_one_customer(crm):
    crm.emulator.faults.update({"drop_writes": 1, "only": "create"})
    result = converge(crm, [("present", NEW)])
    assert result["created"] == 1
    assert result["results"][0]["customer"]["uniqueid"] == "ENT-1"
    assert counts(crm)["writes"] == {"create": 1}
    assert len(holders(crm, "ENT-1")) == 1


def test_an_unknown_customerid_is_refused_before_any_write(crm):
    with pytest.raises(ReconcileFailed) as caught:
        converge(crm, [("present", NEW), ("present", {"customerid": 99999, "name": "x"})])
    assert "customerid 99999 does not exist" in caught.value.message
    assert counts(crm)["total_writes"] == 0


def test_bad_values_are_refused_before_any_write(crm):
    with pytest.raises(ReconcileFailed) as caught:
        converge(
            crm,
            [
                ("present", NEW),
                ("present", {"customerid": 1001, "name": ""}),
                ("present", {"customerid": 1002, "dob": "02/03/1990"}),
                ("present", {"customerid": 1003, "email": "nobody"}),
                ("present", {"name": "nobody"}),
            ],
        )
    message = caught.value.message
    assert "CRM customer 1001: name cannot be empty" in message
    assert "CRM customer 1002: dob '02/03/1990' is not a date in yyyy-mm-dd form" in message
    assert "CRM customer 1003: email 'nobody' is not an email address" in message
    assert "name the customer by customerid or by uniqueid" in message
    assert counts(crm)["total_writes"] == 0


def test_plans_that_cannot_be_carried_out_are_refused_before_any_write(crm):
    with pytest.raises(ReconcileFailed) as caught:
        converge(
            crm,
            [
                ("present", NEW),
                ("present", {"uniqueid": "ENT-2", "name": "Half"}),
                ("present", {"customerid": 1003, "resellerid": 2}),
            ],
        )
    message = caught.value.message
    assert (
        "'uniqueid=ENT-2': to create it the CRM also needs type, mobile, email, zipcode, "
        "address_state, city, street"
    ) in message
    assert "CRM customer 1003: resellerid cannot be changed" in message
    assert counts(crm)["total_writes"] == 0


def test_the_same_customer_declared_twice_or_a_shared_uniqueid_is_refused(crm):
    with pytest.raises(ReconcileFailed) as caught:
        converge(crm, [("present", {"customerid": 1005}), ("present", {"uniqueid": "SEED-0005"})])
    assert "same customer (customerid 1005)" in caught.value.message
    with pytest.raises(ReconcileFailed) as caught:
        converge(crm, [("present", {"customerid": 1006, "uniqueid": "SEED-0007"})])
    assert "already belongs to customerid 1007" in caught.value.message
    backend(crm).client.update(1008, {"uniqueid": "SEED-0009"})
    with pytest.raises(ReconcileFailed) as caught:
        converge(crm, [("present", {"uniqueid": "SEED-0009", "name": "x"})])
    assert "held by 2 customers (customerids 1008, 1009)" in caught.value.message


def test_purge_spares_records_declared_by_uniqueid_and_respects_the_limit(crm):
    converge(crm, [("present", dict(NEW, uniqueid=u)) for u in ("P-1", "P-2", "P-3")])
    counts(crm)
    result = converge(crm, [("present", {"uniqueid": "P-1"})], purge_scope={"resellerid": 3})
    assert result["deleted"] == 2 and result["unchanged"] == 1
    assert [r["customer"] for r in result["results"] if r.get("purged")] == [None, None]
    assert counts(crm)["writes"] == {"delete": 2}
    assert [r["uniqueid"] for r in backend(crm).all_records() if r["resellerid"] == 3] == ["P-1"]
    with pytest.raises(ReconcileFailed) as caught:
        converge(crm, [("present", {"uniqueid": "P-1"})], purge_scope={"resellerid": 1})
    assert "more than purge_limit" in caught.value.message
    assert counts(crm)["total_writes"] == 0


def test_reset_password_is_an_action_sent_once_and_never_shown_as_a_field(crm):
    result = converge(
        crm, [("present", {"customerid": 1010, "reset_password": True})], check_mode=True
    )
    assert result["results"][0]["action"] == "update"
    assert "reset_password" not in result["diff"][0]["after"]
    assert counts(crm)["total_writes"] == 0
    crm.emulator.faults.update({"drop_writes": 1, "only": "update"})
    result = converge(crm, [("present", {"customerid": 1010, "reset_password": True})])
    assert result["updated"] == 1
    assert counts(crm)["writes"] == {"update": 1}  # lost answer: not reset a second time
    assert (
        converge(crm, [("present", {"customerid": 1010, "reset_password": False})])["changed"]
        is False
    )


def test_absent_deletes_and_absent_of_a_missing_customer_is_ok(crm):
    result = converge(
        crm,
        [
            ("absent", {"uniqueid": "SEED-0011"}),
            ("absent", {"uniqueid": "NOPE"}),
            ("absent", {"customerid": 99999}),
        ],
    )
    assert [r["action"] for r in result["results"]] == ["delete", "none", "none"]
    assert counts(crm)["writes"] == {"delete": 1}


def test_a_refusal_names_the_record_and_the_backends_text(crm):
    with pytest.raises(ReconcileFailed) as caught:
        converge(crm, [("present", dict(NEW, resellerid=9))])
    assert caught.value.message == (
        "CRM customer 'uniqueid=ENT-1': create failed: the CRM refused create: "
        "Invalid resellerid"
    )


class ListWithout:
    """A CRM whose list leaves some fields out (its shape is not documented)."""

    def __init__(self, *missing):
        self.missing = missing
        self.writes = []
        self.filters = None

    def customers(self, filters=None, keep=None):
        self.filters = filters
        row = {"id": "7", "ispid": "1", "resellerid": "2", "uniqueid": "U-7", "name": "Seven"}
        page = [{k: v for k, v in row.items() if k not in self.missing}]
        return page if keep is None else keep(page)

    def create(self, fields):
        self.writes.append(("create", fields))
        return 8

    def update(self, customerid, fields):
        self.writes.append(("update", customerid, fields))


def plan_with(client, records):
    return Reconciler(CrmCustomers(client)).plan([("present", dict(r)) for r in records])


def test_a_list_without_uniqueid_refuses_to_create_rather_than_duplicate():
    client = ListWithout("uniqueid")
    with pytest.raises(ReconcileFailed) as caught:
        plan_with(client, [{"uniqueid": "U-7", "name": "Seven"}])
    assert "does not report uniqueid" in caught.value.message
    assert client.writes == []


def test_a_list_without_reseller_ids_does_not_make_them_changes():
    [item] = plan_with(
        ListWithout("ispid", "resellerid"),
        [{"customerid": 7, "resellerid": 2, "ispid": 1, "name": "Seven"}],
    )
    assert item.action == "none"
    with pytest.raises(ReconcileFailed) as caught:
        plan_with(ListWithout(), [{"customerid": 7, "resellerid": 3, "name": "Seven"}])
    assert "resellerid cannot be changed" in caught.value.message


@pytest.mark.parametrize(
    "action, record",
    [
        ("update", ("present", {"uniqueid": "SEED-0020", "street": "Lost Update Road"})),
        ("delete", ("absent", {"uniqueid": "SEED-0021"})),
    ],
)
def test_a_lost_update_or_delete_answer_is_read_back_not_resent(crm, action, record):
    crm.emulator.faults.update({"drop_writes": 1, "only": action})
    result = converge(crm, [record])
    assert result["changed"] is True and result["results"][0]["action"] == action
    assert counts(crm)["writes"] == {action: 1}
    again = converge(crm, [record])
    assert again["changed"] is False


# --- what the field declarations derive -----------------------------------------------
def test_the_record_read_keeps_the_id_under_either_wire_name_and_leaves_the_action_out():
    record = CrmCustomers().from_wire({"customerid": "7", "type": "ORGANISATION", "dob": " "})
    assert record["customerid"] == 7 and record["type"] == "Organisation"
    assert record["dob"] is None and "reset_password" not in record
    assert list(record)[0] == "customerid"


def test_read_only_fields_and_the_action_never_travel_as_fields():
    assert CrmCustomers().to_wire(
        {"username": "u", "serviceid": 4, "created": "2026-01-01", "reset_password": True}
    ) == {}


def test_create_requirements_and_identities_come_from_the_fields():
    assert CUSTOMER.identities == ("customerid", "uniqueid")
    assert CUSTOMER.missing_on_create(dict(NEW, city=None, street=None)) == (
        "to create it the CRM also needs city, street"
    )
    assert CUSTOMER.missing_on_create(NEW) is None


def test_limits_are_checked_as_before_with_the_same_words():
    assert CUSTOMER.problems({"dob": "2023-02-30", "email": "nobody"}) == [
        "dob '2023-02-30' is not a date in yyyy-mm-dd form",
        "email 'nobody' is not an email address",
    ]
    # "" clears dob; a blank email is refused as empty (by prepare), not as malformed
    assert CUSTOMER.problems({"dob": "", "email": "  ", "name": ""}) == []
    assert CUSTOMER.problems({"dob": "2024-02-29", "email": "a@b"}) == []


def test_an_empty_required_field_is_refused_by_its_name():
    with pytest.raises(ValidationError, match="^city cannot be empty: the CRM requires it$"):
        CrmCustomers(ListWithout()).prepare({"customerid": 7, "city": " "})


def test_the_info_options_are_the_lists_filters():
    options = CrmCustomers.search_options
    assert sorted(options) == sorted(
        [
            "customerid", "ispid", "resellerid", "serviceid", "username", "type", "name",
            "mobile", "email", "zipcode", "address_state", "city", "created_from",
            "created_upto",
        ]
    )
    assert options["serviceid"] == {"type": "int"} and options["city"] == {"type": "str"}
    assert options["type"] == {"type": "str", "choices": ["Individual", "Organisation"]}


def search_params(**given):
    params = {name: None for name in CrmCustomers.search_options}
    params.update(uniqueid=None, filters={})
    params.update(given)
    return params


def test_search_sends_the_lists_filters_by_their_wire_names(crm):
    found = backend(crm).search(search_params(resellerid=2, address_state="Kerala", city="Kochi"))
    assert len(found) == 27
    assert {(r["resellerid"], r["city"]) for r in found} == {(2, "Kochi")}
    assert counts(crm)["reads"] == {"list": 2}
    client = ListWithout()
    CrmCustomers(client).search(search_params(address_state="Goa", created_upto="2025-12-31"))
    assert client.filters == {"state": "Goa", "created_upto": "2025-12-31"}


def test_search_matches_uniqueid_and_filters_on_what_the_list_answers():
    found = CrmCustomers(ListWithout()).search(search_params(uniqueid="U-*"))
    assert [r["customerid"] for r in found] == [7]
    assert CrmCustomers(ListWithout()).search(search_params(filters={"name": "Eight"})) == []


@pytest.mark.parametrize("value", ["01/03/2025", "2025-02-30", ""])
def test_search_refuses_a_created_filter_that_is_no_date_before_reading(value):
    client = ListWithout()
    with pytest.raises(ValidationError) as caught:
        CrmCustomers(client).search(search_params(created_from=value))
    assert str(caught.value) == f"created_from {value!r} is not a date in yyyy-mm-dd form"
    assert client.filters is None


def test_holders_are_found_in_the_lists_order_with_one_read(crm):
    crm_backend = backend(crm)
    crm_backend.client.update(1008, {"uniqueid": "SEED-0009"})
    counts(crm)
    assert [r["customerid"] for r in crm_backend.holders(" SEED-0009")] == [1008, 1009]
    assert crm_backend.holders("NOPE") == []
    assert counts(crm)["reads"] == {"list": 3}


def test_two_runs_that_create_one_customer_at_once_leave_the_older_one(crm):
    # Both runs read the list before either created: both find RACE-1 missing.
    first, second = Reconciler(backend(crm)), Reconciler(backend(crm))
    declared = [("present", dict(NEW, uniqueid="RACE-1"))]
    first_plan, second_plan = first.plan(declared), second.plan(declared)
    kept = first.apply(first_plan)["results"][0]["customer"]["customerid"]
    result = second.apply(second_plan)
    assert [r["customerid"] for r in holders(crm, "RACE-1")] == [kept]
    # the second run reports the customer that stays, and says what it undid
    assert result["results"][0]["customer"]["customerid"] == kept
    assert any("another run created it too" in w for w in second.backend.warnings)
    assert counts(crm)["writes"] == {"create": 2, "delete": 1}


def test_a_run_alone_reads_the_list_once_after_its_creates_and_deletes_nothing(crm):
    counts(crm)
    converge(crm, [("present", dict(NEW, uniqueid="ALONE-1"))])
    snapshot = counts(crm)
    assert snapshot["writes"] == {"create": 1}
    # the list before, and after the writes: that read (every write read back) comes
    # after the create, which is all looking for twins needs, so it is not read again
    assert snapshot["reads"]["list"] == 3 + 3


def test_an_empty_uniqueid_without_a_customerid_names_nobody(crm):
    with pytest.raises(ReconcileFailed) as failed:
        converge(crm, [("present", dict(NEW, uniqueid=" "))])
    assert "uniqueid must not be empty" in failed.value.message
    assert counts(crm)["writes"] == {}


def test_check_mode_looks_for_no_twins(crm):
    counts(crm)
    converge(crm, [("present", dict(NEW, uniqueid="CHECK-1"))], check_mode=True)
    assert counts(crm)["reads"]["list"] == 3  # the one read of the list, nothing after


# --- read-backs: batched, and written-not-confirmed when they fail (issue 16) ----------
def test_every_write_of_a_task_is_read_back_with_one_read_of_the_list(crm):
    counts(crm)
    seeds = [("present", {"uniqueid": "SEED-%04d" % n, "notes": "batched"}) for n in range(1, 6)]
    result = converge(crm, seeds)
    assert result["updated"] == 5
    assert [r["customer"]["notes"] for r in result["results"]] == ["batched"] * 5  # as read back
    snapshot = counts(crm)
    assert snapshot["writes"] == {"update": 5}
    assert snapshot["reads"]["list"] == 3 + 3  # not one read per write


def test_a_create_whose_read_back_fails_is_written_not_confirmed_and_a_rerun_finds_it(crm):
    engine = Reconciler(backend(crm))
    plan = engine.plan([("present", NEW)])
    crm.emulator.faults.update({"fail_percent": 100, "only": "list"})  # every read from here
    with pytest.raises(ReconcileFailed) as failed:
        engine.apply(plan)
    crm.emulator.faults.update({"fail_percent": 0, "only": ""})
    message = failed.value.message
    assert message.startswith("CRM customer 'uniqueid=ENT-1': create not confirmed: written; "
                              "reading it back failed: CRM list answered HTTP 503")
    assert "create failed" not in message and "run the task again" in message
    item = failed.value.result["results"][0]
    assert (item["action"], item["changed"], item["unconfirmed"]) == ("create", True, True)
    assert "failed" not in item
    assert counts(crm)["writes"] == {"create": 1}
    again = converge(crm, [("present", NEW)])
    assert again["changed"] is False and len(holders(crm, "ENT-1")) == 1


def test_a_shards_paged_read_keeps_only_what_it_declares_and_its_purge_share(crm):
    from ansible_collections.isp.provisioning.plugins.module_utils.shard import (
        Partition,
        shard_of,
    )

    declared = [dict(uniqueid="SEED-%04d" % n) for n in range(1, 25)]  # 240 on the CRM
    engine = Reconciler(backend(crm), check_mode=True)
    pages = []
    customers = engine.backend.client.customers
    engine.backend.client.customers = lambda filters, keep: customers(
        filters, keep=lambda page: pages.append(len(page)) or keep(page))
    items = engine.plan([("present", record) for record in declared], {"resellerid": 2}, 110,
                        Partition(CUSTOMER, 0, 4))
    share = sorted(n for n in range(1131, 1241) if shard_of(n, 4) == 0)  # reseller 2's, shard 0
    kept = engine.backend.all_records()
    assert sum(pages) >= 240 and len(pages) > 1  # read page by page, every page seen
    assert sorted(r["customerid"] for r in kept) == list(range(1001, 1025)) + share
    assert len(kept) < 240 / 3
    assert [item.current["customerid"] for item in items if not item.purged] == list(
        range(1001, 1025))
    assert sorted(item.key for item in items if item.purged) == share


def test_a_read_keeps_the_holder_of_a_uniqueid_a_declared_record_would_take(crm):
    engine = Reconciler(backend(crm))
    with pytest.raises(ReconcileFailed, match="already belongs to customerid 1200"):
        engine.plan([("present", {"customerid": 1001, "uniqueid": "SEED-0200"})])
    assert sorted(r["customerid"] for r in engine.backend.all_records()) == [1001, 1200]
    assert engine.backend.listed >= {"uniqueid", "resellerid", "ispid"}
