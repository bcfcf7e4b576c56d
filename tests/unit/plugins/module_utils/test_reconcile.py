"""The reconcile engine against an in-memory backend: plan, check mode, purge, lost answers."""

import threading
import time

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.backend import (
    READ_LATER,
    EntityBackend,
)
from ansible_collections.isp.provisioning.plugins.module_utils.entity import EntitySpec, Field
from ansible_collections.isp.provisioning.plugins.module_utils.values import as_text
from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    AnswerLost,
    BackendError,
    BackendUnavailable,
    ValidationError,
)
from ansible_collections.isp.provisioning.plugins.module_utils.reconcile import (
    Reconciler,
    ReconcileFailed,
)


def as_unordered(value):
    """A set-like list: order has no meaning."""
    return None if value is None else sorted(value, key=repr)


SPEC = EntitySpec(
    name="thing",
    plural="things",
    identity="key",
    fields=[
        Field("key"),
        Field("size", type="int", normalise=as_text),
        Field("tags", type="list", normalise=as_unordered),
        Field("colour", updatable=False),
        Field("secret", no_log=True),
        Field("id", readonly=True),
    ],
)


class MemoryBackend(EntityBackend):
    spec = SPEC

    def __init__(self, records=(), lose=None):
        super().__init__()
        self.store = {r["key"]: dict(r) for r in records}
        self.writes = []
        self.reads = 0
        self.lose = lose  # (action, applied): lose the answer of this write once

    def read_all(self):
        self.reads += 1
        return [dict(r) for r in self.store.values()]

    def prepare(self, desired):
        if desired.get("size") == -1:
            raise ValidationError("size cannot be negative")
        return desired

    def _maybe_lose(self, action, apply):
        if self.lose and self.lose[0] == action:
            applied = self.lose[1]
            self.lose = None
            if applied:
                apply()
            raise AnswerLost("lost")
        apply()

    def create(self, desired):
        self.writes.append(("create", desired["key"]))
        record = dict(desired, id=len(self.store) + 1)
        self._maybe_lose("create", lambda: self.store.__setitem__(desired["key"], record))
        return dict(self.store[desired["key"]])

    def update(self, current, changes, desired):
        self.writes.append(("update", current["key"]))
        self._maybe_lose("update", lambda: self.store[current["key"]].update(changes))
        return dict(self.store[current["key"]])

    def delete(self, current):
        self.writes.append(("delete", current["key"]))
        self._maybe_lose("delete", lambda: self.store.pop(current["key"]))


def converge(backend, records, check_mode=False, diff=True, scope=None, limit=10, every=True):
    engine = Reconciler(backend, check_mode=check_mode, diff=diff, every=every)
    return engine.apply(engine.plan(records, scope, limit))


def test_create_update_none_delete_with_one_read():
    backend = MemoryBackend([{"key": "a", "size": 1, "id": 1}, {"key": "b", "size": 2, "id": 2}])
    result = converge(backend, [
        ("present", {"key": "a", "size": "1"}),  # "1" == 1 once normalised
        ("present", {"key": "b", "size": 3}),
        ("present", {"key": "c", "size": 4}),
        ("absent", {"key": "d"}),
    ])
    assert [r["action"] for r in result["results"]] == ["none", "update", "create", "none"]
    assert (result["created"], result["updated"], result["unchanged"]) == (1, 1, 2)
    assert result["results"][1]["changes"] == {"size": 3}
    assert backend.reads == 1
    assert backend.store["b"]["size"] == 3


def test_only_named_fields_are_compared_and_order_of_sets_is_ignored():
    backend = MemoryBackend([{"key": "a", "size": 1, "tags": ["x", "y"], "colour": "red"}])
    result = converge(backend, [("present", {"key": "a", "tags": ["y", "x"]})])
    assert result["changed"] is False
    assert backend.writes == []


def test_check_mode_writes_nothing_and_predicts_the_real_result():
    records = [("present", {"key": "a", "size": 5}), ("absent", {"key": "b"})]
    backend = MemoryBackend([{"key": "a", "size": 1, "id": 1}, {"key": "b", "id": 2}])
    predicted = converge(backend, records, check_mode=True)
    assert backend.writes == []
    real = converge(backend, records)
    assert predicted["diff"] == real["diff"]
    assert predicted["changed"] and real["changed"]


def test_diff_has_whole_records_and_hides_secrets():
    backend = MemoryBackend([{"key": "a", "size": 1, "secret": "hunter2", "id": 1}])
    result = converge(backend, [("present", {"key": "a", "size": 2})])
    diff = result["diff"][0]
    assert diff["before"] == {"key": "a", "size": 1, "id": 1}
    assert diff["after"] == {"key": "a", "size": 2, "id": 1}
    assert "hunter2" not in repr(result)


def test_every_invalid_record_is_reported_before_any_write():
    backend = MemoryBackend([{"key": "a", "colour": "red"}])
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, [
            ("present", {"key": "ok", "size": 1}),
            ("present", {"key": "neg", "size": -1}),
            ("present", {"key": "a", "colour": "blue"}),
            ("present", {"key": "ok", "size": 2}),
        ])
    message = failure.value.message
    assert "size cannot be negative" in message
    assert "colour cannot be changed" in message
    assert "'ok' is declared more than once" in message
    assert backend.writes == []


