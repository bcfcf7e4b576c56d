"""Answers kept until the next write, and given again meanwhile.

A no-op run reads the same lists once per shard: 20 times SIMPLer's 200,000
items of equipment (each answer about 100 MB of JSON and two seconds of CPU to
read and write), 20 times each of the CRM's 2,225 pages, 20 times the ONU
server's and the IPDR store's 200,000 customers; and each of SIMPLer's
400,000 calls reads the caller's account. Nothing is written between them, so
each answer is one made before: answers are kept with the store's change count
(every INSERT, UPDATE and DELETE moves it, as :mod:`tests.emulators.paging`
relies on too) and given while the count has not moved; a moved count drops
them all. The last ``keep`` answers made are kept.
"""

import threading
from collections import OrderedDict


class KeptAnswers:
    def __init__(self, store, keep=1):
        self.store = store
        self.keep = keep
        self.lock = threading.Lock()
        # request -> answer, the last made last, all made at change count ``changes``
        self.kept = OrderedDict()
        self.changes = None

    def clear(self):
        with self.lock:
            self.kept.clear()

    def get(self, request, make):
        """The answer to ``request`` (any hashable value that says all the answer
        depends on, but the stored data): a kept one, or ``make()``'s."""
        with self.store.lock:
            # Counted before make() reads: a write meanwhile moves the count past it.
            changes = self.store.changes()
        with self.lock:
            if changes != self.changes:
                self.kept.clear()
                self.changes = changes
            elif request in self.kept:
                self.kept.move_to_end(request)
                return self.kept[request]
        answer = make()
        with self.lock:
            if changes == self.changes:
                self.kept[request] = answer
                while len(self.kept) > self.keep:
                    self.kept.popitem(last=False)
        return answer
