# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the isp.provisioning collection
# and may not remain stable to outside uses. Changes may be made in ANY release.

"""The subscriber repository read, checked and split into shards, on every core.

Reading a subscriber's YAML and checking it takes about 0.9 ms: three minutes
of one core at 200,000 subscribers, before Ansible's controller runs a task or
forks a worker, with the machine's other cores idle. So each file is read, its
subscribers examined on their own (``Validation.examine``) and placed
(``subscriber_shards.placement``) in worker processes, and this process
settles them in the files' order (``Validation.settle``: ids and backend
identities compared across the repository) and places the valid ones: the
shards and the problems are those of one process reading the files in order.
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from ansible_collections.isp.provisioning.plugins.module_utils.subscriber import Validation
from ansible_collections.isp.provisioning.plugins.module_utils.subscriber_shards import (
    empty_shards,
    place,
    placement,
)
from ansible_collections.isp.provisioning.plugins.module_utils.subscriber_yaml import read_file

# Workers at most: each is a fork of the process reading the repository.
MOST_WORKERS = 8
# Files smaller than this in all (about 1,000 subscribers, a second of one core) are
# read here: starting the workers would take longer than what they would save.
SPREAD_BYTES = 2 ** 20
# A worker's examiner (a Validation whose examine alone is used), set as it starts.
_EXAMINER = []


def compact_json(value):
    return json.dumps(value, separators=(",", ":"))


def read_shards(root, files, count, workers=0):
    """(``count`` shards of the subscribers in ``files`` under ``root``, each held as
    its compact JSON text; every problem of the files and their subscribers).
    ``workers``: the worker processes at most (0: one per core; 1: none)."""
    validation, problems = Validation(), []
    shards = empty_shards(count)
    for wrong, examined in _examined_files(root, files, count, validation, workers):
        problems.extend(wrong)
        for origin, checked, placed in examined:
            if validation.settle(checked, origin):
                place(shards, placed)
    # The argument-spec validator can say one thing twice (one type error per pass).
    return shards, list(dict.fromkeys(problems + validation.problems))


def _examined_files(root, files, count, examiner, workers):
    """Each file's examination, in the files' order: from worker processes when
    there are enough files, else (and for what a worker that died left) here."""
    if not workers:
        workers = available_cores() if _size(root, files) >= SPREAD_BYTES else 1
    workers = min(workers, len(files), MOST_WORKERS)
    done = 0
    if workers >= 2 and not multiprocessing.current_process().daemon:  # a daemon has no children
        try:
            for examined in _examined_in_workers(root, files, count, examiner, workers):
                yield examined
                done += 1
        except (BrokenProcessPool, OSError):
            # A worker killed (out of memory in a container) or no pool to be had
            # (no /dev/shm): the files not yet examined are read here, as without
            # workers - the parse never waits for an answer that cannot come.
            pass
    for relative in files[done:]:
        yield _examined_file(root, count, relative, examiner)


def _examined_in_workers(root, files, count, examiner, workers):
    # Forked, as Ansible forks its own workers: each has the collection's code loaded.
    # Files may hold one subscriber each or thousands: chunks of a few files, many
    # chunks a worker, so that no worker is left with a long tail.
    chunk = max(1, min(32, len(files) // (workers * 16)))
    executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_start_worker, initargs=(examiner,))
    try:
        yield from executor.map(functools.partial(_examined_in_worker, root, count), files,
                                chunksize=chunk)
    finally:
        # Interrupted (Ctrl-C) or done: what no worker has started is not started.
        executor.shutdown(cancel_futures=True)


def _start_worker(examiner):
    # Ctrl-C is the parse's to handle (the workers would each print a traceback),
    # and a SIGTERM handler the controller installed (refresh_inventory) is not
    # the worker's: it would look after the controller's processes.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _EXAMINER.append(examiner)


def _size(root, files):
    total = 0
    for relative in files:
        try:
            total += os.path.getsize(os.path.join(root, relative))
        except OSError:
            pass  # read_file says why it cannot be read
    return total


def available_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _examined_in_worker(root, count, relative):
    return _examined_file(root, count, relative, _EXAMINER[0])


def _examined_file(root, count, relative, examiner):
    """(the file's problems, (origin, examined, placement) of each subscriber in it); a
    subscriber with problems of its own is not placed, nor kept: only what settles it."""
    found, origins, wrong = read_file(os.path.join(root, relative), relative.as_posix())
    examined = []
    for raw, origin in zip(found, origins):
        checked = examiner.examine(raw, origin)
        placed = None if checked.problems else placement(checked.record, count, compact_json)
        examined.append((origin, checked._replace(record=None), placed))
    return wrong, examined