def test_purge_deletes_undeclared_records_in_scope_only():
    backend = MemoryBackend([
        {"key": "lab-1"}, {"key": "lab-2"}, {"key": "prod-1"},
    ])
    result = converge(backend, [("present", {"key": "lab-1"})], scope={"key": "lab-*"})
    assert sorted(backend.store) == ["lab-1", "prod-1"]
    assert result["deleted"] == 1
    assert result["results"][-1]["purged"] is True


def test_purge_over_the_limit_changes_nothing():
    backend = MemoryBackend([{"key": "lab-%d" % i} for i in range(5)])
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, [("present", {"key": "lab-0"})], scope={"key": "lab-*"}, limit=3)
    assert "purge_limit (3)" in failure.value.message
    assert backend.writes == []


@pytest.mark.parametrize("action, records, start", [
    ("create", [("present", {"key": "n", "size": 1})], []),
    ("update", [("present", {"key": "a", "size": 9})], [{"key": "a", "size": 1}]),
    ("delete", [("absent", {"key": "a"})], [{"key": "a", "size": 1}]),
])
def test_a_lost_answer_of_an_applied_write_is_read_back_not_resent(action, records, start):
    backend = MemoryBackend(start, lose=(action, True))
    result = converge(backend, records)
    assert backend.writes == [(action, records[0][1]["key"])]
    assert result["results"][0]["action"] == action
    assert result["changed"] is True


def test_a_lost_write_that_did_not_happen_is_sent_once_more():
    backend = MemoryBackend([], lose=("create", False))
    converge(backend, [("present", {"key": "n", "size": 1})])
    assert backend.writes == [("create", "n"), ("create", "n")]
    assert list(backend.store) == ["n"]


class DeletedMeanwhile(MemoryBackend):
    """An update whose answer is lost after someone deleted the record; a create must
    carry a size (as a backend's check refuses what it cannot create)."""

    def check(self, action, desired, current, changes):
        super().check(action, desired, current, changes)
        if action == "create" and desired.get("size") is None:
            raise ValidationError("a new thing needs a size")

    def update(self, current, changes, desired):
        self.writes.append(("update", current["key"]))
        del self.store[current["key"]]
        raise AnswerLost("lost")


def test_what_is_left_after_a_lost_answer_is_checked_before_it_is_sent():
    # Read back, the record is gone: what is left to send is a create, which the
    # backend's checks refuse here as they would have refused it in the plan.
    backend = DeletedMeanwhile([{"key": "a", "size": 1, "tags": ["x"]}])
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, [("present", {"key": "a", "tags": ["y"]})])
    assert "thing 'a': update failed: a new thing needs a size" in failure.value.message
    assert backend.writes == [("update", "a")]
    assert "a" not in backend.store


class Refusing(MemoryBackend):
    """Refuses every write to a key in ``refuse``; ``down`` makes the backend unusable there."""

    def __init__(self, records=(), refuse=(), down=None, **kwargs):
        super().__init__(records, **kwargs)
        self.refuse, self.down = set(refuse), down

    def _answer(self, action, key):
        if key == self.down:
            self.writes.append((action, key))
            raise BackendUnavailable("POST /x: cannot connect: [Errno 111] Connection refused")
        if key in self.refuse:
            self.writes.append((action, key))
            raise BackendError(f"the server said no to {key}")

    def create(self, desired):
        self._answer("create", desired["key"])
        return super().create(desired)

    def update(self, current, changes, desired):
        self._answer("update", current["key"])
        return super().update(current, changes, desired)

    def delete(self, current):
        self._answer("delete", current["key"])
        super().delete(current)


FIVE = [
    ("present", {"key": "new", "size": 1}),
    ("present", {"key": "bad", "size": 2}),
    ("present", {"key": "old", "size": 9}),
    ("absent", {"key": "gone"}),
    ("present", {"key": "worse", "size": 5}),
]
START = [{"key": "old", "size": 3, "id": 1}, {"key": "gone", "id": 2},
         {"key": "worse", "size": 4, "id": 3}]


def test_a_refused_record_does_not_stop_the_others():
    backend = Refusing(START, refuse={"bad", "worse"})
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, FIVE)
    assert backend.writes == [("create", "new"), ("create", "bad"), ("update", "old"),
                              ("delete", "gone"), ("update", "worse")]
    assert failure.value.message == (
        "2 of 5 writes were refused: thing 'bad': create failed: the server said no to bad; "
        "thing 'worse': update failed: the server said no to worse")
    result = failure.value.result
    assert [(r["key"], r["action"], r["changed"]) for r in result["results"]] == [
        ("new", "create", True), ("bad", "create", False), ("old", "update", True),
        ("gone", "delete", True), ("worse", "update", False)]
    assert [r.get("failed", False) for r in result["results"]] == [
        False, True, False, False, True]
    assert result["results"][1]["msg"] == "the server said no to bad"
    assert result["results"][4]["thing"] == {"key": "worse", "size": 4, "id": 3}  # untouched
    assert (result["created"], result["updated"], result["deleted"], result["unchanged"]) == (
        1, 1, 1, 0)
    assert result["changed"] is True
    assert [d["before_header"] for d in result["diff"]] == [
        "thing 'new'", "thing 'old'", "thing 'gone'"]
    assert result["failed_thing"] == "bad"


