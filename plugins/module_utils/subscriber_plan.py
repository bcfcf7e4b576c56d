# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""The cross-backend plan: what each subscriber's records did (or would do) on every backend.

Built from the fan-out (which record came from which subscriber) and the
results the bulk entity modules returned, one task per backend. The same
code reads a check-mode run (what would happen) and a real one (what did),
so the two plans can be compared line for line.
"""

from __future__ import annotations

from ansible_collections.isp.provisioning.plugins.module_utils.subscriber import (
    EQUIPMENT,
    SECTIONS,
    Options,
)

# What a subscriber's entry on one backend can say.
CHANGING = ("create", "update", "suspend", "resume", "delete")
NOT_CHANGING = ("none", "keep")
# unconfirmed: the write was sent, but could not be read back (run again).
FAILING = ("refused", "unconfirmed", "failed", "not run")
# A plan lists the subscribers with one of these on some backend; the others it
# counts: a no-op shard's plan (on the controller until the play ends) stays small.
# "not run" (a backend with no connection configured) is said once, in the totals:
# listing every subscriber for it would undo that.
REPORTED = CHANGING + ("refused", "unconfirmed", "failed")
# Totals also count the undeclared records a purge deleted (or would delete).
PURGE = "purge"
ACTIONS = CHANGING + NOT_CHANGING + FAILING + (PURGE,)
TABLE_ROWS = 50


def _outcome(item, state, section, result):
    """One entity-module result item -> (action, changed fields, message)."""
    action = item.get("action", "none")
    changes = sorted(item.get("changes") or {})
    if item.get("not_written"):  # the backend stopped the task: the task's message says why
        return "failed", [], result.get("msg") or item.get("msg")
    if item.get("failed"):
        return "refused", changes, item.get("msg")
    if item.get("unconfirmed"):
        return "unconfirmed", changes, f"{action} not confirmed: {item.get('msg')}"
    if action == "update":
        if state == "suspended":
            # The lifecycle's fields, and a field an option sets on suspension
            # (billing's customerstatus, from billing_suspended_status).
            if set(changes) & set(section.owned + list(Options.suspending.get(section.name, ()))):
                action = "suspend"
        elif set(changes) & set(section.owned):
            action = "resume"
    return action, changes, None


def _short(text, limit=160):
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def plan(subscribers, fanned, results, check_mode=False):
    """The plan as data and as a short table.

    ``subscribers``: the validated subscribers (their ids and states are
    read); ``fanned``: what ``subscriber.fan_out`` made of them (each section's
    owners and keepers are read); ``results``: section -> the
    registered result of that section's task (None or skipped: the backend has
    no connection configured, so it was not run).
    """
    sections = list(SECTIONS.values()) + [EQUIPMENT]
    entries = {s["id"]: {"id": s["id"], "state": s["state"], "backends": {}}
               for s in subscribers}
    totals, problems, purged = {}, [], []
    for section in sections:
        name = section.name
        out = fanned.get(name) or {"records": [], "owners": []}
        result = results.get(name) or {}
        count = dict.fromkeys(ACTIONS, 0)
        items = result.get("results")
        # A task lists a declared record with its index (with ``results: changed``
        # only those with something to say); a record it does not list was left
        # as it was - unless the task returned no results, having stopped before
        # its writes (or not run at all).
        declared = {item["index"]: item for item in items or [] if "index" in item}
        not_run = result.get("skipped") or not result
        for index, owner in enumerate(out["owners"]):
            state = entries[owner]["state"]
            if index in declared:
                action, changes, msg = _outcome(declared[index], state, section, result)
            elif items is not None:
                action, changes, msg = "none", [], None
            elif not_run:
                action, changes, msg = "not run", [], "no connection configured"
            else:
                action, changes, msg = "failed", [], result.get("msg")
            entry = {"action": action}
            if changes:
                entry["changes"] = changes
            if msg:
                entry["msg"] = _short(msg)
            entries[owner]["backends"][name] = entry
            count[action] += 1
            if action in ("refused", "unconfirmed"):
                problems.append(f"{owner} on {section.label}: {entry.get('msg', action)}")
        said = len(problems)  # what the section's items say is wrong, from here
        for item in [item for item in items or [] if "index" not in item]:  # purged records
            key = item.get(section.spec.identity)
            if item.get("failed") or item.get("not_written") or item.get("unconfirmed"):
                # a delete refused, never sent, or not confirmed is no purge done
                problems.append(f"undeclared {key} on {section.label}: the purge's delete was "
                                f"not made: {_short(item.get('msg'))}")
                continue
            purged.append({"backend": name, "key": key, "action": item.get("action")})
            if item.get("action") == "delete":
                count[PURGE] += 1
        if count["failed"]:
            problems.append(f"{section.label}: {_short(result.get('msg'))} ({count['failed']} "
                            "subscribers not converged there)")
        elif result.get("failed") and not (count["refused"] or count["unconfirmed"]) \
                and len(problems) == said:
            # The task failed after every record's write (reading back for twins,
            # say): no subscriber's entry says so, the run must.
            problems.append(f"{section.label}: {_short(result.get('msg'))}")
        # Subscribers on this backend without a record to converge: an absent one's
        # IPDR record, which is kept.
        for keeper in out.get("keepers") or []:
            backends = entries[keeper]["backends"]
            if name not in backends:
                backends[name] = {"action": "keep"}
                count["keep"] += 1
        if any(count.values()):  # a backend no subscriber is on has no totals
            totals[name] = {k: v for k, v in count.items() if v}
    reported = [entries[s["id"]] for s in subscribers if _says(entries[s["id"]], REPORTED)]
    changed = [e for e in reported if _says(e, CHANGING)]
    return {
        "check_mode": check_mode,
        "changed": bool(changed or [p for p in purged if p["action"] != "none"]),
        "subscribers": reported,
        "unchanged": len(subscribers) - len(reported),
        "totals": totals,
        "purged": purged,
        "problems": problems,
        "lines": table(len(subscribers), changed, totals, check_mode),
        "drift": [describe(e) for e in changed] + [
            f"{p['backend']} {p['key']}: purge (not declared)"
            for p in purged if p["action"] == "delete"],
    }


def _says(entry, actions):
    """Whether a subscriber's entry has one of ``actions`` on some backend."""
    return any(b["action"] in actions for b in entry["backends"].values())


