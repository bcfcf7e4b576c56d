"""SIMPLer customers: records <-> wire as the fields declare, partial compare, and the
reconcile engine on top, against the emulator over both transports."""

import datetime

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    AnswerLost,
    BackendUnavailable,
)
from ansible_collections.isp.provisioning.plugins.module_utils.reconcile import (
    Reconciler,
    ReconcileFailed,
)
from ansible_collections.isp.provisioning.plugins.module_utils.simpler.customers import (
    CUSTOMER,
    SimplerCustomers,
    serial_appended,
)
from tests.unit.probes import control, in_flight

ADAPTER = SimplerCustomers(None)
NO_LOOKUPS = {"invoicingid": None, "customerid": None, "nickname": None, "filters": {}}


def converge(simpler, connect, records, backend=None, check_mode=False):
    backend = backend or SimplerCustomers(connect(simpler, simpler.transport))
    engine = Reconciler(backend, check_mode=check_mode, diff=True)
    return engine.apply(engine.plan([("present", dict(record)) for record in records]))


def writes(simpler):
    return simpler.emulator.counters.snapshot()["writes"]


def nicknames(simpler, connect):
    return sorted(r["nickname"]
                  for r in SimplerCustomers(connect(simpler, simpler.transport)).read_all())


# --- records <-> wire ---------------------------------------------------------------
def test_read_names_become_option_names():
    record = ADAPTER.from_wire(
        {"id": "5", "status": "current", "paymentmethod": "cash", "phone": "1",
         "street": "S1", "zip": "PC", "installtown": "T", "startdate": "2024-01-31"},
        {"custom_field_3": "x"})
    assert record["customerid"] == "5" and record["customerstatus"] == "current"
    assert record["payment_method"] == "cash"
    assert record["installation_address"]["street1"] == "S1"
    assert record["installation_address"]["postcode"] == "PC"
    assert record["invoicing_address"]["town"] == "T"
    assert record["custom_fields"] == {"3": "x"}


def test_every_read_name_and_every_unset_field():
    record = ADAPTER.from_wire(
        {"customerid": "9", "name": "N", "nickname": "n", "invoicingid": "I", "type": "gov",
         "email": "e", "accountsemail": "a", "supportemail": "s", "country": "IE",
         "sendmethod": "pdf", "init_date": "2024-01-02 10:00:00"}, None)
    assert record["customerid"] == "9"  # as searchCustomer names it, when id is missing
    assert (record["accounts_email"], record["support_email"], record["send_method"]) == (
        "a", "s", "pdf")
    assert record["init_date"] == "2024-01-02"
    assert record["startdate"] == record["phone"] == record["customerstatus"] == ""
    assert record["custom_fields"] == {}


def test_an_empty_answer_is_a_new_customer():
    parts = {"street1": "", "street2": "", "town": "", "county": "", "postcode": "", "state": ""}
    assert ADAPTER.defaults_on_create() == dict(
        {field.name: "" for field in CUSTOMER.fields}, customerid=None, custom_fields={},
        installation_address=parts, invoicing_address=parts)


def test_an_address_change_keeps_the_parts_not_named():
    current = {"installation_address": {"street1": "A", "street2": "B", "town": "C",
                                        "county": "", "postcode": "P", "state": ""}}
    wire = ADAPTER.to_wire({"installation_address": {"street2": "New", "town": None}}, current)
    assert wire == {"address": "A:::New:::C::::::P:::"}


def test_dates_are_written_as_the_wire_wants():
    assert ADAPTER.to_wire({"startdate": "2024-01-31", "phone": "1"}, None) == {
        "startdate": "01/31/2024", "phone_list_main": "1"}


def test_write_names_and_what_is_never_written():
    wire = ADAPTER.to_wire({
        "customerid": "5", "invoicingid": "I", "customerstatus": "current",
        "accounts_email": "a", "payment_method": "cash", "init_date": "",
        "invoicing_address": {"town": "T"}, "custom_fields": {"custom_field_7": None, "8": 1},
    })
    assert wire == {"invoicingid": "I", "customerstatus": "current", "accounts_email": "a",
                    "payment_method": "cash", "init_date": "", "iaddress": "::::::T:::::::::",
                    "custom_field_7": "", "custom_field_8": "1"}


