"""IPDR customers through the reconcile engine: what is sent, and what is refused before."""

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.errors import AnswerLost
from ansible_collections.isp.provisioning.plugins.module_utils.ipdr.customers import (
    CUSTOMER,
    IpdrCustomers,
)
from ansible_collections.isp.provisioning.plugins.module_utils.reconcile import (
    Reconciler,
    ReconcileFailed,
)

SEEDED = {"id": 5, "Name": "Trisul", "Address": "Chennai", "Email": "demo@gmail.com",
          "PhoneNumber": "1234567890", "AltPhoneNumber": None, "UserID": "B68t19"}


class FakeClient:
    """Holds customers in memory and records every write."""

    def __init__(self, customers, lose_next_answer=False):
        self.store = {c["UserID"]: dict(c) for c in customers}
        self.writes = []
        self.reads = 0
        self.lose_next_answer = lose_next_answer

    def customers(self, sieve=None):
        self.reads += 1
        return [dict(c) for c in self.store.values()]

    def _maybe_lose(self):
        if self.lose_next_answer:
            self.lose_next_answer = False
            raise AnswerLost("answer lost")

    def create(self, fields):
        self.writes.append(("POST", fields))
        self.store[fields["UserID"]] = dict(fields, id=len(self.store) + 10)
        self._maybe_lose()
        return self.store[fields["UserID"]]

    def patch(self, user_id, fields):
        self.writes.append(("PATCH", user_id, fields))
        self.store[user_id].update(fields)
        self._maybe_lose()
        return self.store[user_id]

    def delete(self, user_id):
        self.writes.append(("DELETE", user_id))
        self.store.pop(user_id)
        return True


def converge(client, records, check_mode=False, purge_scope=None, purge_limit=10):
    engine = Reconciler(IpdrCustomers(client), check_mode=check_mode, diff=True)
    return engine.apply(engine.plan(records, purge_scope, purge_limit))


def test_wire_names_are_pascal_case_both_ways():
    record = IpdrCustomers().from_wire(SEEDED)
    assert record == {"id": 5, "user_id": "B68t19", "name": "Trisul", "address": "Chennai",
                      "email": "demo@gmail.com", "phone_number": "1234567890",
                      "alt_phone_number": None}
    assert IpdrCustomers().to_wire({"phone_number": 42, "alt_phone_number": "1", "id": 5}) == {
        "PhoneNumber": "42", "AltPhoneNumber": "1"}


def test_update_patches_only_the_differing_fields():
    client = FakeClient([SEEDED])
    result = converge(client, [("present", {"user_id": "B68t19", "name": "Trisul",
                                            "address": "India", "email": "demo@gmail.com"})])
    assert client.writes == [("PATCH", "B68t19", {"Address": "India"})]
    assert result["updated"] == 1
    assert result["diff"][0]["before"]["address"] == "Chennai"
    assert result["diff"][0]["after"]["address"] == "India"


def test_a_second_identical_run_sends_nothing():
    client = FakeClient([SEEDED])
    desired = [("present", {"user_id": "B68t19", "address": "India"})]
    converge(client, desired)
    client.writes = []
    result = converge(client, desired)
    assert client.writes == [] and result["changed"] is False


def test_null_and_empty_text_are_the_same_value():
    client = FakeClient([SEEDED])
    result = converge(client, [("present", {"user_id": "B68t19", "alt_phone_number": ""})])
    assert client.writes == [] and result["changed"] is False


def test_create_without_a_name_fails_before_any_write():
    client = FakeClient([SEEDED])
    records = [("present", {"user_id": "good", "name": "Good"}),
               ("present", {"user_id": "nameless", "email": "x@example.net"})]
    with pytest.raises(ReconcileFailed) as caught:
        converge(client, records)
    assert "IPDR customer 'nameless'" in caught.value.message
    assert "name is required" in caught.value.message
    assert client.writes == []


def test_check_mode_predicts_and_writes_nothing():
    client = FakeClient([SEEDED])
    result = converge(client, [("present", {"user_id": "new1", "name": "New"}),
                               ("absent", {"user_id": "B68t19"})], check_mode=True)
    assert client.writes == []
    assert (result["created"], result["deleted"]) == (1, 1)
    assert result["results"][0]["customer"]["name"] == "New"


def test_bulk_reads_the_backend_once():
    client = FakeClient([SEEDED])
    converge(client, [("present", {"user_id": f"u{n}", "name": f"N{n}"}) for n in range(5)])
    assert client.reads == 1 and len(client.writes) == 5


def test_purge_deletes_undeclared_customers_in_scope_only():
    other = dict(SEEDED, UserID="keep-me", id=6)
    lab = dict(SEEDED, UserID="lab-old", id=7)
    client = FakeClient([SEEDED, other, lab])
    result = converge(client, [("present", {"user_id": "lab-new", "name": "New"})],
                      purge_scope={"user_id": "lab-*"})
    assert ("DELETE", "lab-old") in client.writes
    assert sorted(client.store) == ["B68t19", "keep-me", "lab-new"]
    assert result["results"][-1]["purged"] is True