def test_a_task_whose_only_write_is_refused_fails_as_that_write_failed():
    backend = Refusing([], refuse={"bad"})
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, [("present", {"key": "bad"}), ("absent", {"key": "none"})])
    assert failure.value.message == "thing 'bad': create failed: the server said no to bad"
    assert failure.value.result["failed_thing"] == "bad"
    assert failure.value.result["changed"] is False
    assert failure.value.result["unchanged"] == 1


def test_one_refusal_among_many_writes_says_how_many_were_written():
    backend = Refusing([], refuse={"bad"})
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, [("present", {"key": "bad"}), ("present", {"key": "good"})])
    assert failure.value.message == (
        "1 of 2 writes was refused: thing 'bad': create failed: the server said no to bad")
    assert "good" in backend.store


def test_an_unusable_backend_stops_at_once_and_reports_what_was_done():
    backend = Refusing(START, down="old")
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, FIVE)
    assert backend.writes == [("create", "new"), ("create", "bad"), ("update", "old")]
    assert failure.value.message == (
        "thing 'old': update failed: POST /x: cannot connect: [Errno 111] Connection refused")
    result = failure.value.result
    # Every declared record is reported: the ones the stop kept from being written so.
    assert [(r["key"], r["index"], r.get("not_written", False), r["changed"])
            for r in result["results"]] == [
        ("new", 0, False, True), ("bad", 1, False, True), ("old", 2, True, False),
        ("gone", 3, True, False), ("worse", 4, True, False)]
    assert result["results"][2]["msg"] == (
        "not written: POST /x: cannot connect: [Errno 111] Connection refused")
    assert result["results"][3]["msg"] == (
        "not sent: the backend stopped the task before its turn")
    # a record never sent is shown as the backend holds it, not as it would have become
    assert result["results"][4]["thing"]["size"] == 4
    assert result["created"] == 2 and result["updated"] == result["deleted"] == 0
    assert result["unchanged"] == result["unconfirmed"] == 0
    assert result["failed_thing"] == "old"
    assert backend.store["gone"] == {"key": "gone", "id": 2}  # never attempted


def test_the_write_that_found_the_backend_down_shows_the_record_as_the_backend_holds_it():
    # never sent: not written, so the result shows no prediction of what it would have become
    backend = Refusing(START, down="old")
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, [("present", {"key": "old", "size": 9})])
    [old] = failure.value.result["results"]
    assert old["not_written"] and not old["changed"]
    assert old["thing"] == {"key": "old", "size": 3, "id": 1}
    assert failure.value.result["diff"] == []


class PartlyMade(MemoryBackend):
    """A two-step create: the first step's answer is lost after it is made (the
    record exists, without its size); then the backend goes down."""

    def create(self, desired):
        self.writes.append(("create", desired["key"]))
        if desired["key"] not in self.store:
            self.store[desired["key"]] = {"key": desired["key"], "id": 1}
            raise AnswerLost("POST /x: the answer was lost")
        raise AssertionError("a create read back as made is finished by an update")

    def update(self, current, changes, desired):
        self.writes.append(("update", current["key"]))
        raise BackendUnavailable("POST /x: cannot connect: [Errno 111] Connection refused")


def test_a_write_partly_made_before_the_backend_went_down_is_unconfirmed_not_unwritten():
    backend = PartlyMade()
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, [("present", {"key": "half", "size": 2}), ("present", {"key": "b"})])
    assert backend.writes == [("create", "half"), ("update", "half")]  # then it stops
    half, never = failure.value.result["results"]
    # the backend holds it, half-made: changed, run again - never "not written"
    assert half["changed"] and half["unconfirmed"] and "not_written" not in half
    assert half["msg"].startswith("partly made before its answer was lost")
    assert "cannot connect" in half["msg"]
    assert never["not_written"] and not never["changed"]
    assert failure.value.message.startswith("thing 'half': create not confirmed: partly made")


class Drifting(MemoryBackend):
    """An update whose answer is lost before it is made, while a field the task
    does not write changes by itself (as a UserSide balance does); the resend
    finds the backend down."""

    def update(self, current, changes, desired):
        self.writes.append(("update", current["key"]))
        if len(self.writes) == 1:
            self.store[current["key"]]["colour"] = "charged"  # by itself, meanwhile
            raise AnswerLost("POST /x: the answer was lost")
        raise BackendUnavailable("POST /x: cannot connect: [Errno 111] Connection refused")


def test_a_field_changing_by_itself_does_not_make_an_unsent_write_partly_made():
    backend = Drifting([{"key": "old", "size": 3, "colour": "plain", "id": 1}])
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, [("present", {"key": "old", "size": 9})])
    [old] = failure.value.result["results"]
    # the write's own field reads as before: nothing of it was made
    assert old["not_written"] and not old["changed"] and "unconfirmed" not in old


def test_a_backend_that_stops_after_refusals_names_them_too():
    backend = Refusing(START, refuse={"bad"}, down="old")
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, FIVE)
    assert backend.writes == [("create", "new"), ("create", "bad"), ("update", "old")]
    assert failure.value.message == (
        "thing 'old': update failed: POST /x: cannot connect: [Errno 111] Connection refused; "
        "before that, 1 of 2 writes was refused: thing 'bad': create failed: "
        "the server said no to bad")
    result = failure.value.result
    assert [(r["key"], r.get("failed", False), r.get("not_written", False))
            for r in result["results"]] == [
        ("new", False, False), ("bad", True, False), ("old", False, True),
        ("gone", False, True), ("worse", False, True)]
    assert result["created"] == 1
    assert result["failed_thing"] == "bad"  # the first record that failed