def test_only_named_address_parts_and_custom_fields_are_compared():
    current = ADAPTER.from_wire({"invoicingid": "I", "street": "A", "town": "C"},
                                {"1": "x", "2": "y"})
    same = {"invoicingid": "I", "installation_address": {"street1": "A", "town": None},
            "custom_fields": {"2": "y"}}
    assert CUSTOMER.differences(same, current) == {}
    other = dict(same, custom_fields={"2": "z"})
    assert list(CUSTOMER.differences(other, current)) == ["custom_fields"]


def test_a_customer_found_by_its_id_compares_its_invoicing_id():
    current = ADAPTER.from_wire({"id": "5", "invoicingid": "OLD"})
    assert CUSTOMER.differences({"invoicingid": "NEW", "customerid": "5"}, current) == {
        "invoicingid": "NEW"}


def test_the_prediction_merges_named_parts():
    current = ADAPTER.from_wire({"id": "5", "invoicingid": "I", "street": "A"}, {"1": "x"})
    after = ADAPTER.predict("update", {"installation_address": {"town": "T", "street1": None},
                                       "custom_fields": {"2": 3}, "name": "N"}, current)
    assert after["installation_address"]["street1"] == "A"
    assert after["installation_address"]["town"] == "T"
    assert after["custom_fields"] == {"1": "x", "2": "3"}
    assert after["name"] == "N"


# --- what the fields declare ----------------------------------------------------------
def test_what_the_info_module_looks_up_and_searchcustomer_filters_by():
    assert CUSTOMER.lookups == ("invoicingid", "customerid", "nickname")
    assert CUSTOMER.filters["customerid"] == "customerid"
    assert CUSTOMER.filters["customerstatus"] == "customerstatus"


@pytest.mark.parametrize("desired, message", [
    ({"invoicingid": "I"}, "name and nickname are required to create it"),
    ({"invoicingid": "I", "name": "N", "nickname": ""}, "nickname is required to create it"),
    ({"invoicingid": "I", "nickname": "n"}, "name is required to create it"),
    ({"invoicingid": "I", "name": "N", "nickname": "n"}, None),
])
def test_what_a_create_requires(desired, message):
    assert CUSTOMER.missing_on_create(desired) == message


@pytest.mark.parametrize("desired, problems", [
    ({"nickname": "has space"},
     ["nickname 'has space' may hold only letters, digits and _ (SIMPLer's rule)"]),
    ({"nickname": "ok_1", "startdate": "31/01/2024"},
     ["startdate '31/01/2024' is not a date as YYYY-MM-DD"]),
    ({"init_date": "2024-02-30"}, ["init_date '2024-02-30' is not a date as YYYY-MM-DD"]),
    ({"installdate": datetime.date(2024, 1, 31), "startdate": "2024-01-31 00:00"}, []),
    ({"startdate": ""}, []),
])
def test_limits_checked_before_any_write(desired, problems):
    assert CUSTOMER.problems(desired) == problems


def test_a_blank_nickname_is_refused_too():
    assert ADAPTER.spec.problems({"invoicingid": "I", "nickname": ""}) == [
        "nickname '' may hold only letters, digits and _ (SIMPLer's rule)"]


def test_dates_and_custom_field_ids_are_prepared_as_the_server_reads_them_back():
    prepared = ADAPTER.prepare({"invoicingid": "I", "startdate": datetime.date(2024, 1, 31),
                                "custom_fields": {"custom_field_7": None, 8: 1}})
    assert prepared["startdate"] == "2024-01-31"
    assert prepared["custom_fields"] == {"7": "", "8": "1"}


# --- against the emulator ------------------------------------------------------------
def test_a_customer_is_searched_before_it_is_added(simpler, connect):
    record = {"invoicingid": "ADA-0001", "name": "Ada Current", "nickname": "adacurrent"}
    result = converge(simpler, connect, [record])
    assert result["unchanged"] == 1
    assert simpler.emulator.counters.snapshot()["total_writes"] == 0


