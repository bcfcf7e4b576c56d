# -*- coding: utf-8 -*-
# Copyright: (c) 2026, isp.provisioning contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Writes each task's wall time per host, and its changed/failed flags, to $BENCH_TIMES."""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: bench_timer
type: aggregate
short_description: Task times for the benchmark
description: Appends one JSON line per task result to the file E(BENCH_TIMES) names.
requirements: [BENCH_TIMES in the environment]
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.started = {}
        self.path = os.environ.get("BENCH_TIMES")

    def v2_runner_on_start(self, host, task):
        self.started[(host.get_name(), task._uuid)] = time.monotonic()

    def _record(self, result, failed):
        key = (result._host.get_name(), result._task._uuid)
        began = self.started.pop(key, None)
        if not self.path or began is None:
            return
        # is_changed() and is_skipped(), not result.result: that converts the whole
        # result (10,000 records) to plain types once more, which the benchmark
        # would count as the collection's time.
        line = {"host": key[0], "task": result._task.get_name(), "seconds": time.monotonic() - began,
                "changed": result.is_changed(), "failed": failed, "skipped": result.is_skipped()}
        with open(self.path, "a") as handle:
            handle.write(json.dumps(line) + "\n")

    def v2_runner_on_ok(self, result):
        self._record(result, False)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, True)

    def v2_runner_on_skipped(self, result):
        self._record(result, False)