def test_a_backend_down_under_an_adapters_own_message_still_stops():
    class Wrapping(Refusing):
        def create(self, desired):
            try:
                return super().create(desired)
            except BackendError as exc:  # as UserSide's adapter adds what it undid
                raise BackendError(f"{exc}; the customer it added was deleted again")

    backend = Wrapping([], refuse={"a"}, down="b")
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, [("present", {"key": k}) for k in "abc"])
    assert backend.writes == [("create", "a"), ("create", "b")]
    assert failure.value.message.startswith("thing 'b': create failed: POST /x: cannot connect")


def test_check_mode_neither_writes_nor_meets_refusals():
    backend = Refusing(START, refuse={"bad", "worse"}, down="old")
    result = converge(backend, FIVE, check_mode=True)
    assert backend.writes == []
    assert (result["created"], result["updated"], result["deleted"]) == (2, 2, 1)
    assert not any("failed" in r for r in result["results"])


@pytest.mark.parametrize("timed_out", [False, True])
def test_a_lost_answer_read_back_as_done_counts_as_done_beside_a_refusal(timed_out):
    class Lossy(Refusing):
        def create(self, desired):
            if desired["key"] == "lost":
                self.writes.append(("create", "lost"))
                self.store["lost"] = dict(desired, id=7)
                raise AnswerLost("POST /x: the answer was lost", timed_out=timed_out)
            return super().create(desired)

    backend = Lossy([], refuse={"bad"})
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, [("present", {"key": "lost", "size": 1}),
                           ("present", {"key": "bad"}), ("present", {"key": "after"})])
    assert backend.writes == [("create", "lost"), ("create", "bad"), ("create", "after")]
    result = failure.value.result
    assert result["created"] == 2
    assert result["results"][0]["changed"] is True and "failed" not in result["results"][0]
    assert result["results"][0]["thing"]["id"] == 7  # as read back
    assert failure.value.message == (
        "1 of 3 writes was refused: thing 'bad': create failed: the server said no to bad")


def test_a_lost_answer_not_sent_again_is_a_refusal_not_a_stop():
    class Slow(MemoryBackend):
        def create(self, desired):
            if desired["key"] == "slow":
                self.writes.append(("create", "slow"))
                raise AnswerLost("POST /x: the answer was lost: read timed out", timed_out=True)
            return super().create(desired)

    backend = Slow([])
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, [("present", {"key": "slow"}), ("present", {"key": "next"})])
    assert backend.writes == [("create", "slow"), ("create", "next")]
    assert "thing 'slow': create failed:" in failure.value.message
    assert "not sent again" in failure.value.message
    assert failure.value.result["created"] == 1


class ListOnlyBackend(MemoryBackend):
    """A backend whose only read is the whole list: it defers read-backs."""

    def create(self, desired):
        super().create(desired)
        return READ_LATER

    def update(self, current, changes, desired):
        super().update(current, changes, desired)
        return READ_LATER


def test_deferred_read_backs_cost_one_read_for_the_whole_task():
    backend = ListOnlyBackend([{"key": "a", "size": 1, "id": 1}])
    result = converge(backend, [("present", {"key": "a", "size": 2}),
                                ("present", {"key": "b", "size": 3}),
                                ("present", {"key": "c", "size": 4})])
    assert backend.reads == 2  # one to plan, one to read back every write
    assert [r["thing"]["size"] for r in result["results"]] == [2, 3, 4]
    assert result["results"][1]["thing"]["id"] == 2  # what the backend assigned


class ListedTwins(MemoryBackend):
    """Finds twins in its list, as the CRM does."""

    def twins(self, created):
        return [r for r in self.all_records() if r["key"] == created["key"]]


class DeferredListedTwins(ListedTwins, ListOnlyBackend):
    """...and defers its read-backs to one read of that list, as the CRM does."""


def test_the_read_back_after_the_last_write_is_also_the_read_for_twins():
    backend = DeferredListedTwins([{"key": "a", "size": 1, "id": 1}])
    converge(backend, [("present", {"key": "b"}), ("present", {"key": "c"})])
    assert backend.reads == 2  # one to plan, one after the writes: not one more for twins


def test_without_a_read_after_the_writes_twins_are_looked_for_in_a_fresh_read():
    backend = ListedTwins([{"key": "a", "size": 1, "id": 1}])
    converge(backend, [("present", {"key": "b"}), ("present", {"key": "c"})])
    assert backend.reads == 2  # one to plan, one for twins: never the one from before


class RefusingListOnly(Refusing, ListOnlyBackend):
    """Defers its read-backs, and refuses some writes."""


def test_deferred_read_backs_are_read_once_at_the_end_even_when_some_were_refused():
    backend = RefusingListOnly([{"key": "a", "size": 1, "id": 1}], refuse={"b"})
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, [("present", {"key": "a", "size": 2}),
                           ("present", {"key": "b", "size": 3}),
                           ("present", {"key": "c", "size": 4})])
    assert backend.reads == 2
    result = failure.value.result
    assert [r["thing"] for r in result["results"]] == [
        {"key": "a", "size": 2, "id": 1}, None, {"key": "c", "size": 4, "id": 2}]
    assert (result["created"], result["updated"]) == (1, 1)
    assert failure.value.message == (
        "1 of 3 writes was refused: thing 'b': create failed: the server said no to b")


