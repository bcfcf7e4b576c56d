"""The bounded pool: order kept, never more than ``size`` at once, stop on a dead backend."""

import threading
import time

import pytest

from ansible_collections.isp.provisioning.plugins.module_utils.pool import Pool


class Gauge:
    """Counts how many calls are running at once."""

    def __init__(self):
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.threads = set()

    def __call__(self, item):
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.threads.add(threading.get_ident())
        time.sleep(0.01)
        with self.lock:
            self.running -= 1
        if item == "bad":
            raise ValueError("refused " + item)
        return item.upper()


@pytest.mark.parametrize("size", [1, 3])
def test_values_come_back_in_the_items_order_and_never_more_than_size_run(size):
    gauge = Gauge()
    items = ["a%d" % n for n in range(12)]
    assert Pool(size).values(gauge, items) == [item.upper() for item in items]
    assert gauge.most == size


def test_size_one_runs_in_the_calling_thread():
    gauge = Gauge()
    Pool(1).values(gauge, ["a", "b"])
    assert gauge.threads == {threading.get_ident()}


def test_an_error_is_one_items_outcome_and_the_others_still_run():
    outcomes = Pool(3).map(Gauge(), ["a", "bad", "c", "d"])
    assert [o.value for o in outcomes] == ["A", None, "C", "D"]
    assert str(outcomes[1].error) == "refused bad"


def test_values_raises_the_first_error_in_the_items_order():
    with pytest.raises(ValueError, match="refused bad"):
        Pool(2).values(Gauge(), ["a", "bad", "c"])


def test_an_error_that_stops_leaves_items_not_yet_started_unsent():
    sent = []

    def work(item):
        sent.append(item)
        if item == 2:
            raise ConnectionError("down")
        return item

    outcomes = Pool(1).map(work, range(6), stops=lambda error: isinstance(error, ConnectionError))
    assert sent == [0, 1, 2]
    assert [o.skipped for o in outcomes] == [False, False, False, True, True, True]


def test_threads_stop_taking_items_once_an_error_stops_and_finish_those_running():
    started, lock = [], threading.Lock()

    def work(item):
        with lock:
            started.append(item)
        time.sleep(0.01)
        if item == 3:
            raise ConnectionError("down")
        return item

    outcomes = Pool(3).map(work, range(40), stops=lambda error: isinstance(error, ConnectionError))
    assert isinstance(outcomes[3].error, ConnectionError)
    ran = [index for index, outcome in enumerate(outcomes) if not outcome.skipped]
    assert sorted(started) == ran and len(ran) < 10
    assert all(outcome.value == index for index, outcome in enumerate(outcomes)
               if index in ran and index != 3)


def test_an_interrupt_in_a_thread_is_raised_in_the_calling_thread_and_nothing_more_starts():
    started = []

    def work(item):
        started.append(item)
        time.sleep(0.01)
        if item == 1:
            raise KeyboardInterrupt
        return item

    with pytest.raises(KeyboardInterrupt):
        Pool(2).map(work, range(40))
    assert len(started) < 6


def test_a_thread_that_cannot_start_stops_the_items_not_yet_sent(monkeypatch):
    """The process may start no more threads (a limit on processes): the error is
    raised, and the thread already running sends no item after the one it holds."""
    sent, holding = [], threading.Event()
    start = threading.Thread.start
    starts = []

    def start_one_only(thread):
        starts.append(thread)
        if len(starts) > 1:
            raise RuntimeError("can't start new thread")
        start(thread)

    def work(item):
        sent.append(item)
        holding.wait(5)
        return item

    monkeypatch.setattr(threading.Thread, "start", start_one_only)
    with pytest.raises(RuntimeError, match="can't start new thread"):
        Pool(4).map(work, range(20))
    holding.set()
    starts[0].join(5)
    assert sent == [0]
