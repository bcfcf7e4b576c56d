"""An answer kept until the next write, and given again meanwhile.

A no-op run reads SIMPLer's whole equipment list once per shard: 20 times the
same 200,000 items, each answer about 100 MB of JSON and two seconds of CPU to
read and write; and each of its 400,000 calls reads the caller's account.
Nothing is written between them, so each answer is the last one: it is kept
with the store's change count (every INSERT, UPDATE and DELETE moves it, as
:mod:`tests.emulators.paging` relies on too) and given while the count has not
moved. One answer is kept, the last one made.
"""


class KeptAnswer:
    def __init__(self, store):
        self.store = store
        # (request, change count, answer) of the last answer made, or None
        self.kept = None

    def get(self, request, make):
        """The answer to ``request`` (any hashable value that says all the answer
        depends on, but the stored data): the kept one, or ``make()``'s."""
        with self.store.lock:
            # Counted before make() reads: a write meanwhile moves the count past it.
            changes = self.store.changes()
        kept = self.kept
        if kept is not None and kept[0] == request and kept[1] == changes:
            return kept[2]
        answer = make()
        self.kept = (request, changes, answer)
        return answer