def test_each_deferred_record_missing_on_read_back_is_refused_and_the_others_kept():
    class Forgetful(ListOnlyBackend):
        def create(self, desired):
            if desired["key"].startswith("ghost"):
                return READ_LATER  # says yes, stores nothing
            return super().create(desired)

    with pytest.raises(ReconcileFailed) as failure:
        converge(Forgetful([]), [("present", {"key": k}) for k in ("ghost1", "real", "ghost2")])
    assert failure.value.message == (
        "2 of 3 writes were refused: thing 'ghost1': create failed: the server accepted the "
        "create, but it is not there when read back; thing 'ghost2': create failed: the server "
        "accepted the create, but it is not there when read back")
    result = failure.value.result
    assert [r.get("failed", False) for r in result["results"]] == [True, False, True]
    assert result["created"] == 1 and result["failed_thing"] == "ghost1"


def test_a_deferred_record_missing_on_read_back_fails_the_task():
    class Vanishing(ListOnlyBackend):
        def create(self, desired):
            return READ_LATER  # says yes, stores nothing

    with pytest.raises(ReconcileFailed) as failure:
        converge(Vanishing([]), [("present", {"key": "ghost"})])
    assert "not there when read back" in failure.value.message


class CaseFoldingBackend(MemoryBackend):
    """A server that stores identities in lower case (as UserSide does e-mails)."""

    def canonical_key(self, key):
        return key.lower()

    def read_all(self):
        return [dict(r, key=r["key"].lower()) for r in super().read_all()]


def test_purge_never_takes_a_declared_record_for_an_undeclared_one():
    backend = CaseFoldingBackend([{"key": "bea@example.net"}, {"key": "old@example.net"}])
    result = converge(backend, [("present", {"key": "Bea@Example.net"})], scope={"key": "*"})
    assert [(r["key"], r["action"]) for r in result["results"]] == [
        ("Bea@Example.net", "none"), ("old@example.net", "delete")]
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, [("present", {"key": "A@x"}), ("present", {"key": "a@X"})])
    assert "declared more than once" in failure.value.message


def test_a_write_that_timed_out_is_not_resent_when_the_read_does_not_find_it_yet():
    class Slow(MemoryBackend):
        def create(self, desired):
            self.writes.append(("create", desired["key"]))
            raise AnswerLost("POST /x: the answer was lost: read timed out", timed_out=True)

    backend = Slow([])
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, [("present", {"key": "n"})])
    assert backend.writes == [("create", "n")]
    assert "not sent again" in failure.value.message


def test_a_lost_create_that_read_back_shows_half_done_is_still_reported_as_a_create():
    class Half(MemoryBackend):
        def create(self, desired):
            self.writes.append(("create", desired["key"]))
            self.store[desired["key"]] = {"key": desired["key"], "size": None, "id": 9}
            raise AnswerLost("lost")

    backend = Half([])
    result = converge(backend, [("present", {"key": "n", "size": 5})])
    assert result["created"] == 1 and result["updated"] == 0
    assert result["diff"][0]["before"] == {}
    assert backend.writes == [("create", "n"), ("update", "n")]


def test_a_secret_that_cannot_change_is_not_shown_in_the_refusal():
    spec = EntitySpec(name="sim", plural="sims", identity="key",
                      fields=[Field("key"), Field("ki", no_log=True, updatable=False)])

    class Sims(MemoryBackend):
        pass

    Sims.spec = spec
    with pytest.raises(ReconcileFailed) as failure:
        converge(Sims([{"key": "s", "ki": "TOPSECRETKI"}]), [("present", {"key": "s", "ki": "X"})])
    assert "ki cannot be changed" in failure.value.message
    assert "TOPSECRETKI" not in failure.value.message


# --- concurrency and shards ----------------------------------------------------------
class PooledBackend(MemoryBackend):
    """A backend whose writes take a while, sent ``concurrency`` at a time."""

    concurrency = 4

    def __init__(self, records=(), refuse=(), down_at=None):
        super().__init__(records)
        self.refuse = set(refuse)
        self.down_at = down_at
        self.lock = threading.Lock()
        self.running = self.most = 0

    def create(self, desired):
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(0.02)
            if desired["key"] == self.down_at:
                raise BackendUnavailable("POST /things: cannot connect: refused")
            if desired["key"] in self.refuse:
                raise BackendError("the server refused " + desired["key"])
            return super().create(desired)
        finally:
            with self.lock:
                self.running -= 1


def test_concurrent_writes_keep_the_declared_order_and_the_bound():
    backend = PooledBackend()
    keys = ["k%02d" % n for n in range(20)]
    result = converge(backend, [("present", {"key": k, "size": 1}) for k in keys])
    assert [r["key"] for r in result["results"]] == keys
    assert result["created"] == 20 and sorted(backend.store) == keys
    assert backend.most == 4