def test_a_lost_create_answer_is_read_back_and_not_sent_again():
    client = FakeClient([SEEDED], lose_next_answer=True)
    result = converge(client, [("present", {"user_id": "lost1", "name": "Lost"})])
    assert [w[0] for w in client.writes] == ["POST"]
    assert result["created"] == 1 and result["changed"] is True
    assert result["results"][0]["customer"]["user_id"] == "lost1"


def test_a_lost_answer_still_reports_the_change_and_the_state_before_it():
    client = FakeClient([SEEDED], lose_next_answer=True)
    result = converge(client, [("present", {"user_id": "B68t19", "address": "India"})])
    assert [w[0] for w in client.writes] == ["PATCH"]
    assert result["changed"] is True and result["updated"] == 1
    assert result["diff"][0]["before"]["address"] == "Chennai"
    assert result["diff"][0]["after"]["address"] == "India"


def test_a_user_id_with_a_dot_is_refused_before_any_write():
    dotted = dict(SEEDED, UserID="old.one", id=8)
    client = FakeClient([SEEDED, dotted])
    for records, purge in (
        ([("present", {"user_id": "a.b", "name": "Dot"})], None),
        ([("absent", {"user_id": "old.one"})], None),
        ([("present", {"user_id": "fine", "name": "Fine"})], {"user_id": "old*"}),
    ):
        with pytest.raises(ReconcileFailed) as caught:
            converge(client, records, purge_scope=purge)
        assert "contains '.'" in caught.value.message
    assert client.writes == []


# --- what the declarations give ---------------------------------------------------

def test_the_wire_mapping_is_derived_from_the_fields():
    adapter = IpdrCustomers()
    every = {"user_id": "u1", "name": "N", "address": "A", "email": "e@x",
             "phone_number": "1", "alt_phone_number": "2"}
    assert adapter.to_wire(every) == {"UserID": "u1", "Name": "N", "Address": "A", "Email": "e@x",
                                      "PhoneNumber": "1", "AltPhoneNumber": "2"}
    # the id is the server's: read, never written; values a task does not give are not sent
    assert adapter.to_wire({"id": 9, "name": None, "email": "e@x"}) == {"Email": "e@x"}
    assert adapter.from_wire({"UserID": 7, "Name": ""}) == {
        "user_id": "7", "name": "", "address": None, "email": None, "phone_number": None,
        "alt_phone_number": None, "id": None}
    # the id keeps the type the server gave it
    assert adapter.from_wire({"id": "12", "UserID": "u"})["id"] == "12"


def test_info_lookups_and_writable_fields_are_derived_from_the_fields():
    assert CUSTOMER.lookups == ("user_id",)
    assert CUSTOMER.filters == {}
    assert "id" not in {field.name for field in CUSTOMER.writable}


@pytest.mark.parametrize("name", [None, ""])
def test_a_create_without_a_name_is_refused_with_the_servers_reason(name):
    assert CUSTOMER.missing_on_create({"user_id": "u1", "name": name}) == (
        "name is required to create it (the server refuses a customer without a Name)")
    assert CUSTOMER.missing_on_create({"user_id": "u1", "name": "N"}) is None


def test_an_update_or_delete_needs_no_name():
    client = FakeClient([SEEDED])
    converge(client, [("present", {"user_id": "B68t19", "name": ""}),
                      ("absent", {"user_id": "missing"})])
    assert client.writes == [("PATCH", "B68t19", {"Name": ""})]


def test_a_dotted_user_id_is_refused_in_the_servers_terms():
    expected = ("user_id 'a.b' contains '.', which the server's /api/ipdrcustomers/<UserID> "
                "route reads as a format suffix (so it would address another customer): "
                "manage it in Trisul itself")
    assert CUSTOMER.problems({"user_id": "a.b", "name": "N"}) == [expected]
    assert CUSTOMER.problems({"user_id": "ab", "name": "N.x"}) == []
    client = FakeClient([SEEDED])
    with pytest.raises(ReconcileFailed) as caught:
        converge(client, [("present", {"user_id": "a.b", "name": "Dot"})])
    assert caught.value.message == f"nothing was changed: IPDR customer 'a.b': {expected}"


def test_a_purge_of_a_dotted_user_id_is_refused_naming_it():
    client = FakeClient([SEEDED, dict(SEEDED, UserID="old.one", id=8)])
    with pytest.raises(ReconcileFailed) as caught:
        converge(client, [("present", {"user_id": "fine", "name": "Fine"})],
                 purge_scope={"user_id": "old*"})
    assert caught.value.message.startswith(
        "nothing was changed: IPDR customer 'old.one': user_id 'old.one' contains '.'")
    assert client.writes == []