def test_a_substring_match_is_not_the_customer(server, connect):
    server.transport = "rest"
    converge(server, connect, [{"invoicingid": "SUB-10", "name": "Ten", "nickname": "sub10"}])
    result = converge(server, connect,
                      [{"invoicingid": "SUB-1", "name": "One", "nickname": "sub1"}])
    assert result["created"] == 1


def test_a_new_customer_needs_name_and_nickname(server, connect):
    server.transport = "rest"
    with pytest.raises(ReconcileFailed) as raised:
        converge(server, connect, [{"invoicingid": "NEW-1"}])
    assert "name and nickname are required" in raised.value.message


def test_a_nickname_held_by_another_customer_is_refused_before_any_write(simpler, connect):
    with pytest.raises(ReconcileFailed) as failed:
        converge(simpler, connect, [
            dict(invoicingid="NEW-1", name="New One", nickname="newone"),
            dict(invoicingid="NEW-2", name="New Two", nickname="adacurrent"),
        ])
    assert "nickname 'adacurrent' is already held by customer 2" in failed.value.message
    assert writes(simpler) == {}
    assert nicknames(simpler, connect) == ["adacurrent", "mgawlowskiXYZ193"]


def test_renaming_to_a_nickname_another_customer_holds_is_refused_before_any_write(
        simpler, connect):
    with pytest.raises(ReconcileFailed) as failed:
        converge(simpler, connect, [dict(invoicingid="mgawlowskiXYZ193", nickname="adacurrent")])
    assert "already held by customer 2" in failed.value.message
    assert writes(simpler) == {}


def test_a_nickname_declared_twice_is_refused_before_any_write(simpler, connect):
    with pytest.raises(ReconcileFailed) as failed:
        converge(simpler, connect, [dict(invoicingid="NEW-1", name="New One", nickname="twin"),
                                    dict(invoicingid="NEW-2", name="New Two", nickname="twin")])
    assert "nickname 'twin' is declared for invoicingid 'NEW-1' as well" in failed.value.message
    assert writes(simpler) == {}


def test_a_nickname_that_only_contains_anothers_is_no_clash(simpler, connect):
    result = converge(simpler, connect, [dict(invoicingid="NEW-1", name="Ada Two", nickname="ada")])
    assert result["created"] == 1
    assert result["results"][0]["customer"]["nickname"] == "ada"
    assert writes(simpler) == {"addCustomer": 1}


def test_a_customers_own_nickname_is_no_clash(simpler, connect):
    result = converge(simpler, connect, [dict(invoicingid="ADA-0001", nickname="adacurrent",
                                              name="Ada Renamed")])
    assert result["updated"] == 1
    assert writes(simpler) == {"modifyCustomer": 1}


def test_a_timed_out_add_is_not_sent_again_when_the_read_back_does_not_find_it(simpler, connect):
    backend = SimplerCustomers(connect(simpler, simpler.transport))
    sent = []

    def add_customer(fields):
        sent.append(fields)
        raise AnswerLost("POST addCustomer: the answer was lost: Read timed out", timed_out=True)

    backend.client.add_customer = add_customer
    with pytest.raises(ReconcileFailed) as failed:
        converge(simpler, connect,
                 [dict(invoicingid="LOST-1", name="Lost One", nickname="lostone")], backend)
    assert "not sent again" in failed.value.message
    assert len(sent) == 1


def test_an_update_made_before_the_backend_went_down_is_unconfirmed_not_unwritten(
        simpler, connect):
    converge(simpler, connect, [dict(invoicingid="UPD-1", name="Old Name", nickname="upd1")])
    backend = SimplerCustomers(connect(simpler, simpler.transport))
    modify = backend.client.modify_customer

    def modify_then_go_down(*args):
        modify(*args)
        backend.read_one = down

    def down(customerid):
        raise BackendUnavailable("GET getCustomer: cannot connect: Connection refused")

    backend.client.modify_customer = modify_then_go_down
    with pytest.raises(ReconcileFailed) as failed:
        converge(simpler, connect, [dict(invoicingid="UPD-1", name="New Name")], backend)
    result = failed.value.result["results"][0]
    # the backend holds the new name: the task must not say nothing changed
    assert result["changed"] and result["unconfirmed"] and "not_written" not in result
    assert "updated; reading it back failed" in result["msg"]