def test_concurrent_refusals_do_not_stop_the_others_and_are_each_named():
    backend = PooledBackend(refuse={"k03", "k11"})
    keys = ["k%02d" % n for n in range(16)]
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, [("present", {"key": k}) for k in keys])
    assert "2 of 16 writes were refused" in failure.value.message
    assert "'k03'" in failure.value.message and "'k11'" in failure.value.message
    assert sorted(backend.store) == sorted(set(keys) - {"k03", "k11"})
    results = failure.value.result["results"]
    assert [r["key"] for r in results] == keys
    assert [r["key"] for r in results if r.get("failed")] == ["k03", "k11"]


def test_a_backend_down_mid_pool_sends_nothing_new_and_reports_what_was_written():
    backend = PooledBackend(down_at="k05")
    keys = ["k%02d" % n for n in range(40)]
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, [("present", {"key": k}) for k in keys])
    assert "'k05': create failed: POST /things: cannot connect" in failure.value.message
    written = sorted(backend.store)
    # Only the writes in flight when k05 failed went on: far fewer than the 40.
    assert len(written) < 12
    reported = [r["key"] for r in failure.value.result["results"] if not r.get("not_written")]
    assert reported == [k for k in keys if k in backend.store]
    assert [r["index"] for r in failure.value.result["results"]] == list(range(40))
    assert failure.value.result["failed_thing"] == "k05"


def test_shards_sharing_a_purge_delete_each_undeclared_record_once_and_nothing_declared():
    from ansible_collections.isp.provisioning.plugins.module_utils.shard import (
        Partition,
        shard_of,
    )

    declared = ["d%03d" % n for n in range(60)]
    strays = ["s%03d" % n for n in range(30)]
    backend = MemoryBackend([{"key": k} for k in declared + strays])
    count = 3
    mine = {i: [k for k in declared if shard_of(k, count) == i] for i in range(count)}
    for index in range(count):
        keep = [k for k in declared if shard_of(k, count) == index and k not in mine[index]]
        engine = Reconciler(backend)
        backend.forget()
        engine.apply(engine.plan([("present", {"key": k}) for k in mine[index]],
                                 {"key": "*"}, 100, Partition(SPEC, index, count, keep=keep)))
    assert sorted(backend.store) == declared
    assert sorted(k for action, k in backend.writes if action == "delete") == strays


def test_a_shards_purge_limit_counts_only_that_shards_share():
    from ansible_collections.isp.provisioning.plugins.module_utils.shard import (
        Partition,
        shard_of,
    )

    strays = ["s%03d" % n for n in range(40)]
    backend = MemoryBackend([{"key": "keep"}] + [{"key": k} for k in strays])
    share = [k for k in strays if shard_of(k, 4) == 0]
    engine = Reconciler(backend)
    with pytest.raises(ReconcileFailed, match="more than purge_limit .* on shard 0 of 4"):
        engine.plan([("present", {"key": "keep"})], {"key": "*"}, len(share) - 1,
                    Partition(SPEC, 0, 4))
    items = engine.plan([("present", {"key": "keep"})], {"key": "*"}, len(share),
                        Partition(SPEC, 0, 4))
    assert sorted(item.key for item in items if item.purged) == share


def test_results_without_records_keep_what_the_plan_needs_and_the_diff_keeps_the_records():
    backend = MemoryBackend([{"key": "a", "size": 1, "id": 1}, {"key": "b", "size": 2, "id": 2}])
    engine = Reconciler(backend, diff=True, records=False)
    result = engine.apply(engine.plan([("present", {"key": "a", "size": 1}),
                                       ("present", {"key": "b", "size": 3})]))
    assert result["results"] == [
        {"key": "a", "index": 0, "action": "none", "changed": False},
        {"key": "b", "index": 1, "action": "update", "changed": True, "changes": {"size": 3}},
    ]
    assert result["diff"][0]["after"] == {"key": "b", "size": 3, "id": 2}


def test_results_changed_lists_only_what_has_something_to_report_by_index():
    backend = Refusing(START, refuse={"bad"})
    every = Refusing(START, refuse={"bad"})
    declared = FIVE + [("present", {"key": "same", "size": 7})]
    backend.store["same"] = every.store["same"] = {"key": "same", "size": 7, "id": 4}
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, declared, every=False)
    with pytest.raises(ReconcileFailed) as failure_all:
        converge(every, declared)
    result, result_all = failure.value.result, failure_all.value.result
    assert [(r["key"], r["index"], r["action"]) for r in result["results"]] == [
        ("new", 0, "create"), ("bad", 1, "create"), ("old", 2, "update"),
        ("gone", 3, "delete"), ("worse", 4, "update")]
    assert result["results"] == [r for r in result_all["results"] if r["key"] != "same"]
    assert {k: v for k, v in result.items() if k != "results"} == {
        k: v for k, v in result_all.items() if k != "results"}
    assert result["unchanged"] == 1


def test_results_changed_in_check_mode_lists_what_would_change_and_its_diff():
    backend = MemoryBackend([{"key": "a", "size": 1, "id": 1}, {"key": "b", "size": 2, "id": 2},
                             {"key": "x", "id": 3}])
    engine = Reconciler(backend, check_mode=True, diff=True, every=False)
    result = engine.apply(engine.plan([("present", {"key": "a", "size": 1}),
                                       ("present", {"key": "b", "size": 3})],
                                      {"key": "*"}, 10))
    assert [(r["key"], r.get("index"), r["action"]) for r in result["results"]] == [
        ("b", 1, "update"), ("x", None, "delete")]
    assert [d["before"]["key"] for d in result["diff"]] == ["b", "x"]
    assert backend.store["b"]["size"] == 2 and "x" in backend.store


