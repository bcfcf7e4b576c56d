# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""A bounded pool: a task's requests, ``size`` at a time, results in the items' order.

A real backend's latency multiplies by the record count when one request
waits for the last; a pool bounded by the task's ``concurrency`` overlaps
them without flooding the server. Threads, not processes: the work is
waiting on sockets, and every thread shares the task's HTTP session (one
connection pool, one Retry-After pause, one set of masked secrets).

``size`` 1 runs every item in the calling thread, in order: exactly what a
task did before the pool existed.

The threads take the items in turn, each the next not yet taken, and put
each outcome in its place: ``concurrent.futures`` would hand every item to a
thread as a future and every outcome back through it (a future, a condition
and a wake-up of the calling thread per item: at two requests a record, a
tenth of a module's CPU).
"""

from __future__ import annotations

import threading


class Outcome:
    """What became of one item: ``value``, or the ``error`` it raised, or
    ``skipped`` when the pool stopped before it started."""

    __slots__ = ("value", "error", "skipped")

    def __init__(self, value=None, error=None, skipped=False):
        self.value = value
        self.error = error
        self.skipped = skipped


class Pool:
    def __init__(self, size=1):
        self.size = max(1, int(size or 1))

    def map(self, work, items, stops=None):
        """``work(item)`` for every item; a list of :class:`Outcome`, in the items' order.

        ``stops(error)`` says whether an error means no item not yet started
        should start (a backend that is down). Items already running finish:
        a request in flight cannot be called back, and its outcome must be known.
        Exceptions other than ``Exception`` subclasses (KeyboardInterrupt) are
        not caught.
        """
        items = list(items)
        stopped = threading.Event()

        def one(item):
            if stopped.is_set():
                return Outcome(skipped=True)
            try:
                return Outcome(value=work(item))
            except Exception as error:  # pylint: disable=broad-exception-caught
                if stops is not None and stops(error):
                    stopped.set()
                return Outcome(error=error)

        if self.size == 1 or len(items) < 2:
            return [one(item) for item in items]
        outcomes = [None] * len(items)
        taking = threading.Lock()
        untaken = iter(range(len(items)))
        escaped = []  # what is no Exception (KeyboardInterrupt): raised in the calling thread

        def take_in_turn():
            while not escaped:
                with taking:
                    index = next(untaken, None)
                if index is None:
                    return
                try:
                    outcomes[index] = one(items[index])
                except BaseException as error:  # pylint: disable=broad-exception-caught
                    escaped.append(error)
                    stopped.set()

        threads = [threading.Thread(target=take_in_turn)
                   for _thread in range(min(self.size, len(items)))]
        started = []
        try:
            for thread in threads:
                thread.start()
                started.append(thread)
            for thread in started:
                thread.join()
        finally:
            # Interrupted (KeyboardInterrupt), or a thread that could not start:
            # the requests in flight finish, no other is sent.
            stopped.set()
        if escaped:
            raise escaped[0]
        return outcomes

    def values(self, work, items):
        """``work(item)`` for every item, values in order; the first error (in the
        items' order) is raised once every started item has finished."""
        outcomes = self.map(work, items, stops=lambda error: True)
        for outcome in outcomes:
            if outcome.error is not None:
                raise outcome.error
        return [outcome.value for outcome in outcomes]