def test_a_dropped_add_answer_leaves_exactly_one_customer(simpler, connect):
    simpler.emulator.faults.update({"drop_writes": 1, "only": "addCustomer"})
    result = converge(simpler, connect,
                      [dict(invoicingid="LOST-1", name="Lost One", nickname="lostone")])
    assert result["results"][0]["customer"]["nickname"] == "lostone"
    assert writes(simpler) == {"addCustomer": 1}
    assert nicknames(simpler, connect) == ["adacurrent", "lostone", "mgawlowskiXYZ193"]


def test_the_info_search_reads_only_what_its_lookups_match(simpler, connect):
    backend = SimplerCustomers(connect(simpler, simpler.transport))
    found = backend.search(dict(NO_LOOKUPS, nickname="adacurrent"))
    assert [r["invoicingid"] for r in found] == ["ADA-0001"]
    assert simpler.emulator.counters.snapshot()["reads"]["getCustomerData"] == 1
    assert [r["invoicingid"] for r in
            SimplerCustomers(connect(simpler, simpler.transport)).read_all()] == [
        "mgawlowskiXYZ193", "ADA-0001"]


def test_the_info_search_matches_exactly_what_it_narrowed_by_substring(simpler, connect):
    backend = SimplerCustomers(connect(simpler, simpler.transport))
    assert backend.search(dict(NO_LOOKUPS, nickname="ada")) == []
    everyone = SimplerCustomers(connect(simpler, simpler.transport)).search(
        dict(NO_LOOKUPS, filters={"customerstatus": "cur*"}))
    assert [r["nickname"] for r in everyone] == ["adacurrent"]


# --- per-record reads, concurrency at a time ------------------------------------------
def test_fetch_reads_many_customers_concurrency_at_a_time_in_the_keys_order(simpler, connect):
    records = [dict(invoicingid="CC-%03d" % n, name="Concurrent %d" % n, nickname="cc%03d" % n)
               for n in range(1, 21)]
    converge(simpler, connect, records)
    backend = SimplerCustomers(connect(simpler, simpler.transport, concurrency=4))
    counts = in_flight(backend.client.http)
    control(simpler, "counters", "DELETE")
    # Each request takes 50 ms on the server: requests sent together overlap.
    control(simpler, "faults", "PUT", {"latency_ms": 50})
    keys = [record["invoicingid"] for record in reversed(records)]
    keys.insert(7, "CC-999")  # nobody holds it
    found = backend.fetch(keys)
    assert list(found) == [key for key in keys if key != "CC-999"]
    assert [record["invoicingid"] for record in found.values()] == list(found)
    assert found["CC-007"]["name"] == "Concurrent 7" and found["CC-007"]["nickname"] == "cc007"
    assert counts["most"] == 4  # as many as the task allows, never more
    # one search per key, one read per customer found
    assert control(simpler, "counters")["reads"] == {"searchCustomer": 21, "getCustomerData": 20}


def test_the_nicknames_creates_claim_are_looked_up_concurrency_at_a_time(simpler, connect):
    # A create's nickname is checked against every customer before any write (one
    # searchCustomer each): planning 20 creates looks up 4 nicknames at a time, not
    # one after the other, and the refusal still names the record that clashes.
    backend = SimplerCustomers(connect(simpler, simpler.transport, concurrency=4))
    records = [dict(invoicingid="NC-%03d" % n, name="New %d" % n, nickname="nc%03d" % n)
               for n in range(20)]
    records[13]["nickname"] = "adacurrent"
    control(simpler, "faults", "PUT", {"latency_ms": 50})
    counts = in_flight(backend, "nickname_holder")
    engine = Reconciler(backend, check_mode=False, diff=False)
    with pytest.raises(ReconcileFailed) as failed:
        engine.plan([("present", record) for record in records])
    assert failed.value.message == (
        "nothing was changed: SIMPLer customer 'NC-013': nickname 'adacurrent' is already "
        "held by customer 2; SIMPLer would store it with a number appended. Choose another "
        "nickname, or rename that customer first")
    assert counts["most"] == 4
    assert writes(simpler) == {}
    # one search per invoicing id, one per nickname; a read of each match found
    assert control(simpler, "counters")["reads"]["searchCustomer"] == 40