class RacedBackend(MemoryBackend):
    """A server that keeps a second record of one identity, apart by its own id (SIMPLer's
    invoicing ids): ``raced`` are the records another run created meanwhile, by key."""

    def __init__(self, raced=(), refuse_twin=None, twins_fail=None):
        super().__init__()
        self.raced = {r["key"]: dict(r) for r in raced}
        self.refuse_twin = refuse_twin  # the error deleting a twin raises
        self.twins_fail = twins_fail  # the error reading twins raises

    def twins(self, created):
        if self.twins_fail is not None:
            raise self.twins_fail
        others = [self.raced[created["key"]]] if created["key"] in self.raced else []
        return sorted(others + [created], key=self.record_id)

    def record_id(self, record):
        return record["id"]

    def delete_twin(self, record):
        if self.refuse_twin is not None:
            raise self.refuse_twin
        super().delete_twin(record)


def test_a_younger_twin_of_the_same_identity_is_told_apart_by_the_servers_id():
    backend = RacedBackend([{"key": "a", "id": 0}, {"key": "b", "id": 9}])
    result = converge(backend, [("present", {"key": "a"}), ("present", {"key": "b"}),
                                ("present", {"key": "c"})])
    # a: the other run's (id 0) is older, this run's is deleted; b: this run's (id 2) is older
    assert backend.writes == [("create", "a"), ("create", "b"), ("create", "c"), ("delete", "a")]
    assert [r["thing"]["id"] for r in result["results"]] == [0, 2, 3]
    assert result["created"] == 3
    assert backend.warnings == [
        "thing 'a': another run created it too, at the same time (id 0); the one this run "
        "created (id 1) was deleted, and the older kept"]


def test_a_twin_that_cannot_be_deleted_is_that_records_refusal_naming_both():
    backend = RacedBackend([{"key": "a", "id": 0}], refuse_twin=BackendError("in use"))
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, [("present", {"key": "a"}), ("present", {"key": "b"})])
    assert failure.value.message == (
        "1 of 2 writes was refused: thing 'a': create failed: another run created it too, at "
        "the same time (id 0); deleting the one this run created (id 1) failed, so both are "
        "left: in use")
    assert failure.value.result["created"] == 1
    # refused, but made all the same: changed, with the record it made (review)
    refused = failure.value.result["results"][0]
    assert refused["failed"] and refused["changed"] and refused["thing"]["id"] == 1


def test_twins_an_adapter_cannot_sort_out_are_each_records_refusal():
    backend = RacedBackend(twins_fail=ValidationError("stored as a1"))
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, [("present", {"key": "a"})])
    assert failure.value.message == "thing 'a': create failed: stored as a1"
    assert failure.value.result["changed"] and failure.value.result["results"][0]["changed"]


def test_a_failing_read_for_twins_leaves_the_create_written_not_confirmed():
    backend = RacedBackend(twins_fail=BackendError("GET /things answered HTTP 503"))
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, [("present", {"key": "a"})])
    assert failure.value.message.startswith(
        "thing 'a': create not confirmed: created; reading it back, for twins another run may "
        "have made, failed: GET /things answered HTTP 503; run the task again")
    [item] = failure.value.result["results"]
    assert item["changed"] and item["unconfirmed"] and "failed" not in item


def test_a_backend_down_while_looking_for_twins_stops_the_task():
    backend = RacedBackend(twins_fail=BackendUnavailable("connection refused"))
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, [("present", {"key": "a"}), ("present", {"key": "b"})])
    assert failure.value.message.startswith(
        "reading the things created back, for twins another run may have made, failed: "
        "connection refused; run the task again")


# --- written, not confirmed (issue 16) ---------------------------------------------------
class ReadFailing(ListOnlyBackend):
    """Defers its read-backs; every read after the first (the plan's) fails with ``error``."""

    def __init__(self, records=(), error=None, **kwargs):
        super().__init__(records, **kwargs)
        self.error = error or BackendError("GET /things answered HTTP 503: emulated failure")

    def read_all(self):
        if self.reads:
            self.reads += 1
            raise self.error
        return super().read_all()


def test_writes_whose_batched_read_back_fails_are_written_not_confirmed_never_failed():
    backend = ReadFailing([{"key": "a", "size": 1, "id": 1}])
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, [("present", {"key": "a", "size": 2}),
                           ("present", {"key": "b", "size": 3})])
    assert backend.writes == [("update", "a"), ("create", "b")]
    assert "update failed" not in failure.value.message
    assert failure.value.message == (
        "2 of 2 writes were not confirmed: thing 'a': update not confirmed: written; reading it "
        "back failed: GET /things answered HTTP 503: emulated failure; thing 'b': create not "
        "confirmed: written; reading it back failed: GET /things answered HTTP 503: emulated "
        "failure; run the task again: it reads them afresh and writes only what is still missing")
    result = failure.value.result
    assert [(r["action"], r["changed"], r.get("unconfirmed"), "failed" in r)
            for r in result["results"]] == [("update", True, True, False),
                                            ("create", True, True, False)]
    assert result["results"][1]["msg"].startswith("written; reading it back failed")
    predicted = {"key": "b", "size": 3, "tags": None, "colour": None, "id": None}
    assert result["results"][1]["thing"] == predicted  # nothing was read
    assert (result["changed"], result["created"], result["updated"], result["unconfirmed"]) == (
        True, 0, 0, 2)
    assert result["failed_thing"] == "a"
    # a rerun reads them afresh, finds them written and sends nothing
    backend.reads = 0
    again = converge(backend, [("present", {"key": "a", "size": 2}),
                               ("present", {"key": "b", "size": 3})])
    assert again["changed"] is False and backend.writes == [("update", "a"), ("create", "b")]