def describe(entry):
    """One subscriber's changes in a line: 'SUB-1: onu update (address), crm create'."""
    parts = []
    for name, backend in entry["backends"].items():
        if backend["action"] in CHANGING:
            fields = f" ({', '.join(backend['changes'])})" if backend.get("changes") else ""
            parts.append(f"{name} {backend['action']}{fields}")
    return f"{entry['id']}: {', '.join(parts)}"


def table(count, changed, totals, check_mode):
    """A table a person reads at 10,000 subscribers: changed ones only, then totals."""
    names = [name for name in list(SECTIONS) + [EQUIPMENT.name] if totals.get(name)]
    verb = "would change" if check_mode else "changed"
    lines = [f"{len(changed)} of {count} subscribers {verb}"]
    if changed:
        lines.append(" | ".join(["subscriber"] + names))
    for entry in changed[:TABLE_ROWS]:
        cells = []
        for name in names:
            backend = entry["backends"].get(name)
            if backend is None:
                cells.append("-")
                continue
            cell = backend["action"]
            if backend.get("changes"):  # an update's fields; a suspension's other changes too
                cell += f" ({', '.join(backend['changes'])})"
            cells.append(cell)
        lines.append(" | ".join([entry["id"]] + cells))
    if len(changed) > TABLE_ROWS:
        lines.append(f"... and {len(changed) - TABLE_ROWS} more (see the plan's data)")
    for name in names:
        counts = ", ".join(f"{n} {action}" for action, n in totals[name].items())
        # The one line that says why a backend was skipped (its task's own line
        # says only "skipping").
        reason = " (no connection configured)" if totals[name].get("not run") else ""
        lines.append(f"{name}: {counts}{reason}")
    return lines


def merge(plans, with_subscribers=False):
    """One plan of a run from the plans of its shards (one per shard host of the play).

    Totals are added up, drift, problems and purged records put one after
    another, the table made again over every shard. ``with_subscribers`` keeps
    the entries of the subscribers with something to report (shard after
    shard), for the plan file; without it the merged plan stays small however
    many subscribers the run has.
    """
    plans = [p for p in plans if isinstance(p, dict) and "totals" in p]
    ordered = [entry for p in plans for entry in p.get("subscribers") or []]
    changed = [e for e in ordered if _says(e, CHANGING)]
    unchanged = sum(p.get("unchanged", 0) for p in plans)
    totals = {}
    for name in list(SECTIONS) + [EQUIPMENT.name]:
        summed = dict.fromkeys(ACTIONS, 0)
        for p in plans:
            for action, n in (p["totals"].get(name) or {}).items():
                summed[action] = summed.get(action, 0) + n
        if any(summed.values()):
            totals[name] = {action: n for action, n in summed.items() if n}
    check_mode = any(p.get("check_mode") for p in plans)
    merged = {
        "check_mode": check_mode,
        "changed": any(p.get("changed") for p in plans),
        "totals": totals,
        "purged": [entry for p in plans for entry in p.get("purged") or []],
        "problems": [problem for p in plans for problem in p.get("problems") or []],
        "lines": table(len(ordered) + unchanged, changed, totals, check_mode),
        "drift": [line for p in plans for line in p.get("drift") or []],
    }
    if with_subscribers:
        merged["subscribers"] = ordered
        merged["unchanged"] = unchanged
    return merged
