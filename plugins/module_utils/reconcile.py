# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""The reconcile engine: declared records + current records -> plan -> writes -> result.

Order of work, so that bad input never reaches a backend half-checked:

1. every declared record is checked against its fields' limits and prepared
   (names resolved) — no write yet;
2. the backend's current state is read once for all records, keeping only
   what the task can act on (see ``relevance.py``);
3. every record gets a planned action, and every action is checked (what
   the checks read from the backend read first, ``concurrency`` at a time);
4. purge guards are applied (to this shard's share of the purge, when the
   task is one shard of several);
5. only then, outside check mode, the writes run, ``concurrency`` at a time
   (the backend's pool, see ``pool.py``); results keep the declared order.

A write whose answer was lost is followed by a fresh read of that record:
if the write took effect it is not sent again; if it did not, what the read
shows left is sent once more — that is not blind, the read showed it missing
(a multi-step create whose later step lost its answer is finished so, as an
update of the record the read found); a second lost answer is read back too.

A write the server accepted, or whose answer was lost, but which could not be
read back (the read failed) is reported as it is known: written (or sent),
not confirmed — never as failed, since the record may well be there — and the
task fails asking for another run, which reads it afresh and writes only what
is still missing. So every run that gets past its first read makes progress.

A record the backend refuses does not stop the others: it is reported with
its refusal, and the task fails at the end naming each. A backend that cannot
be used (``stops_backend``: unreachable, no answer, TLS, credentials refused)
stops the writes at once, since every one left would fail the same way: no
write not yet started is sent, the ones in flight finish and are reported.
"""

from __future__ import annotations

from ansible_collections.isp.provisioning.plugins.module_utils.backend import (
    READ_LATER,
    Unconfirmed,
    confirmed,
)
from ansible_collections.isp.provisioning.plugins.module_utils.errors import (
    AnswerLost,
    BackendError,
    LostTwice,
    ProvisioningError,
    ValidationError,
    stops_backend,
)
from ansible_collections.isp.provisioning.plugins.module_utils.pool import Pool
from ansible_collections.isp.provisioning.plugins.module_utils.relevance import Relevance

CREATE, UPDATE, DELETE, NONE = "create", "update", "delete", "none"
COUNTERS = {CREATE: "created", UPDATE: "updated", DELETE: "deleted", NONE: "unchanged"}
RERUN = "run the task again: it reads them afresh and writes only what is still missing"


class ReconcileFailed(Exception):
    """Stops the task: ``message`` for the user, ``result`` for what was done before."""

    def __init__(self, message, result):
        super().__init__(message)
        self.message = message
        self.result = result


class PlanItem:
    def __init__(self, key, state, desired, current, purged=False, index=None):
        self.key = key
        self.index = index  # its place in the declared list (None: purged, not declared)
        self.state = state
        self.desired = desired
        self.current = current
        self.purged = purged
        self.changes = {}
        self.action = NONE
        self.after = current
        self.error = None  # what the backend said when it refused the write
        self.written = False  # refused, but made all the same (see refuse)
        self.unconfirmed = None  # why a write sent could not be read back
        # why the write was not made: the backend stopped the task (with this
        # write, or before its turn came)
        self.unwritten = None

    def refuse(self, error, after=None):
        """The write was refused. ``after``: the record as the backend holds it when
        the write was made all the same (a twin left, a create whose answer was lost
        twice) - reported as changed; None: nothing is known to have changed."""
        self.error = str(error)
        self.written = after is not None
        self.after = self.current if after is None else after

    def unwrite(self, why):
        """The write was never sent: the backend stopped the task before its turn, or
        could not be used for it. The record is as it was (``after`` is no longer the
        prediction). A write sent whose effect is unknown is unconfirmed instead: an
        adapter whose write made a step before the backend stopped raises Unconfirmed
        (see ``backend.confirmed``)."""
        self.unwritten = str(why)
        self.after = self.current

    def unconfirm(self, why):
        """The write was sent, but not read back: ``after`` stays the prediction."""
        self.unconfirmed = str(why)

    @property
    def made(self):
        """Written (confirmed or not), or refused but made all the same."""
        return (self.action != NONE and self.unwritten is None
                and (self.error is None or self.written))

    @property
    def confirmed(self):
        """Written and read back (or nothing to write)."""
        return self.error is None and self.unconfirmed is None and self.unwritten is None

    @property
    def reportable(self):
        """Whether ``results: changed`` lists it: anything but a record left as it was."""
        return self.action != NONE or not self.confirmed


class Reconciler:
    def __init__(self, backend, check_mode=False, diff=False, records=True, every=True):
        self.backend = backend
        self.spec = backend.spec
        self.check_mode = check_mode
        self.diff = diff
        # Whether each result carries its whole record (at 10,000 records, most of
        # a task's output, and of the time it takes to mask and send it).
        self.records = records
        # Whether the results list every record (``results: all``) or only those
        # with something to report (``changed``): at 200,000 subscribers, a no-op
        # run's results were a million entries that the controller kept.
        self.every = every
        self.pool = Pool(backend.concurrency)

    def label(self, key):
        return "%s %r" % (self.spec.label, key)

    # --- planning ---------------------------------------------------------------
    def plan(self, records, purge_scope=None, purge_limit=None, partition=None):
        """``records`` is a list of (state, desired); returns the list of PlanItem.

        ``partition`` (a :class:`~shard.Partition`) narrows a purge to one shard's share.
        """
        prepared = []
        problems = []
        # Identities as the backend compares them (case, spacing, ids a name
        # resolved to): a purge must never take a declared record for another.
        declared = set()
        limits = [self.spec.problems(desired) for _state, desired in records]
        # Before the first read (an adapter may read in prepare): the read keeps
        # only what the task can act on. A record over its limits stops the plan.
        self.backend.relevant = Relevance.of(
            self.backend, [desired for (_state, desired), over in zip(records, limits) if not over],
            purge_scope, partition)
        for (state, desired), over in zip(records, limits):
            key = self.spec.key(desired)
            try:
                if over:
                    raise ValidationError(", ".join(over))
                desired = self.backend.prepare(dict(desired))
            except ValidationError as exc:
                problems.append("%s: %s" % (self.label(key), exc))
                declared.add(self.backend.canonical_key(key))
                continue
            canonical = self.backend.canonical_key(self.spec.key(desired))
            if canonical in declared:
                problems.append("%s is declared more than once" % self.label(key))
                continue
            declared.add(canonical)
            prepared.append((state, desired))

        # Records that failed to prepare are left out of the plan, but their
        # problems are reported with every other record's, before any write.
        keys = [self.spec.key(desired) for state, desired in prepared]
        current = self.backend.fetch(keys)
        # Every declared record was prepared (else the plan stops below), so
        # its place among them is its index in the declared list.
        items = [
            PlanItem(key, state, desired, current.get(key), index=index)
            for index, (key, (state, desired)) in enumerate(zip(keys, prepared))
        ]
        if purge_scope is not None:
            items.extend(self._purge_items(declared, purge_scope, purge_limit, partition))

        refused = {}
        for item in items:
            try:
                self._decide(item)
            except ValidationError as exc:
                refused[item] = exc
        # What the checks read (SIMPLer: who holds a nickname) read now, all at once
        # and ``concurrency`` at a time, rather than one record's after another's.
        self.backend.before_checks([item for item in items
                                    if item.action != NONE and item not in refused])
        for item in items:
            try:
                if item in refused:
                    raise refused[item]
                self._check(item)
            except ValidationError as exc:
                problems.append("%s: %s" % (self.label(item.key), exc))
        self._stop_on(problems)
        return items

    def _purge_items(self, declared, scope, limit, partition):
        doomed = [
            PlanItem(key, "absent", {self.spec.identity: key}, record, purged=True)
            for key, record in sorted(self.backend.in_scope(scope).items())
            if self.backend.canonical_key(key) not in declared
            and (partition is None or partition.owns(record))
        ]
        if limit is not None and len(doomed) > limit:
            raise ReconcileFailed(
                "purge would delete %d %s (%s), more than purge_limit (%d)%s; nothing was "
                "changed. Check purge_scope, or raise purge_limit if this is intended."
                % (
                    len(doomed),
                    self.spec.plural,
                    ", ".join(str(item.key) for item in doomed[:10])
                    + (", ..." if len(doomed) > 10 else ""),
                    limit,
                    "" if partition is None
                    else " on shard %d of %d" % (partition.index, partition.count),
                ),
                {"changed": False},
            )
        return doomed

    def _decide(self, item):
        if item.state == "absent":
            item.action = DELETE if item.current is not None else NONE
        elif item.current is None:
            item.action = CREATE
            item.changes = dict(item.desired)
        else:
            item.changes = self.spec.differences(item.desired, item.current)
            frozen = [n for n in item.changes if not self.spec.by_name[n].updatable]
            if frozen:
                shown = self.spec.public({n: item.current.get(n) for n in frozen})
                raise ValidationError(
                    "%s cannot be changed once the %s exists%s"
                    % (
                        ", ".join(frozen),
                        self.spec.name,
                        " (current %s)" % ", ".join("%s=%r" % kv for kv in sorted(shown.items()))
                        if shown else "",
                    )
                )
            item.action = UPDATE if item.changes else NONE

    def _check(self, item):
        """The backend's checks of ``item``'s action, and what it will leave (ValidationError
        when the action cannot be carried out as asked)."""
        if item.action != NONE:
            self.backend.check(item.action, item.desired, item.current, item.changes)
            item.after = self.backend.predict(item.action, item.desired, item.current)

    @staticmethod
    def _stop_on(problems):
        if problems:
            raise ReconcileFailed(
                "nothing was changed: " + "; ".join(problems), {"changed": False}
            )

    # --- applying ---------------------------------------------------------------
    def apply(self, items):
        """Send every planned write through the pool; the result in declared order."""
        writes = [] if self.check_mode else [item for item in items if item.action != NONE]
        outcomes = dict(zip(map(id, writes), self.pool.map(self._write, writes, stops_backend)))
        handled, unread = [], []  # handled: written, refused or left as it was
        stopped = None  # the first write (in declared order) that found the backend unusable
        for item in items:
            outcome = outcomes.get(id(item))
            if outcome is None:
                handled.append(item)  # nothing to write, or check mode
            elif outcome.skipped:
                # reported as not written, never as refused or unchanged
                item.unwrite("not sent: the backend stopped the task before its turn")
                handled.append(item)
            elif outcome.error is None:
                if outcome.value is READ_LATER:
                    unread.append(item)  # item.after stays the prediction until then
                else:
                    item.after = outcome.value
                handled.append(item)
            elif not isinstance(outcome.error, ProvisioningError):
                raise outcome.error  # a defect, not a refusal: let it show
            elif isinstance(outcome.error, Unconfirmed):
                item.unconfirm(outcome.error)  # sent: never reported as failed
                handled.append(item)
                if stops_backend(outcome.error):  # its read found the backend unusable
                    stopped = stopped or (item, outcome.error)
            elif stops_backend(outcome.error):
                stopped = stopped or (item, outcome.error)
                item.unwrite(f"not written: {outcome.error}")
                handled.append(item)
            else:
                # this record only: the others were still written
                made = outcome.error.found if isinstance(outcome.error, LostTwice) else None
                item.refuse(outcome.error, made)
                handled.append(item)
        if stopped is not None:
            item, error = stopped
            self._read_later(unread, quietly=True)
            raise ReconcileFailed(
                self._with_refusals(self._failure(item, error), handled, but=item),
                self.result(handled, failed=self._first_failed(handled) or item),
            )
        fresh = self._read_later(unread)
        try:
            self._delete_twins([item for item in handled
                                if item.action == CREATE and item.confirmed and item.after],
                               fresh)
        except ProvisioningError as exc:
            raise ReconcileFailed(
                self._with_refusals(
                    f"reading the {self.spec.plural} created back, for twins another run may "
                    f"have made, failed: {exc}; {RERUN}", handled),
                self.result(handled, failed=self._first_failed(handled)),
            )
        failed = self._first_failed(handled)
        if failed is not None:
            raise ReconcileFailed(self._refusals(handled), self.result(handled, failed=failed))
        return self.result(handled)

    def _delete_twins(self, created, fresh=False):
        """Another run of this task, at the same time, may have created the same
        records: where a backend holds two of one identity, the younger is deleted
        by the run that made it (see ``EntityBackend.twins``).

        ``fresh``: what the adapter holds was all read after this task's last
        write (by :meth:`_read_later`), which is all the rule needs: the run that
        created the younger twin sees the older one in any read after its create.
        """
        if not created or self.check_mode:
            return  # (in check mode nothing was created: an item's after is a prediction)
        if not fresh:
            self.backend.forget()  # what other runs wrote since this task read
        # The first alone, so that a backend whose twins come from one read of its
        # list (the CRM) reads it once; the others ``concurrency`` at a time.
        outcomes = self.pool.map(self._sort_out_twins, created[:1], stops_backend) \
            + self.pool.map(self._sort_out_twins, created[1:], stops_backend)
        for outcome in outcomes:
            if outcome.error is not None:
                raise outcome.error  # the backend is down (or a defect)

    def _sort_out_twins(self, item):
        """:meth:`_keep_oldest` for one created record; what goes wrong is that
        record's alone, unless the backend is down."""
        try:
            twins = self.backend.twins(item.after)
        except ValidationError as exc:
            item.refuse(exc, item.after)  # the twins cannot be sorted out: both stay
            return
        except ProvisioningError as exc:
            if stops_backend(exc):
                raise
            # Created and read back; only whether another run made it too is unknown.
            item.unconfirm(f"created; reading it back, for twins another run may have "
                           f"made, failed: {exc}")
            return
        try:
            self._keep_oldest(item, twins)
        except ProvisioningError as exc:
            if stops_backend(exc):
                raise
            item.refuse(exc, item.after)  # this record only; this run's twin is left

    def _keep_oldest(self, item, twins):
        """Delete the record ``item`` created if an older one of ``twins`` holds its
        identity; the item then reports the older one."""
        if len(twins) < 2:
            return
        kept, own = self.backend.record_id(twins[0]), self.backend.record_id(item.after)
        if kept == own:
            return
        told = f"another run created it too, at the same time (id {kept})"
        try:
            self.backend.delete_twin(item.after)
        except ProvisioningError as exc:  # (raised from it: a backend down still stops all)
            raise BackendError(f"{told}; deleting the one this run created (id {own}) failed, "
                               f"so both are left: {exc}") from exc
        self.backend.warnings.append(
            f"{self.label(item.key)}: {told}; the one this run created (id {own}) was deleted, "
            "and the older kept")
        item.after = twins[0]

    def _read_later(self, items, quietly=False):
        """One read for every record whose adapter deferred its read-back (see READ_LATER).

        A record the read does not show was refused after all, unless ``quietly``
        (the task is already failing: keep the prediction, report the real failure).
        When the read fails, each record is written, not confirmed.

        Returns whether it read: what the adapter holds then was all read after
        the task's last write.
        """
        if not items:
            return False
        self.backend.forget()
        try:
            current = confirmed(lambda: self.backend.fetch([item.key for item in items]))
        except Unconfirmed as unread:
            for item in items:
                item.unconfirm(unread)
            return False
        for item in items:
            found = current.get(item.key)
            if found is not None or item.action == DELETE:
                item.after = found
            elif not quietly:
                item.refuse(
                    f"the server accepted the {item.action}, but it is not there when read back")
        return True

    # --- failing ----------------------------------------------------------------
    def _failure(self, item, error):
        if item.unconfirmed is not None:
            return f"{self.label(item.key)}: {item.action} not confirmed: {item.unconfirmed}"
        return f"{self.label(item.key)}: {item.action} failed: {error}"

    @staticmethod
    def _first_failed(items):
        """The first record refused or not confirmed (what ``failed_<name>`` names)."""
        return next((item for item in items
                     if item.error is not None or item.unconfirmed is not None), None)

    def _refusals(self, items, but=None):
        """Every refused record with what the backend said, then every one not
        confirmed; one write alone as it failed. ``but``: one the message names already."""
        written = sum(1 for item in items if item.action != NONE and item.unwritten is None)
        parts = []
        for verb, unknown in (("refused", False), ("not confirmed", True)):
            named = [item for item in items if item is not but
                     and (item.unconfirmed if unknown else item.error) is not None]
            if not named:
                continue
            text = "; ".join(self._failure(item, item.error) for item in named)
            if written > 1:
                was = "was" if len(named) == 1 else "were"
                text = f"{len(named)} of {written} writes {was} {verb}: {text}"
            parts.append(f"{text}; {RERUN}" if unknown else text)
        return "; ".join(parts)

    def _with_refusals(self, message, items, but=None):
        """``message``, and the records refused (or not confirmed) before it stopped the task."""
        before = self._refusals(items, but)
        return f"{message}; before that, {before}" if before else message

    def _write(self, item):
        try:
            return self._send(item)
        except AnswerLost as lost:
            # Read back: did the write take effect before the answer was lost?
            # What is reported stays the write that was planned, against the
            # record as it was before; the read only decides what is left to send.
            found, rest = self._left_after(item, lost)
            if rest.action == NONE:
                return found
            if lost.timed_out:
                # The server may still be working on it: a second write could
                # duplicate it, so say so rather than resend.
                raise BackendError(
                    "%s; the server may still apply it, so it was not sent again. "
                    "Check the backend, then run the task again" % lost
                )
            try:
                return self._send(rest)
            except AnswerLost as again:
                # The second may have taken effect too (or a later step of it
                # lost its answer): read back once more, never send a third time.
                found, rest = self._left_after(item, again)
                if rest.action == NONE:
                    return found
                made = found if found and not item.current else None  # made all the same
                said = " (it exists now, not yet as declared)" if made else ""
                raise LostTwice(f"the answer was lost twice{said}: {again}", made)
            except ProvisioningError as unsent:
                if (isinstance(unsent, Unconfirmed) or self._untouched(item, found)
                        or not stops_backend(unsent)):
                    raise
                # The read showed the first write partly made: the record is not as
                # it was, whatever became of the rest.
                raise Unconfirmed(f"partly made before its answer was lost ({lost}); "
                                  f"the rest was not sent: {unsent}") from unsent

    def _untouched(self, item, found):
        """Whether ``found`` reads as the record did before ``item``'s write, on the
        fields that write changes: another (a balance, say) may change by itself."""
        if found is None or item.current is None:
            return found is None and item.current is None
        return all(self.spec.normalise(name, found.get(name))
                   == self.spec.normalise(name, item.current.get(name))
                   for name in (item.changes if item.action == UPDATE else item.current))

    def _left_after(self, item, lost):
        """(the record as read afresh, the PlanItem of what is left to send) after ``lost``."""
        self.backend.forget()
        found = confirmed(lambda: self.backend.fetch([item.key]).get(item.key),
                          f"sent, but the answer was lost ({lost})")
        rest = PlanItem(item.key, item.state, item.desired, found)
        self._decide(rest)
        self._check(rest)
        return found, rest

    def _send(self, item):
        if item.action == CREATE:
            return self.backend.create(item.desired)
        if item.action == UPDATE:
            return self.backend.update(item.current, item.changes, item.desired)
        self.backend.delete(item.current)
        return None

    # --- reporting --------------------------------------------------------------
    def item_result(self, item):
        result = {
            self.spec.identity: item.key,
            "action": item.action,
            # a write not confirmed was sent, and most likely made: changed
            "changed": item.made,
        }
        if item.index is not None:
            result["index"] = item.index
        if self.records:
            result[self.spec.name] = self.spec.public(item.after)
        if item.action == UPDATE:
            result["changes"] = self.spec.public(item.changes)
        if item.purged:
            result["purged"] = True
        if item.error is not None:
            result.update(failed=True, msg=item.error)
        elif item.unconfirmed is not None:
            result.update(unconfirmed=True, msg=item.unconfirmed)
        elif item.unwritten is not None:
            result.update(not_written=True, msg=item.unwritten)
        return result

    def item_diff(self, item):
        return {
            "before_header": self.label(item.key),
            "after_header": self.label(item.key),
            "before": self.spec.public(item.current) or {},
            "after": self.spec.public(item.after) or {},
        }

    def result(self, items, failed=None):
        """Every item in declared order; ``changed``, counters and diff count what was done."""
        # written, if not confirmed
        done = [item for item in items if item.error is None and item.unwritten is None]
        result = {
            "changed": any(item.made for item in items),
            "results": [self.item_result(item) for item in items
                        if self.every or item.reportable],
        }
        for action, counter in COUNTERS.items():
            result[counter] = sum(1 for item in done if item.action == action and item.confirmed)
        result["unconfirmed"] = sum(1 for item in done if not item.confirmed)
        if self.diff:
            result["diff"] = [self.item_diff(item) for item in items if item.made]
        if failed is not None:
            result["failed_" + self.spec.name] = failed.key
        return result