def test_a_lost_answer_whose_read_back_fails_is_not_confirmed_and_not_sent_again():
    backend = ReadFailing([], lose=("create", True))
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, [("present", {"key": "n"}), ("present", {"key": "m"})])
    assert backend.writes == [("create", "n"), ("create", "m")]
    item = failure.value.result["results"][0]
    assert item["unconfirmed"] is True and item["changed"] is True and "failed" not in item
    assert item["msg"] == ("sent, but the answer was lost (lost); reading it back failed: "
                           "GET /things answered HTTP 503: emulated failure")
    assert "thing 'n': create not confirmed: sent, but the answer was lost" in (
        failure.value.message)


def test_a_read_back_that_finds_the_backend_down_stops_it_and_is_still_not_a_failed_write():
    backend = ReadFailing([], lose=("create", True),
                          error=BackendUnavailable("GET /things: no answer: reset"))
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, [("present", {"key": "n"})])
    assert failure.value.message == (
        "thing 'n': create not confirmed: sent, but the answer was lost (lost); reading it back "
        "failed: GET /things: no answer: reset")
    assert failure.value.result["results"][0]["unconfirmed"] is True
    assert failure.value.result["failed_thing"] == "n"


def test_an_adapter_that_could_not_read_its_write_back_reports_it_not_confirmed():
    from ansible_collections.isp.provisioning.plugins.module_utils.backend import confirmed

    class OwnReadFails(MemoryBackend):
        def create(self, desired):
            super().create(desired)
            return confirmed(self._fail)

        def _fail(self):
            raise BackendError("get_data answered HTTP 500")

    backend = OwnReadFails([])
    with pytest.raises(ReconcileFailed) as failure:
        converge(backend, [("present", {"key": "n"}), ("present", {"key": "m"})])
    assert [r.get("unconfirmed") for r in failure.value.result["results"]] == [True, True]
    assert "create failed" not in failure.value.message
    assert sorted(backend.store) == ["m", "n"]


def test_a_second_lost_answer_is_read_back_too_and_counts_as_done_when_it_was():
    class LosesTwice(MemoryBackend):
        def update(self, current, changes, desired):
            self.writes.append(("update", current["key"]))
            if len(self.writes) == 1:
                raise AnswerLost("lost before it happened")
            self.store[current["key"]].update(changes)
            raise AnswerLost("lost after it happened")

    backend = LosesTwice([{"key": "a", "size": 1}])
    result = converge(backend, [("present", {"key": "a", "size": 2})])
    assert backend.writes == [("update", "a"), ("update", "a")]
    assert result["updated"] == 1 and result["unconfirmed"] == 0


def test_a_shards_read_keeps_only_the_declared_records_and_its_purge_share():
    from ansible_collections.isp.provisioning.plugins.module_utils.shard import (
        Partition,
        shard_of,
    )

    keys = ["k%03d" % n for n in range(400)]
    declared = keys[::10]  # ten times more records on the backend than declared
    backend = MemoryBackend([{"key": k, "size": 1} for k in keys])
    engine = Reconciler(backend)
    items = engine.plan([("present", {"key": k, "size": 2}) for k in declared],
                        {"key": "*"}, 400, Partition(SPEC, 0, 4))
    share = [k for k in keys if k not in declared and shard_of(k, 4) == 0]
    # the index the task holds: what it declared, and what its purge may delete
    assert sorted(r["key"] for r in backend.all_records()) == sorted(declared + share)
    assert len(backend.all_records()) < len(keys) / 3
    assert [item.key for item in items if not item.purged] == declared
    assert all(item.action == "update" for item in items if not item.purged)
    assert sorted(item.key for item in items if item.purged) == share
    engine.apply(items)
    assert sorted(backend.store) == sorted(set(keys) - set(share))


def test_a_read_without_purge_keeps_only_declared_records_and_finds_them_as_compared():
    class Folding(MemoryBackend):
        def canonical_key(self, key):
            return key.casefold()

    backend = Folding([{"key": k, "id": n} for n, k in enumerate(["A", "b", "c", "d"])])
    result = converge(backend, [("present", {"key": "a", "size": 1}),
                                ("present", {"key": "new", "size": 2})], scope=None)
    assert backend.all_records() == [{"key": "A", "id": 0, "size": 1}, {"key": "new", "size": 2,
                                                                        "id": 5}]
    assert [r["action"] for r in result["results"]] == ["update", "create"]


def test_a_purge_that_is_no_shards_share_keeps_every_record_it_may_delete():
    backend = MemoryBackend([{"key": k} for k in ["a", "b", "c"]])
    result = converge(backend, [("present", {"key": "a"})], scope={"key": "*"})
    assert result["deleted"] == 2 and sorted(backend.store) == ["a"]