# --- identities as SIMPLer stores them ---------------------------------------------------
def test_an_invoicing_id_is_written_and_found_without_the_spaces_around_it(simpler, connect):
    spaced = converge(simpler, connect, [dict(invoicingid=" SP-1 ", name="Spaced", nickname="sp1")])
    assert spaced["results"][0]["invoicingid"] == "SP-1"
    assert spaced["results"][0]["customer"]["invoicingid"] == "SP-1"
    # declared without them, or with them again, it is the same customer: no second add
    for declared in ("SP-1", "  SP-1"):
        again = converge(simpler, connect, [dict(invoicingid=declared, name="Spaced")])
        assert again["unchanged"] == 1
    assert writes(simpler) == {"addCustomer": 1}


def test_a_purge_never_takes_a_declared_spaced_invoicing_id_for_another(simpler, connect):
    converge(simpler, connect, [dict(invoicingid="PG-1", name="Kept", nickname="pg1"),
                                dict(invoicingid="PG-2", name="Gone", nickname="pg2")])
    engine = Reconciler(SimplerCustomers(connect(simpler, simpler.transport)))
    result = engine.apply(engine.plan([("present", {"invoicingid": " PG-1 "})],
                                      purge_scope={"invoicingid": "PG-*"}))
    assert [(r["invoicingid"], r["action"]) for r in result["results"]] == [
        ("PG-1", "none"), ("PG-2", "delete")]


# --- two runs that add one customer at once (issue 12) -------------------------------------
@pytest.mark.parametrize("declared, stored, serial", [
    ("RLINV004", "RLINV004001", True),
    ("RLINV004", "RLINV0041", True),
    ("RLINV004", "RLINV004", False),
    ("RLINV004", "RLINV004A", False),
    ("RLINV004", "RLINV004-1", False),
    ("RLINV004", "RLINV00", False),
    ("RLINV004", "XRLINV0041", False),
    ("RLINV004", "RLINV004\u00b2", False),  # a digit to str.isdigit, no serial number
])
def test_what_a_serial_number_appended_to_a_declared_id_looks_like(declared, stored, serial):
    assert serial_appended(declared, stored) is serial


def racing(simpler, connect, record):
    """Two runs of one task that both searched before either added: their engines and plans."""
    engines = [Reconciler(SimplerCustomers(connect(simpler, simpler.transport))),
               Reconciler(SimplerCustomers(connect(simpler, simpler.transport)))]
    return [(engine, engine.plan([("present", dict(record))])) for engine in engines]


def invoicing_ids(simpler, connect, prefix):
    return sorted(r["invoicingid"]
                  for r in SimplerCustomers(connect(simpler, simpler.transport)).read_all()
                  if r["invoicingid"].startswith(prefix))


@pytest.mark.parametrize("status, cleared", [(None, {}), ("current", {"modifyCustomer": 1})])
def test_the_run_whose_add_got_a_serial_number_deletes_its_own_and_reports_the_older(
        simpler, connect, status, cleared):
    record = dict(invoicingid="RLINV004", name="Race", nickname="rlinv004")
    if status:
        record["customerstatus"] = status
    (first, first_plan), (second, second_plan) = racing(simpler, connect, record)
    kept = first.apply(first_plan)["results"][0]["customer"]
    result = second.apply(second_plan)
    assert result["results"][0]["customer"]["customerid"] == kept["customerid"]
    assert result["results"][0]["customer"]["nickname"] == "rlinv004"
    assert invoicing_ids(simpler, connect, "RLINV") == ["RLINV004"]
    assert nicknames(simpler, connect) == ["adacurrent", "mgawlowskiXYZ193", "rlinv004"]
    # a current customer cannot be deleted: this run's leaves current first
    assert writes(simpler) == dict(cleared, addCustomer=2, deleteCustomer=1)
    assert second.backend.warnings == [
        "SIMPLer customer 'RLINV004': another run created it too, at the same time; the one "
        "this run created (id %d, stored as 'RLINV0041') was deleted, and the older kept"
        % (int(kept["customerid"]) + 1)]
    assert first.backend.warnings == []


def test_a_customer_holding_the_id_plus_digits_is_never_taken_for_a_twin(simpler, connect):
    converge(simpler, connect, [dict(invoicingid="HOLD-11", name="Older", nickname="hold11")])
    result = converge(simpler, connect, [dict(invoicingid="HOLD-1", name="New", nickname="hold1")])
    assert result["created"] == 1
    assert invoicing_ids(simpler, connect, "HOLD-") == ["HOLD-1", "HOLD-11"]
    assert writes(simpler) == {"addCustomer": 2}


def test_a_serial_numbered_add_whose_older_twin_is_gone_leaves_nothing_for_a_rerun(
        server, connect):
    server.transport = "rest"
    record = dict(invoicingid="GONE-1", name="Gone", nickname="gone1")
    (first, first_plan), (second, second_plan) = racing(server, connect, record)
    older = first.apply(first_plan)["results"][0]["customer"]["customerid"]
    backend = second.backend
    add_customer = backend.client.add_customer

    def add_then_lose_the_older(fields):
        customerid = add_customer(fields)
        backend.client.delete_customer(older)  # say, a run of state: absent meanwhile
        return customerid

    backend.client.add_customer = add_then_lose_the_older
    with pytest.raises(ReconcileFailed) as failed:
        second.apply(second_plan)
    # This run's serial-numbered add is deleted at once, whatever the older became:
    # the rerun finds GONE-1 missing and adds it, and nothing is left behind.
    assert failed.value.message == (
        "SIMPLer customer 'GONE-1': create failed: the server accepted the create, but it is "
        "not there when read back")
    assert invoicing_ids(server, connect, "GONE-") == []
    assert converge(server, connect, [record])["created"] == 1
    assert invoicing_ids(server, connect, "GONE-") == ["GONE-1"]


def test_a_twin_simpler_went_down_before_deleting_is_unconfirmed_never_not_written(
        simpler, connect):
    record = dict(invoicingid="DOWN-1", name="Down", nickname="down1")
    (first, first_plan), (second, second_plan) = racing(simpler, connect, record)
    first.apply(first_plan)
    backend = second.backend

    def down(_record):
        raise BackendUnavailable("SIMPLer cannot be reached: connection refused")

    backend.delete_twin = down
    with pytest.raises(ReconcileFailed) as failed:
        second.apply(second_plan)
    [twin] = failed.value.result["results"]
    # this run's add is made (DOWN-11 is left): changed, not confirmed
    assert twin["changed"] and twin["unconfirmed"] and "not_written" not in twin
    assert "stored as 'DOWN-11') could not be deleted, so it is left" in twin["msg"]
    assert invoicing_ids(simpler, connect, "DOWN-") == ["DOWN-1", "DOWN-11"]


def test_custom_fields_take_field_ids_and_single_values_only():
    # Written as custom_field_<id> parameters: another key names no field, and a
    # key such as __ansible_unsafe would break Ansible's JSON on the way (review).
    assert CUSTOMER.problems({"invoicingid": "I", "custom_fields": {"7": "a", "custom_field_8": 2}}) \
        == []
    assert CUSTOMER.problems({"invoicingid": "I", "custom_fields": {"__ansible_unsafe": "x"}}) == [
        "custom_fields key '__ansible_unsafe' is no custom field id (give its number, 7, or "
        "custom_field_7)"]
    assert CUSTOMER.problems({"invoicingid": "I", "custom_fields": {"7": {"a": 1}}}) == [
        "custom_fields 7 must be one value (text or a number), got dict"]
